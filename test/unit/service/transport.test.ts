/**
 * How the service backend talks HTTP: credentials, retries, timeouts, bad answers and the cap
 * on requests in flight, against the fake service with faults injected.
 */
import { spawn } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  BackendDataError,
  BackendTimeoutError,
  BackendUnavailableError,
  NotFoundError,
} from '../../../src/metaflow/errors';
import { createServiceMetadataSource, type ServiceMetadataSource, type ServiceOptions } from '../../../src/metaflow/service';
import { createServiceHttp } from '../../../src/metaflow/service/http';
import { startFakeMetadataService, type FakeMetadataService } from '../../support/fake-metadata-service';

const KEY = 'sk-secret-0123456789';
const BEARER = 'Bearer oidc-secret-token';

let fake: FakeMetadataService;
const sources: ServiceMetadataSource[] = [];

function open(opts: Partial<ServiceOptions> = {}): ServiceMetadataSource {
  const source = createServiceMetadataSource({ url: fake.url, retryBaseDelayMs: 2, ...opts });
  sources.push(source);
  return source;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  fake = await startFakeMetadataService();
});

beforeEach(() => {
  fake.clearFaults();
  fake.latencyMs = 0;
  fake.resetLog();
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.close()));
  await fake.close();
});

describe('credentials', () => {
  it('sends x-api-key and the extra headers with every request', async () => {
    const source = open({ authKey: KEY, headers: { Authorization: BEARER, 'X-Team': 'ml' } });
    await source.getFlow('HelloFlow');
    await source.listRuns('HelloFlow', {}, { limit: 1, cursor: null });
    expect(fake.log.length).toBeGreaterThanOrEqual(3);
    for (const request of fake.log) {
      expect(request.headers).toMatchObject({ 'x-api-key': KEY, authorization: BEARER, 'x-team': 'ml' });
    }
  });

  it('never puts a credential in an error, whatever the failure', async () => {
    const source = open({ authKey: KEY, headers: { Authorization: BEARER }, retries: 2, requestTimeoutMs: 100 });
    const url = new URL(fake.url);
    const withUserInfo = open({ url: `http://bot:pa55word@${url.host}`, retries: 1 });
    fake.inject({ kind: 'status', status: 500, times: 2 });
    const errors = [await failure(source.getFlow('HelloFlow'))];
    fake.inject({ kind: 'garbage' });
    errors.push(await failure(source.getFlow('HelloFlow')));
    fake.inject({ kind: 'delay', ms: 300, times: 2 });
    errors.push(await failure(source.getFlow('HelloFlow')));
    fake.inject({ kind: 'status', status: 403 });
    errors.push(await failure(withUserInfo.getFlow('HelloFlow')));
    for (const err of errors) {
      const everything = inspect(err, { depth: null, showHidden: true }) + JSON.stringify(err) + String(err.stack);
      for (const secret of [KEY, 'oidc-secret-token', 'pa55word', 'bot:']) expect(everything).not.toContain(secret);
    }
    expect(errors.map((e) => e.constructor)).toEqual([BackendUnavailableError, BackendDataError, BackendTimeoutError, BackendUnavailableError]);
    expect(errors[3].message).toBe(
      `The Metaflow metadata service at http://${url.host} refused access (HTTP 403); check METAFLOW_SERVICE_AUTH_KEY and METAFLOW_SERVICE_HEADERS.`,
    );
    expect(fake.log[fake.log.length - 1].headers.authorization).toBe(`Basic ${Buffer.from('bot:pa55word').toString('base64')}`);
    expect(withUserInfo.location).toBe(`http://${url.host}`);
  });

  it('keeps the path prefix of the service URL, and says when a URL lacks it', async () => {
    const prefixed = await startFakeMetadataService({ pathPrefix: '/api/metadata' });
    const source = createServiceMetadataSource({ url: `${prefixed.url}/`, retryBaseDelayMs: 1 });
    const withoutPrefix = createServiceMetadataSource({ url: new URL(prefixed.url).origin, retryBaseDelayMs: 1 });
    try {
      expect((await source.getFlow('HelloFlow')).name).toBe('HelloFlow');
      expect(prefixed.requests).toEqual(['/api/metadata/flows/HelloFlow']);
      expect(source.location).toBe(prefixed.url);
      const err = await failure(withoutPrefix.listFlows());
      expect(err).toBeInstanceOf(BackendDataError);
      expect(err.message).toBe(`The Metaflow metadata service at ${withoutPrefix.location} has no GET /flows (HTTP 404); check METAFLOW_SERVICE_URL.`);
    } finally {
      await Promise.all([source.close(), withoutPrefix.close()]);
      await prefixed.close();
    }
  });
});

describe('retries', () => {
  it('retries 503 and succeeds on the third try', async () => {
    const source = open();
    fake.inject({ kind: 'status', status: 503, times: 2 });
    expect((await source.getFlow('HelloFlow')).name).toBe('HelloFlow');
    expect(fake.requests).toHaveLength(3);
    expect(source.stats().requests).toBe(3);
  });

  it('does not retry a 404', async () => {
    const source = open();
    await expect(source.getFlow('NoSuchFlow')).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.requests).toEqual(['/flows/NoSuchFlow']);
  });

  it('does not retry a 400, and names the service reason', async () => {
    const source = open();
    const err = await failure(source.listRuns('HelloFlow', {}, { limit: 1, cursor: 'p.not-a-cursor' }));
    expect(err).toBeInstanceOf(BackendDataError);
    expect(err.message).toBe('The Metaflow metadata service rejected GET /flows/HelloFlow/runs?_limit=1&_cursor=not-a-cursor (HTTP 400: Invalid cursor).');
    expect(fake.requests.filter((u) => u.startsWith('/flows'))).toHaveLength(1);
  });

  it('does not retry a gateway rate limit, and says so', async () => {
    const source = open();
    fake.inject({ kind: 'status', status: 429 });
    const err = await failure(source.getFlow('HelloFlow'));
    expect(err).toEqual(new BackendUnavailableError(`The Metaflow metadata service at ${fake.url} is limiting requests (HTTP 429); try again shortly.`));
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on 500 after five tries in all', async () => {
    const source = open();
    fake.inject({ kind: 'status', status: 500, times: Infinity });
    const err = await failure(source.getRun('HelloFlow', '1'));
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toBe(`The Metaflow metadata service at ${fake.url} failed to answer GET /flows/HelloFlow/runs/1 (HTTP 500).`);
    expect(fake.requests).toHaveLength(5);
  });

  it('retries a dropped connection', async () => {
    const source = open();
    fake.inject({ kind: 'drop' });
    expect((await source.getRun('HelloFlow', '1')).id).toBe('1');
    expect(fake.requests).toHaveLength(2);
  });

  it('says the service is not reachable when nothing listens', async () => {
    const gone = await startFakeMetadataService({ recordings: false });
    await gone.close();
    const source = open({ url: gone.url, retries: 3 });
    const err = await failure(source.listFlows());
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect(err.message).toBe(`The Metaflow metadata service at ${gone.url} is not reachable (connection refused).`);
    expect(source.stats().requests).toBe(3);
  });
});

describe('bad answers', () => {
  it('times out a slow answer', async () => {
    const source = open({ requestTimeoutMs: 100, retries: 2 });
    fake.inject({ kind: 'delay', ms: 400, times: Infinity });
    const started = Date.now();
    const err = await failure(source.getFlow('HelloFlow'));
    expect(err).toBeInstanceOf(BackendTimeoutError);
    expect(err.message).toBe(`The Metaflow metadata service at ${fake.url} did not answer GET /flows/HelloFlow within 100 ms.`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('rejects a body that is not JSON without retrying', async () => {
    const source = open();
    fake.inject({ kind: 'garbage' });
    const err = await failure(source.listSteps('HelloFlow', '1'));
    expect(err).toBeInstanceOf(BackendDataError);
    expect(err.message).toBe('The Metaflow metadata service answered GET /flows/HelloFlow/runs/1/steps with something that is not JSON.');
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects JSON of the wrong shape, naming the endpoint', async () => {
    const source = open();
    fake.inject({ kind: 'garbage', body: '[{"flow_id": "HelloFlow", "ts_epoch": "yesterday"}]' });
    const err = await failure(source.listFlows());
    expect(err).toEqual(new BackendDataError('The Metaflow metadata service answered GET /flows without a number in ts_epoch.'));
  });

});

describe('concurrency', () => {
  it('keeps at most maxConcurrent requests in flight', async () => {
    const source = open({ maxConcurrent: 4 });
    fake.latencyMs = 20;
    fake.resetLog();
    const calls = Array.from({ length: 50 }, (_, i) => source.getRun('HelloFlow', ['1', '2', '8', '9'][i % 4]));
    expect(await Promise.all(calls)).toHaveLength(50);
    expect(fake.requests).toHaveLength(50);
    expect(fake.maxInFlight).toBeLessThanOrEqual(4);
    expect(fake.maxInFlight).toBeGreaterThan(1);
  });
});

describe('connections', () => {
  let server: Server;
  let url: string;
  let accepted = 0;

  beforeAll(async () => {
    server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('[]');
    });
    server.on('connection', () => (accepted += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    accepted = 0;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reuses its keep-alive connections across sequential requests instead of opening one each', async () => {
    const http = createServiceHttp({ url, maxConcurrent: 4 });
    try {
      for (let i = 0; i < 10; i++) expect((await http.get('/flows')).status).toBe(200);
      const opened = accepted;
      expect(opened).toBeGreaterThanOrEqual(1);
      expect(opened).toBeLessThanOrEqual(4);
      for (let i = 0; i < 40; i++) await http.get('/flows');
      expect(http.requestCount()).toBe(50);
      expect(accepted).toBe(opened);
    } finally {
      await http.close();
    }
  });

  it('opens no more connections than its pool, and reuses them afterwards', async () => {
    const http = createServiceHttp({ url, maxConcurrent: 4 });
    try {
      await Promise.all(Array.from({ length: 40 }, () => http.get('/flows')));
      const opened = accepted;
      expect(opened).toBeGreaterThanOrEqual(1);
      expect(opened).toBeLessThanOrEqual(4);
      for (let i = 0; i < 8; i++) await http.get('/flows');
      expect(accepted).toBe(opened);
    } finally {
      await http.close();
    }
  });

  it('gives up on a server that never accepts after the connect timeout, not the request timeout', async () => {
    const stuck = await unacceptingServer();
    try {
      // The request timeout would outlast the test: only the connect timeout can end this.
      const http = createServiceHttp({ url: stuck.url, connectTimeoutMs: 300, requestTimeoutMs: 120_000, retries: 2, retryBaseDelayMs: 1 });
      try {
        const err = await failure(http.get('/flows'));
        expect(err).toBeInstanceOf(BackendUnavailableError);
        expect(err.message).toBe(`The Metaflow metadata service at ${stuck.url} is not reachable (connection timed out).`);
        expect(http.requestCount()).toBe(2);
      } finally {
        await http.close();
      }
    } finally {
      stuck.close();
    }
  }, 15_000);
});

/**
 * A port whose connections are never accepted: a child process listens with a backlog of one and
 * blocks its event loop; a few connections fill the kernel's queue, so a new one's SYN is dropped
 * and its connect waits, as for an unresponsive host.
 */
async function unacceptingServer(): Promise<{ url: string; close(): void }> {
  const script = `
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(server.address().port + '\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the listening child exited (${code})`)));
  });
  const fillers = Array.from({ length: 6 }, () => connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => fillers[0].once('connect', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      for (const filler of fillers) filler.destroy();
      child.kill();
    },
  };
}
