/**
 * A fake of Slack's Socket Mode endpoint on 127.0.0.1 (random port).
 *
 *   const socket = await startFakeSocketMode();
 *   const slack = await startFakeSlack({ socketMode: socket });   // apps.connections.open → socket
 *   // start the app in Socket Mode with appToken 'xapp-test' and slackApiUrl = slack.url
 *   await socket.waitForConnections(1);
 *   const ack = await socket.send('slash_commands', slashCommandFields('runs'));
 *   ack.payload                                                   // what the app acked with
 *   socket.disconnect('refresh_requested');                       // the client should reconnect
 *
 * Like Slack: a URL from `mintConnectionUrl` (what apps.connections.open returns) is good for
 * one connection; the first frame is `hello`; envelopes are
 * `{envelope_id, type, payload, accepts_response_payload[, retry_attempt, retry_reason]}`;
 * acks are `{envelope_id, payload?}`; pings are answered. The app token is checked by the fake
 * Web API when it hands out the URL, not here (Slack's ticket is the credential).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_BOT } from './fake-slack/directory';
import { acceptWebSocket, rejectUpgrade, type WsConnection } from './fake-slack/websocket';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';
export type DisconnectReason = 'refresh_requested' | 'warning' | 'link_disabled';

export interface SocketModeAck {
  envelope_id: string;
  payload?: unknown;
  /** ms after the envelope was sent. */
  elapsedMs: number;
}

export interface SendOptions {
  /** Default true except for events_api, as Slack sends them. */
  acceptsResponsePayload?: boolean;
  /** events_api redeliveries. */
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for the ack; default 3000 ms, Slack's deadline. */
  timeoutMs?: number;
}

export interface FakeSocketMode {
  /** Base ws:// URL of the server; connect through `mintConnectionUrl()`. */
  readonly url: string;
  /** A single-use connection URL, as apps.connections.open returns. */
  mintConnectionUrl(): string;
  /** Connections open now. */
  readonly openConnections: number;
  /** Connections that ever completed the handshake. */
  readonly totalConnections: number;
  /** Every frame the clients sent, parsed when it was JSON. */
  readonly received: readonly unknown[];
  /** Resolves once `total` connections have been opened in all and one of them is open. */
  waitForConnections(total: number, timeoutMs?: number): Promise<void>;
  /** Sends an envelope on the newest open connection and resolves with its ack. */
  send(type: EnvelopeType, payload: unknown, options?: SendOptions): Promise<SocketModeAck>;
  /** Asks every open connection to go away, as Slack does when it recycles a server. */
  disconnect(reason?: DisconnectReason): void;
  /** Drops every connection without a close frame (a network failure). */
  dropConnections(): void;
  /** Closes connections with a close frame (stop clients first, or they reconnect) and the server. */
  close(): Promise<void>;
}

export interface FakeSocketModeOptions {
  appId?: string;
}

const POLL_MS = 10;

export async function startFakeSocketMode(options: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const appId = options.appId ?? FAKE_BOT.appId;
  const tickets = new Set<string>();
  const connections: WsConnection[] = [];
  const received: unknown[] = [];
  const waiting = new Map<string, (ack: Omit<SocketModeAck, 'elapsedMs'>) => void>();
  let totalConnections = 0;

  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only');
  });

  server.on('upgrade', (req, socket) => {
    const url = new URL(req.url ?? '/', 'ws://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) return rejectUpgrade(socket, 401, 'Unauthorized');
    const conn = acceptWebSocket(req, socket);
    if (!conn) return;
    connections.push(conn);
    totalConnections += 1;
    conn.on('message', (text: string) => onFrame(text));
    conn.on('close', () => {
      const at = connections.indexOf(conn);
      if (at >= 0) connections.splice(at, 1);
    });
    conn.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: connections.length,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
  });

  function onFrame(text: string): void {
    let frame: unknown = text;
    try {
      frame = JSON.parse(text);
    } catch {
      // A garbage frame is recorded as it came; Slack would ignore it too.
    }
    received.push(frame);
    if (typeof frame !== 'object' || frame === null || !('envelope_id' in frame)) return;
    const ack = frame as { envelope_id: string; payload?: unknown };
    waiting.get(ack.envelope_id)?.(ack);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${base}/link/`,
    mintConnectionUrl() {
      const ticket = randomUUID();
      tickets.add(ticket);
      return `${base}/link/?ticket=${ticket}&app_id=${appId}`;
    },
    get openConnections() {
      return connections.filter((c) => c.open).length;
    },
    get totalConnections() {
      return totalConnections;
    },
    received,
    async waitForConnections(total, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!(totalConnections >= total && connections.some((c) => c.open))) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${total} Socket Mode connections within ${timeoutMs} ms, saw ${totalConnections}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
    send(type, payload, opts = {}) {
      const conn = [...connections].reverse().find((c) => c.open);
      if (!conn) return Promise.reject(new Error('no open Socket Mode connection'));
      const envelopeId = randomUUID();
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: opts.acceptsResponsePayload ?? type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? '' } : {}),
      };
      const timeoutMs = opts.timeoutMs ?? 3000;
      const sentAt = performance.now();
      return new Promise<SocketModeAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(envelopeId);
          reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(envelopeId, (ack) => {
          clearTimeout(timer);
          waiting.delete(envelopeId);
          resolve({ ...ack, elapsedMs: performance.now() - sentAt });
        });
        conn.sendText(JSON.stringify(envelope));
      });
    },
    disconnect(reason = 'refresh_requested') {
      const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } });
      for (const conn of connections) conn.sendText(message);
    },
    dropConnections() {
      for (const conn of [...connections]) conn.terminate();
    },
    async close() {
      const closing = connections.map((conn) => new Promise((resolve) => conn.once('close', resolve)));
      for (const conn of connections) conn.close(1001, 'going away');
      await Promise.all(closing);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
