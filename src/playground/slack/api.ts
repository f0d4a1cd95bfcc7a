/**
 * A fake Slack Web API over real HTTP on 127.0.0.1 (random port), strict like Slack. The tests
 * run the bot against it, and the playground (src/playground) serves it to a browser; it lives
 * here rather than in test/ because the playground ships with the product.
 *
 *   const slack = await startFakeSlack();               // bot token 'xoxb-test'
 *   new App({ ..., clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } } });
 *   const trigger = slack.mintTriggerId();              // valid 3 s, single use
 *   const responseUrl = slack.mintResponseUrl();        // 5 posts within 30 min
 *   const call = await slack.waitFor('views.open');     // Bolt acks first, calls the API after
 *   call.params.view.title.text
 *   slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
 *   await slack.close();
 *
 * What it serves:
 * - `POST /api/<method>` with a form body (JSON arguments such as `view` and `blocks` decoded,
 *   as `@slack/web-api` sends them) or a JSON body. The bot token must come as
 *   `Authorization: Bearer …` (or a `token` argument): none → `not_authed`, another →
 *   `invalid_auth`, the app token (or the bot token on apps.connections.open) →
 *   `not_allowed_token_type`. Methods: auth.test, views.open/push/update/publish,
 *   chat.postMessage/postEphemeral/update/delete/getPermalink/unfurl, conversations.info/history/replies,
 *   users.info, users.conversations, files.getUploadURLExternal/completeUploadExternal,
 *   apps.connections.open.
 *   Anything else → `unknown_method`.
 * - upload URLs (`/upload/v1/<file id>/…`, multipart or raw bytes), recorded as method `upload`.
 * - response_urls (`/commands/<team>/<n>/<secret>`, JSON), recorded as method `response_url`.
 *
 * Every call is recorded with what was answered. Views and messages go through
 * views/validate.ts and are refused like Slack refuses them (`invalid_arguments` /
 * `invalid_blocks` with `response_metadata.messages`). Errors other than 429 are HTTP 200 with
 * `ok: false`, as on Slack.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  FAKE_BOT,
  FAKE_TEAM,
  Workspace,
  type FakeBot,
  type FakeChannel,
  type FakeTeam,
  type FakeUser,
} from './directory';
import { Faults, type Failure, type RateLimit } from './faults';
import { FilesApi, type FakeFile } from './files';
import { bearerToken, parseArgs, readBody, send, uploadedBytes, type ParsedArgs, type Params, type Reply } from './http';
import { infoMethods } from './info';
import { ChatApi, type FakeMessage, type FakeUnfurl } from './messages';
import { ResponseUrls, type ResponseOrigin, type ResponseUrlOptions } from './response-urls';
import { fail, type ApiResult, type Method } from './results';
import { TriggerIds, type TriggerOptions } from './triggers';
import { ViewsApi, type FakeView } from './views';

export { DEFAULT_CHANNELS, DEFAULT_USERS, FAKE_BOT, FAKE_TEAM };
export type { ApiResult, Failure, FakeBot, FakeChannel, FakeFile, FakeMessage, FakeTeam, FakeUnfurl, FakeUser, FakeView, Params, RateLimit, Reply, ResponseOrigin };

export const FAKE_BOT_TOKEN = 'xoxb-test';
export const FAKE_APP_TOKEN = 'xapp-test';

export interface FakeSlackOptions {
  /** The bot token every Web API call must carry; default `xoxb-test`. */
  token?: string;
  /** The app-level token apps.connections.open wants; default `xapp-test`. */
  appToken?: string;
  team?: FakeTeam;
  bot?: FakeBot;
  users?: readonly FakeUser[];
  channels?: readonly FakeChannel[];
  /** The clock behind trigger and response_url lifetimes, rate limits and `at`; default Date.now. */
  now?: () => number;
  /** trigger_id lifetime; default 3000 ms like Slack. */
  triggerTtlMs?: number;
  /** Per-method limits, e.g. `{ 'chat.postMessage': { limit: 1, windowMs: 1000, per: 'channel' } }`. */
  rateLimits?: Readonly<Record<string, RateLimit>>;
  /** Where apps.connections.open sends Socket Mode clients. */
  socketMode?: { mintConnectionUrl(): string };
  /** Default 0: any free port. */
  port?: number;
  /** Told of every call once it is answered. */
  onCall?: (call: FakeSlackCall) => void;
  /** Serves requests outside Slack's own paths (the playground's page), which otherwise get 404. */
  onRequest?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void>;
}

export interface FakeSlackCall {
  /** The Web API method, or `response_url` / `upload`. */
  method: string;
  /** Path and query. */
  url: string;
  params: Params;
  headers: IncomingHttpHeaders;
  /** When it arrived, on the fake's clock. */
  at: number;
  /** What the fake answered. */
  status: number;
  response: unknown;
}

export interface FakeSlack {
  /** Base URL for `slackApiUrl`, ending with `/api/`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`, for building other URLs on the fake. */
  readonly origin: string;
  readonly token: string;
  readonly appToken: string;
  readonly workspace: Workspace;
  readonly calls: readonly FakeSlackCall[];
  callsTo(method: string): FakeSlackCall[];
  /** The first recorded call (past or future) to `method` that matches; polls until `timeoutMs`. */
  waitFor(method: string, predicate?: (call: FakeSlackCall) => boolean, timeoutMs?: number): Promise<FakeSlackCall>;
  clearCalls(): void;
  mintTriggerId(options?: TriggerOptions): string;
  mintResponseUrl(options?: ResponseUrlOptions): string;
  /** The next call(s) to `method` (`response_url` and `upload` too) fail this way. */
  failNext(method: string, failure: Failure): void;
  /** A view by id or external_id, as last stored. */
  view(ref: string): FakeView | undefined;
  homeView(userId: string): FakeView | undefined;
  /** The user closes a modal: the view and those pushed on top of it go away. */
  closeView(viewId: string): void;
  /** Messages posted and not deleted, oldest first. */
  messages(channel?: string): FakeMessage[];
  /** A person (or Slack itself) posts a message; the app's own go through chat.*. */
  postAs(user: string, channel: string, fields: Params): FakeMessage;
  /** The open modals, each the root view first. */
  modals(): FakeView[][];
  /** What Slack does with the body of an acknowledgement to a slash command: it is read like a
   *  response_url post. Recorded as method `ack`. */
  acknowledge(origin: ResponseOrigin, body: Params): Reply;
  /** Runs a Web API method the way Slack applies a view_submission's `response_action`;
   *  recorded with url `response_action`. */
  apply(method: string, params: Params): ApiResult;
  readonly unfurls: readonly FakeUnfurl[];
  file(id: string): FakeFile | undefined;
  close(): Promise<void>;
}

const POLL_MS = 10;

type Auth = { ok: true } | { ok: false; error: string };

const tokenKind = (token: string): string => (token.startsWith('xapp-') ? 'app' : 'bot');

function authorize(method: string, token: string | undefined, botToken: string, appToken: string): Auth {
  if (!token) return { ok: false, error: 'not_authed' };
  const wanted = method === 'apps.connections.open' ? appToken : botToken;
  if (token === wanted) return { ok: true };
  return { ok: false, error: tokenKind(token) === tokenKind(wanted) ? 'invalid_auth' : 'not_allowed_token_type' };
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = options.token ?? FAKE_BOT_TOKEN;
  const appToken = options.appToken ?? FAKE_APP_TOKEN;
  const now = options.now ?? Date.now;
  const workspace = new Workspace(
    options.team ?? FAKE_TEAM,
    options.bot ?? FAKE_BOT,
    options.users ?? DEFAULT_USERS,
    options.channels ?? DEFAULT_CHANNELS,
  );
  const calls: FakeSlackCall[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, { status: 500, body: { ok: false, error: 'fake_slack_bug', detail: String(err) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const triggers = new TriggerIds(now, options.triggerTtlMs ?? 3000);
  const views = new ViewsApi(workspace, triggers, now);
  const chat = new ChatApi(workspace, now);
  const responseUrls = new ResponseUrls(now, origin, workspace.team.id, (to, body) => chat.respond(to, body));
  const files = new FilesApi(workspace, origin);
  const faults = new Faults(now, options.rateLimits ?? {});
  const socketMode = options.socketMode;
  const methods: Record<string, Method> = {
    ...infoMethods(workspace, socketMode && (() => socketMode.mintConnectionUrl())),
    ...views.methods(),
    ...chat.methods(),
    ...files.methods(),
  };

  function callApi(method: string, parsed: ParsedArgs, req: IncomingMessage): Reply {
    const injected = faults.injected(method);
    if (injected) return injected;
    if (!parsed.ok) return { status: 200, body: fail(parsed.error) };
    const auth = authorize(method, bearerToken(req, parsed.params), token, appToken);
    if (!auth.ok) return { status: 200, body: fail(auth.error) };
    const throttled = faults.throttled(method, parsed.params);
    if (throttled) return throttled;
    const run = methods[method];
    return { status: 200, body: run ? run(parsed.params) : fail('unknown_method', { req_method: method }) };
  }

  function parseJson(body: Buffer): Params | undefined {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Params) : undefined;
    } catch {
      return undefined;
    }
  }

  function record(call: FakeSlackCall): void {
    calls.push(call);
    options.onCall?.(call);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = now();
    const url = req.url ?? '/';
    const path = new URL(url, origin).pathname;
    const body = await readBody(req);
    const slackPath = path.startsWith('/api/') || responseUrls.owns(path) || files.owns(path);
    if (!slackPath && options.onRequest) return options.onRequest(req, res, body);
    let method: string;
    let params: Params;
    let reply: Reply;
    if (req.method !== 'POST') {
      [method, params, reply] = ['', {}, { status: 405, body: { ok: false, error: 'method_not_allowed' } }];
    } else if (path.startsWith('/api/')) {
      method = path.slice('/api/'.length);
      const parsed = parseArgs(req, body);
      params = parsed.ok ? parsed.params : { raw: body.toString('utf8') };
      reply = callApi(method, parsed, req);
    } else if (responseUrls.owns(path)) {
      method = 'response_url';
      const json = parseJson(body);
      params = json ?? { raw: body.toString('utf8') };
      reply = faults.injected(method) ?? responseUrls.deliver(path, json);
    } else if (files.owns(path)) {
      method = 'upload';
      const { bytes, filename } = await uploadedBytes(req, body);
      params = { file_id: files.fileIdOf(path), filename, length: bytes.length };
      reply = faults.injected(method) ?? files.receive(path, bytes);
    } else {
      [method, params, reply] = ['', {}, { status: 404, body: { ok: false, error: 'not_found' } }];
    }
    record({ method, url, params, headers: req.headers, at, status: reply.status, response: reply.body });
    send(res, reply);
  }

  return {
    url: `${origin}/api/`,
    origin,
    token,
    appToken,
    workspace,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    async waitFor(method, predicate = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.find((c) => c.method === method && predicate(c));
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = calls.map((c) => c.method).join(', ') || 'none';
          throw new Error(`no matching ${method} call within ${timeoutMs} ms; calls seen: ${seen}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    clearCalls: () => void calls.splice(0),
    mintTriggerId: (opts) => triggers.mint(opts),
    mintResponseUrl: (opts) => responseUrls.mint(opts),
    failNext: (method, failure) => faults.failNext(method, failure),
    view: (ref) => views.get(ref),
    homeView: (userId) => views.home(userId),
    closeView: (viewId) => views.close(viewId),
    messages: (channel) => chat.list(channel),
    postAs: (user, channel, fields) => chat.postAs(user, channel, fields),
    modals: () => views.modals(),
    acknowledge(to, body) {
      const reply = responseUrls.answer(body, to);
      record({ method: 'ack', url: '', params: body, headers: {}, at: now(), status: reply.status, response: reply.body });
      return reply;
    },
    apply(method, params) {
      const run = methods[method];
      const result = run ? run(params) : fail('unknown_method', { req_method: method });
      record({ method, url: 'response_action', params, headers: {}, at: now(), status: 200, response: result });
      return result;
    },
    unfurls: chat.unfurls,
    file: (id) => files.get(id),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
