/**
 * The load balancer in front of the drill's replicas, configured as docs/deploy.md asks (nginx:
 * `proxy_next_upstream error timeout non_idempotent`): round robin; a request that a replica
 * refused or dropped before answering goes to the next one. That is safe for this bot because
 * every listener acks before doing anything, so a replica that died before its answer started
 * has done nothing; a request whose answer had begun is not sent again (the client gets it cut).
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BalancerStats {
  forwarded: number;
  /** Requests a dead replica refused, sent to another one instead. */
  failedOver: number;
  /** Requests a replica took and died before answering, sent to another one instead. */
  retriedAfterReset: number;
  /** Requests whose answer a dying replica had begun: cut off for the client. */
  brokenInFlight: number;
}

export class Balancer {
  readonly stats: BalancerStats = { forwarded: 0, failedOver: 0, retriedAfterReset: 0, brokenInFlight: 0 };
  private next = 0;

  private constructor(
    private readonly server: Server,
    private readonly replicas: (string | null)[],
  ) {}

  static async start(slots: number): Promise<Balancer> {
    const replicas: (string | null)[] = Array.from({ length: slots }, () => null);
    let balancer: Balancer | null = null;
    const server = createServer((req, res) => void balancer?.handle(req, res));
    balancer = new Balancer(server, replicas);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return balancer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Where slot `i` now listens (a restarted replica listens on a new port). */
  set(slot: number, baseUrl: string): void {
    this.replicas[slot] = baseUrl;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const start = this.next++;
    for (let i = 0; i < this.replicas.length; i++) {
      const target = this.replicas[(start + i) % this.replicas.length];
      if (target === null) continue;
      const outcome = await this.forward(target, req, body, res);
      if (outcome === 'done') return;
      if (outcome === 'broken') {
        this.stats.brokenInFlight++;
        res.destroy();
        return;
      }
      if (outcome === 'refused') this.stats.failedOver++;
      else this.stats.retriedAfterReset++;
    }
    res.writeHead(503).end();
  }

  /** refused: no connection; reset: taken, no answer begun; broken: the answer was cut off. */
  private forward(target: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<'done' | 'refused' | 'reset' | 'broken'> {
    return new Promise((resolve) => {
      const url = new URL(req.url ?? '/', target);
      const out = request(url, { method: req.method, headers: { ...req.headers, host: url.host, 'content-length': String(body.length) } }, (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
        upstream.once('close', () => {
          if (!upstream.complete) return resolve('broken');
          this.stats.forwarded++;
          resolve('done');
        });
      });
      // After a response began, its own 'close' decides; before, nothing reached the client.
      out.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'reset'));
      out.end(body);
    });
  }
}
