/**
 * The `metaflowbot` command line as a person meets it: help on every command, and `start` or
 * `playground` without Slack credentials opening the playground in one line, on loopback only,
 * and stopping cleanly on SIGTERM.
 */
import { Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { startPlayground } from '../../src/playground';
import { startCli } from '../support/cli-process';
import { LOCAL_ROOT } from '../support/fixtures';

let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'cli-entry-'));
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** No Slack credentials and no Metaflow configuration of the machine's. */
const clean = (): NodeJS.ProcessEnv => ({ HOME: home, METAFLOW_HOME: join(home, 'no-metaflow-home') });

describe('--help', () => {
  it.each(['start', 'check', 'show', 'manifest', 'playground'])('explains `%s` and exits 0', async (command) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['node', 'metaflowbot', command, '--help'], { out: (t) => out.push(t), err: (t) => err.push(t), env: clean(), cwd: home });
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('\n')).toMatch(new RegExp(`^Usage: metaflowbot ${command} .*\\n\\n\\S`));
  });
});

describe('the playground from the command line', () => {
  const announcement = /^metaflowbot playground(?: \(no Slack credentials are configured\))?: open (http:\/\/127\.0\.0\.1:(\d+)\/) — the bot with a local Slack stand-in, reading (.+)$/;

  async function servesPage(url: string): Promise<void> {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  }

  it('`start` without Slack credentials opens it in one line, on the demo flows, and stops on SIGTERM', async () => {
    const cli = startCli(['start'], { env: { ...clean(), PORT: '0' }, cwd: home });
    const line = await cli.firstLine();
    const [, url, port, data] = announcement.exec(line) ?? [];
    expect(line).toMatch(/^metaflowbot playground \(no Slack credentials are configured\): open /);
    expect(Number(port)).toBeGreaterThan(0);
    expect(data).toBe('the demo flows (no .metaflow here)');
    await servesPage(url);
    const { code, stdout, stderr } = await cli.stop();
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${line}\n`, stderr: '' });
  });

  it('`playground --port 0` opens it in one line, on the nearest .metaflow, and stops on SIGTERM', async () => {
    const cli = startCli(['playground', '--port', '0'], { env: clean(), cwd: join(LOCAL_ROOT, 'HelloFlow') });
    const line = await cli.firstLine();
    const [, url, , data] = announcement.exec(line) ?? [];
    expect(line).toMatch(/^metaflowbot playground: open /);
    expect(data).toBe(LOCAL_ROOT);
    await servesPage(url);
    const { code, stdout, stderr } = await cli.stop();
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: `${line}\n`, stderr: '' });
  });

  it('listens on 127.0.0.1 only: the page and the app behind it', async () => {
    const listen = jest.spyOn(Server.prototype, 'listen');
    try {
      const playground = await startPlayground({ port: 0, env: clean(), cwd: home });
      try {
        const servers = listen.mock.contexts as Server[];
        expect(servers.length).toBeGreaterThanOrEqual(2);
        for (const server of servers) expect(server.address()).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
        const page = servers.map((s) => s.address()).find((a) => typeof a === 'object' && a !== null && playground.url === `http://127.0.0.1:${a.port}/`);
        expect(page).toBeDefined();
      } finally {
        await playground.stop();
      }
    } finally {
      listen.mockRestore();
    }
  });
});
