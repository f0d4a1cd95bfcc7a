/**
 * The playground's Slack: the fake Web API of src/playground/slack, which the app calls, and on
 * the same port a page that draws the workspace as a Slack client would and turns the person's
 * typing and clicks into the requests Slack would send the app (person.ts). The page learns of
 * every change through server-sent events and then reads the whole state again: the state is
 * small, and one code path draws both the first screen and every update.
 */
import { readFile, readdir } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { manifestText } from '../cli/manifest';
import { webDir } from './assets';
import { Person, type App, type Problem, type Surface } from './person';
import { DEFAULT_CHANNELS, DEFAULT_USERS, FAKE_BOT, startFakeSlack, type FakeSlack, type FakeSlackCall, type Params } from './slack/api';
import { mediaType } from './slack/http';
import type { ActionInput } from './slack/payloads';

/** The bot user as the manifest names it, so that people type `@metaflow`. */
const BOT = { ...FAKE_BOT, name: 'metaflow' };

/** The person at the page. */
const ME = DEFAULT_USERS[0];

/** How much of an uploaded file the page shows under its message, as Slack previews snippets. */
const FILE_PREVIEW_CHARS = 4000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface RecordedProblem extends Problem {
  at: number;
}

export interface StandInOptions {
  /** The page's port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** The bot token the app must send. */
  token: string;
  /** Told of each problem as it is recorded. */
  onProblem?: (problem: Problem) => void;
}

export interface StandIn {
  /** The page, `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** For the app's SLACK_API_URL. */
  readonly apiUrl: string;
  readonly slack: FakeSlack;
  /** What the stand-in refused and what the app answered wrongly, oldest first. */
  readonly problems: readonly RecordedProblem[];
  /** Where the app listens; until then the page can only look. */
  connect(app: App): void;
  close(): Promise<void>;
}

/** Server-sent events: each says "something changed" with a counter; bursts become one. */
class Updates {
  private readonly clients = new Set<ServerResponse>();
  private version = 0;
  private scheduled = false;

  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 1000\ndata: ${this.version}\n\n`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  notify(): void {
    this.version += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const client of this.clients) client.write(`data: ${this.version}\n\n`);
    });
  }
}

/** The slash commands of the manifest, as the page offers them while the person types. */
function slashCommands(): Params[] {
  const manifest = parseYaml(manifestText()) as Params;
  return (manifest.features?.slash_commands ?? []).map((c: Params) => ({ command: c.command, description: c.description, usage_hint: c.usage_hint }));
}

/** Refusals the person's own doing explains (they closed the modal, or it changed first): Slack
 *  shows nothing, and the app is expected to carry on. */
const EXPECTED_REFUSALS = new Set(['views.update not_found', 'views.update hash_conflict', 'views.push not_found']);

/** What the stand-in refused, or a path it does not serve. */
function refusal(call: FakeSlackCall): Problem | null {
  const body = call.response as Params | string | null;
  const refused = typeof body === 'object' && body !== null && body.ok === false;
  if (call.status < 400 && !refused) return null;
  const error = typeof body === 'object' && body !== null ? body.error : body;
  if (EXPECTED_REFUSALS.has(`${call.method} ${String(error)}`)) return null;
  const messages: unknown = typeof body === 'object' && body !== null ? body.response_metadata?.messages : undefined;
  return {
    source: 'slack',
    summary: `${call.method || `${call.url} (not a Slack URL)`}: ${String(error ?? `HTTP ${call.status}`)}`,
    details: Array.isArray(messages) ? messages.map(String) : [],
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

class BadRequest extends Error {}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string') throw new BadRequest(`${name} must be a string`);
  return value;
}

function optionalText(value: unknown, name: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, name);
}

function object(value: unknown, name: string): Params {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest(`${name} must be an object`);
  return value as Params;
}

function actionOf(value: unknown): ActionInput {
  const action = object(value, 'action');
  return { ...action, action_id: text(action.action_id, 'action.action_id') };
}

function surfaceOf(value: unknown): Surface {
  const s = object(value, 'surface');
  if (s.kind === 'view') return { kind: 'view', id: text(s.id, 'surface.id') };
  if (s.kind === 'message') return { kind: 'message', channel: text(s.channel, 'surface.channel'), ts: text(s.ts, 'surface.ts') };
  throw new BadRequest('surface.kind must be view or message');
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const dir = webDir();
  const assets = new Set(await readdir(dir));
  const updates = new Updates();
  const problems: RecordedProblem[] = [];
  const commands = slashCommands();
  let person: Person | null = null;
  let port = options.port;

  const report = (problem: Problem): void => {
    problems.push({ ...problem, at: Date.now() });
    options.onProblem?.(problem);
    updates.notify();
  };

  const onCall = (call: FakeSlackCall): void => {
    const problem = refusal(call);
    if (problem) report(problem);
    if (call.method === 'files.completeUploadExternal' && (call.response as Params).ok === true) shareFiles(call.params);
    updates.notify();
  };

  const slack = await startFakeSlack({
    token: options.token,
    bot: BOT,
    port: options.port,
    onCall,
    onRequest: (req, res, body) => serve(req, res, body),
  });
  port = Number(new URL(slack.origin).port);

  /** Slack shows a shared file as a message of the app's, with the comment it was shared with. */
  function shareFiles(params: Params): void {
    if (typeof params.channel_id !== 'string' || !Array.isArray(params.files)) return;
    const files = (params.files as Params[]).flatMap((entry) => {
      const file = slack.file(String(entry?.id));
      if (!file?.bytes) return [];
      return [{ id: file.id, name: file.filename, title: file.title ?? file.filename, size: file.bytes.length, url: `/files/${file.id}`, preview: file.bytes.toString('utf8', 0, FILE_PREVIEW_CHARS) }];
    });
    const threadTs = typeof params.thread_ts === 'string' ? { thread_ts: params.thread_ts } : {};
    slack.postAs(BOT.userId, params.channel_id, { text: typeof params.initial_comment === 'string' ? params.initial_comment : '', files, ...threadTs });
  }

  function snapshot(): Params {
    const dm = slack.workspace.channel(ME.id);
    return {
      team: slack.workspace.team,
      bot: { id: BOT.userId, name: BOT.name },
      me: { id: ME.id, name: ME.name, realName: ME.realName ?? ME.name },
      users: Object.fromEntries([...DEFAULT_USERS.map((u) => [u.id, u.name]), [BOT.userId, BOT.name]]),
      channels: DEFAULT_CHANNELS.map((c) => ({ id: c.id, name: c.name })),
      dm: dm?.id,
      commands,
      connected: person !== null,
      messages: slack
        .messages()
        .filter((m) => m.ephemeralTo === undefined || m.ephemeralTo === ME.id)
        .map((m) => ({
          channel: m.channel,
          ts: m.ts,
          thread_ts: m.thread_ts,
          user: m.user ?? BOT.userId,
          text: m.text ?? '',
          blocks: m.blocks,
          attachments: m.attachments,
          files: m.files,
          ephemeral: m.ephemeralTo !== undefined,
          edited: m.updates > 0,
        })),
      modal: slack.modals().at(-1) ?? [],
      home: slack.homeView(ME.id) ?? null,
      problems,
    };
  }

  async function ui(action: string, input: Params, who: Person): Promise<unknown> {
    switch (action) {
      case 'type':
        return who.type(text(input.channel, 'channel'), text(input.text, 'text'), optionalText(input.thread_ts, 'thread_ts'));
      case 'action':
        await who.act(surfaceOf(input.surface), actionOf(input.action), object(input.values ?? {}, 'values'));
        return {};
      case 'suggest': {
        const suggestion = { action_id: text(input.action_id, 'action_id'), block_id: text(input.block_id, 'block_id'), value: text(input.value, 'value') };
        return who.suggest(surfaceOf(input.surface), suggestion, object(input.values ?? {}, 'values'));
      }
      case 'submit':
        return who.submit(text(input.view_id, 'view_id'), object(input.values ?? {}, 'values'));
      case 'close':
        await who.close(text(input.view_id, 'view_id'), input.all === true);
        return {};
      case 'reload':
        await who.closeAll();
        return {};
      case 'home':
        await who.openHome();
        return {};
      case 'problem':
        report({ source: 'page', summary: text(input.summary, 'summary'), details: Array.isArray(input.details) ? input.details.map(String) : [] });
        return {};
      default:
        throw new BadRequest(`unknown action ${action}`);
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    // Only this machine's own names: a page elsewhere that rebinds its DNS name to 127.0.0.1
    // must not reach the playground.
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return sendJson(res, 421, { error: 'unknown host' });
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET') return serveGet(path, res);
    if (req.method !== 'POST' || !path.startsWith('/ui/')) return sendJson(res, 404, { error: 'not found' });
    // JSON only: another site's page cannot send it here without a CORS preflight, which fails.
    if (mediaType(req) !== 'application/json') return sendJson(res, 415, { error: 'send JSON' });
    if (!person) return sendJson(res, 503, { error: 'The app is still starting.' });
    try {
      sendJson(res, 200, await ui(path.slice('/ui/'.length), object(JSON.parse(body.toString('utf8') || '{}'), 'body'), person));
    } catch (err) {
      if (err instanceof BadRequest || err instanceof SyntaxError) return sendJson(res, 400, { error: err.message });
      const message = err instanceof Error ? err.message : String(err);
      report({ source: 'app', summary: `Could not reach the app: ${message}`, details: [] });
      sendJson(res, 502, { error: message });
    }
  }

  async function serveGet(path: string, res: ServerResponse): Promise<void> {
    if (path === '/state') return sendJson(res, 200, snapshot());
    if (path === '/updates') return updates.subscribe(res);
    if (path.startsWith('/files/')) {
      const file = slack.file(path.slice('/files/'.length));
      if (!file?.bytes) return sendJson(res, 404, { error: 'no such file' });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': `inline; filename="${file.filename.replace(/[^\w.-]/g, '_')}"` });
      res.end(file.bytes);
      return;
    }
    const name = path === '/' ? 'index.html' : path.startsWith('/assets/') ? path.slice('/assets/'.length) : '';
    const type = CONTENT_TYPES[extname(name)];
    if (!assets.has(name) || !type) return sendJson(res, 404, { error: 'not found' });
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(await readFile(join(dir, name)));
  }

  return {
    url: `http://127.0.0.1:${port}/`,
    apiUrl: slack.url,
    slack,
    problems,
    connect(app) {
      person = new Person(slack, app, ME, report, () => updates.notify());
      updates.notify();
    },
    close: () => slack.close(),
  };
}
