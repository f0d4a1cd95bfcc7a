/**
 * The real bot over HTTP, reading the recorded Metaflow service and its S3 datastore through
 * faulty proxies, against the fake Slack: what the fault tests need to break one backend at a
 * time and read what the user was told.
 */
import { startFakeMetadataService, type FakeMetadataService } from '../../support/fake-metadata-service';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../../support/fake-slack';
import { loadConfig } from '../../../src/config';
import { startBot, type RunningBot } from '../../../src/main';
import { TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../../support/bot';
import { FIXTURE_ROOT, S3RVER_CREDENTIALS, startS3Server, type S3TestServer } from '../../support/s3-server';
import { slackClient, type SlackClient } from '../../support/signed';
import { flatText } from '../../fixtures/slack';
import { startFaultyProxy, type FaultyProxy } from './faulty-proxy';

/** Slack's own limit for the first sign of an answer; the user must hear something by then. */
export const ANSWER_WITHIN_MS = 3000;

export interface FaultHarness {
  slack: FakeSlack;
  bot: RunningBot & { baseUrl: string };
  client: SlackClient;
  service: FakeMetadataService;
  serviceProxy: FaultyProxy;
  s3Proxy: FaultyProxy;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The S3 datastore too (s3rver); without it the datastore is unused. */
  s3?: boolean;
}

/** The environment of a bot on the metadata service and S3, as an operator would set it. */
export function serviceBotEnv(slackUrl: string, serviceUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: slackUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'fatal',
    METAFLOWBOT_STATE_PATH: ':memory:',
    METAFLOW_HOME: '/nonexistent-metaflow-home',
    METAFLOW_DEFAULT_METADATA: 'service',
    METAFLOW_SERVICE_URL: serviceUrl,
    METAFLOW_DEFAULT_DATASTORE: 's3',
    METAFLOW_DATASTORE_SYSROOT_S3: FIXTURE_ROOT,
    ...extra,
  };
}

export async function startFaultHarness(options: StartOptions = {}): Promise<FaultHarness> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const service = await startFakeMetadataService();
    closers.push(() => service.close());
    const serviceProxy = await startFaultyProxy(service.url);
    closers.push(() => serviceProxy.close());
    let s3: S3TestServer | null = null;
    if (options.s3) {
      const started = await startS3Server();
      closers.push(() => started.close());
      await started.putFixtureDatastore();
      s3 = started;
    }
    // Without S3 the proxy leads to a closed port: those tests read no artifact or log.
    const s3Proxy = await startFaultyProxy(s3?.endpoint ?? 'http://127.0.0.1:9');
    closers.push(() => s3Proxy.close());
    // The SDK's default chain reads these; s3rver checks the key id only.
    process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
    const slack = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
    closers.push(() => slack.close());
    // Configured as an operator would, through the environment the production start reads.
    const config = loadConfig({ env: serviceBotEnv(slack.url, serviceProxy.url, { METAFLOW_S3_ENDPOINT_URL: s3Proxy.url }) });
    const running = await startBot(config);
    closers.push(() => running.stop());
    const bot = { ...running, baseUrl: `http://127.0.0.1:${running.port}` };
    const client = slackClient({ baseUrl: bot.baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: slack });
    return { slack, bot, client, service, serviceProxy, s3Proxy, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface Answer {
  /** An ephemeral message on the command's response_url, or the modal it opened (views.open, then each views.update). */
  surface: 'message' | 'view';
  call: FakeSlackCall;
  text: string;
  /** From the command's request to this answer reaching the fake Slack. */
  afterMs: number;
}

export interface Asked {
  /** How long the HTTP request (the ack) took. */
  ackMs: number;
  /** What the user has seen of this command so far, oldest first. */
  answers(): Answer[];
  /** The `n`-th answer (1-based), waiting for it up to `timeoutMs`. */
  answer(n: number, timeoutMs?: number): Promise<Answer>;
}

function answersTo(slack: FakeSlack, sent: { response_url: string; trigger_id: string }, sentAt: number): Answer[] {
  const path = new URL(sent.response_url).pathname;
  const opened = slack.calls.find((c) => c.method === 'views.open' && c.params.trigger_id === sent.trigger_id && (c.response as { ok?: boolean }).ok);
  const viewId = (opened?.response as { view?: { id?: string } } | undefined)?.view?.id;
  const mine = (c: FakeSlackCall): Answer['surface'] | null => {
    if (c.method === 'response_url' && c.url === path) return 'message';
    if (c === opened || (viewId !== undefined && c.method === 'views.update' && c.params.view_id === viewId)) return 'view';
    return null;
  };
  const out: Answer[] = [];
  for (const call of slack.calls) {
    const surface = mine(call);
    if (surface === null || call.status !== 200) continue;
    const blocks = surface === 'view' ? (call.params.view as { blocks?: unknown }).blocks : call.params.blocks;
    out.push({ surface, call, text: flatText(blocks), afterMs: call.at - sentAt });
  }
  return out;
}

/** `/metaflow <text>`, and what came back on its response_url or in the modal it opened. */
export async function ask(h: FaultHarness, text: string): Promise<Asked> {
  const sentAt = Date.now();
  const res = await h.client.command(text);
  if (res.status !== 200) throw new Error(`/metaflow ${text} was answered HTTP ${res.status}`);
  const answers = (): Answer[] => answersTo(h.slack, res.sent as { response_url: string; trigger_id: string }, sentAt);
  return {
    ackMs: res.elapsedMs,
    answers,
    async answer(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const got = answers();
        if (got.length >= n) return got[n - 1];
        if (Date.now() > deadline) throw new Error(`no answer #${n} to /metaflow ${text} within ${timeoutMs} ms; got ${JSON.stringify(got.map((a) => a.text))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

/** What must never reach a user: stack frames, error class names, codes, addresses, raw payloads. */
const INTERNAL = [
  /\n\s*at /,
  /\b\w+Error\b/,
  /\bE[A-Z]{4,}\b/,
  /\bUND_ERR/,
  /HTTP \d{3}/,
  /Traceback/,
  /127\.0\.0\.1|localhost/,
  /https?:\/\//,
  /[{}]/,
  /\bundefined\b|\bnull\b|\[object /,
];

/**
 * The first line of an answer — the sentence the user reads — is one plain sentence, and the
 * whole answer holds nothing internal.
 */
export function expectClearSentence(answer: Answer): void {
  const first = answer.text.split('\n')[0].replace(/^:[a-z_]+:\s*/, '');
  expect(first).toMatch(/^[A-Z][^\n]*[.…!?]$/);
  expect(first.length).toBeLessThan(200);
  for (const pattern of INTERNAL) expect({ text: answer.text, leaks: pattern.test(answer.text) }).toEqual({ text: answer.text, leaks: false });
}
