/**
 * A graceful stop — a deploy's SIGTERM — finishes the answers already under way: a command
 * acked just before the stop still gets its answer, from a Metaflow slow enough that the answer
 * comes well after the stop began. Once in process, and once through `metaflowbot start` in a
 * real process that gets a real SIGTERM and must exit 0.
 */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startFakeMetadataService, type FakeMetadataService } from '../support/fake-metadata-service';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../support/fake-slack';
import { startTestBot, TEST_APP_TOKEN, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from '../support/bot';
import { startCli } from '../support/cli-process';
import { LOCAL_ROOT } from '../support/fixtures';
import { slackClient } from '../support/signed';
import { flatText } from '../fixtures/slack';

const STATUS = 'status HelloFlow/9';
/** Below the "still trying" notice (2.5 s), so the one answer is the run itself. */
const SLOW_MS = 2000;

let fake: FakeSlack;
let service: FakeMetadataService;
let home: string;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TEST_BOT_TOKEN, appToken: TEST_APP_TOKEN });
  service = await startFakeMetadataService();
  home = mkdtempSync(join(tmpdir(), 'metaflowbot-shutdown-'));
});

afterAll(async () => {
  await service.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  service.clearFaults();
  service.inject({ kind: 'delay', ms: SLOW_MS, path: /\/flows\/HelloFlow\/runs\/9$/ });
});

/** Sends the command, and returns once it is acked: from then on its answer is under way. */
async function acked(baseUrl: string): Promise<{ responsePath: string; ackedAt: number }> {
  const res = await slackClient({ baseUrl, signingSecret: TEST_SIGNING_SECRET, fakeSlack: fake }).command(STATUS);
  expect(res.status).toBe(200);
  return { responsePath: new URL(res.sent.response_url).pathname, ackedAt: Date.now() };
}

/** What the response_url received for this command so far. */
function answersTo(responsePath: string): FakeSlackCall[] {
  return fake.calls.filter((c) => c.method === 'response_url' && c.url === responsePath);
}

it('a stop waits for the answer of a command acked just before it', async () => {
  const bot = await startTestBot({ slackApiUrl: fake.url, env: { METAFLOW_DEFAULT_METADATA: 'service', METAFLOW_SERVICE_URL: service.url } });
  const { responsePath, ackedAt } = await acked(bot.baseUrl);
  expect(answersTo(responsePath)).toEqual([]);
  await bot.stop();
  const [answer, ...more] = answersTo(responsePath);
  expect(more).toEqual([]);
  expect(answer.status).toBe(200);
  expect(answer.at).toBeGreaterThan(ackedAt);
  expect(flatText(answer.params.blocks)).toContain('HelloFlow/9');
  await expect(fetch(`${bot.baseUrl}/healthz`)).rejects.toThrow();
});

/** A port nothing listens on right now, for a child that must be told its port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function serving(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${baseUrl} did not serve /healthz within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('`metaflowbot start` on SIGTERM finishes the answer under way, then exits 0', async () => {
  const port = await freePort();
  const cli = startCli(['start'], {
    cwd: home,
    env: {
      HOME: home,
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      METAFLOWBOT_STATE_PATH: ':memory:',
      METAFLOW_HOME: join(home, 'no-metaflow-home'),
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_SERVICE_URL: service.url,
      METAFLOW_DATASTORE_SYSROOT_LOCAL: dirname(LOCAL_ROOT),
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await serving(baseUrl);
  } catch (err) {
    const { stdout, stderr } = await cli.stop();
    throw new Error(`${String(err)}\n${stdout}\n${stderr}`);
  }
  const { responsePath, ackedAt } = await acked(baseUrl);
  expect(answersTo(responsePath)).toEqual([]);
  const { code, stderr } = await cli.stop();
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const [answer, ...more] = answersTo(responsePath);
  expect(more).toEqual([]);
  expect(answer.status).toBe(200);
  expect(answer.at).toBeGreaterThan(ackedAt);
  expect(flatText(answer.params.blocks)).toContain('HelloFlow/9');
}, 60_000);
