/**
 * The process in HTTP mode: fastify owns the port and hands Slack's requests on
 * `POST /slack/events` to Bolt's own HTTPReceiver (signature check, ssl_check,
 * url_verification, ack timeout, retry headers exactly as Bolt does them). In Socket Mode it
 * still serves health. See shared slack-platform.md §5.6 for why not slack-bolt-fastify.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { HTTPReceiver } from '@slack/bolt';
import type { Metrics } from './observability/metrics';

/** Slack's replay window, both ways: Bolt only refuses old timestamps. */
const MAX_CLOCK_SKEW_S = 5 * 60;

export interface ServerOptions {
  receiver: HTTPReceiver | null;
  metrics: Metrics;
  /** Resolves when Metaflow and Slack are reachable; rejects with a sentence otherwise. */
  ready: () => Promise<void>;
  /** Requests per minute from one address; Slack's own traffic is far below. */
  rateLimitPerMinute?: number;
  now?: () => number;
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const now = opts.now ?? Date.now;
  const server = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  await server.register(rateLimit, { max: opts.rateLimitPerMinute ?? 3000, timeWindow: '1 minute' });

  server.get('/healthz', async () => ({ ok: true }));
  server.get('/metrics', async (_request, reply) => {
    reply.type(opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  server.get('/readyz', async (_request, reply) => {
    try {
      await opts.ready();
      return { ok: true };
    } catch (err) {
      return reply.code(503).send({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });

  const receiver = opts.receiver;
  if (receiver) {
    // Its own scope, so the raw-body parser applies to Slack's route only.
    await server.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      scope.post('/slack/events', (request, reply) => {
        const ts = Number(request.headers['x-slack-request-timestamp']);
        if (Number.isFinite(ts) && ts - now() / 1000 > MAX_CLOCK_SKEW_S) {
          return reply.code(401).send();
        }
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        if (readsAsNull(request.headers['content-type'], body)) return reply.code(400).send();
        reply.hijack();
        const raw = request.raw as IncomingMessage & { rawBody?: Buffer };
        raw.rawBody = body;
        receiver.requestListener(raw, reply.raw);
        return reply;
      });
    });
  }
  return server;
}

/**
 * Whether Bolt would parse the body to `null`: it then reads a field of it outside any handler,
 * which leaves the request unanswered and ends the process with an unhandled rejection. Slack
 * never sends such a body, so it is refused before Bolt sees it. Parsed as Bolt parses it.
 */
function readsAsNull(contentType: string | undefined, body: Buffer): boolean {
  const text = body.toString('utf8');
  if (contentType === 'application/x-www-form-urlencoded') {
    const { payload } = parseQuery(text);
    return typeof payload === 'string' && isJsonNull(payload);
  }
  return isJsonNull(text);
}

/** Also true for `null` padded with what JSON does not count as space; Bolt answers those 400 itself. */
function isJsonNull(text: string): boolean {
  return text.trim() === 'null';
}
