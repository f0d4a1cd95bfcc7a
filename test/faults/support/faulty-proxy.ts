/**
 * A TCP proxy on 127.0.0.1 in front of a backend (the metadata service, S3), which fails on
 * demand the way networks do:
 *
 *   const proxy = await startFaultyProxy(s3.endpoint);    // point the client at proxy.url
 *   await proxy.down();   // nothing listens: connecting is refused (ECONNREFUSED)
 *   await proxy.up();     // the same port again
 *   proxy.stall(1);       // the next request is swallowed: no answer, the connection stays open
 *   proxy.stall(Infinity);
 *   proxy.pass();         // stalls end for new requests
 *
 * It works below HTTP, so keep-alive connections the client already holds fail too: a request
 * is the first bytes a connection sends after its previous answer.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FaultyProxy {
  readonly url: string;
  readonly port: number;
  /** Requests forwarded, and requests swallowed. */
  readonly counts: { forwarded: number; stalled: number };
  down(): Promise<void>;
  up(): Promise<void>;
  stall(times: number): void;
  pass(): void;
  close(): Promise<void>;
}

export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const { hostname, port: targetPort } = new URL(target);
  const sockets = new Set<Socket>();
  const counts = { forwarded: 0, stalled: 0 };
  let stallsLeft = 0;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const onConnection = (client: Socket): void => {
    track(client);
    const upstream = connect({ host: hostname, port: Number(targetPort) });
    track(upstream);
    let stalled = false;
    let awaitingRequest = true;
    client.on('data', (chunk: Buffer) => {
      if (awaitingRequest && stallsLeft > 0) {
        stallsLeft -= 1;
        stalled = true;
        counts.stalled += 1;
      }
      if (awaitingRequest && !stalled) counts.forwarded += 1;
      awaitingRequest = false;
      if (!stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      awaitingRequest = true;
      client.write(chunk);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };

  let server: Server = createServer(onConnection);
  await listen(server, 0);
  const port = (server.address() as { port: number }).port;

  const closeServer = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    down: closeServer,
    async up() {
      server = createServer(onConnection);
      await listen(server, port);
    },
    stall(times) {
      stallsLeft = times;
    },
    pass() {
      stallsLeft = 0;
    },
    async close() {
      if (server.listening) await closeServer();
      for (const socket of sockets) socket.destroy();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
