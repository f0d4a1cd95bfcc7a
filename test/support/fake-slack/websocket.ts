/**
 * The server half of RFC 6455, just enough for a Socket Mode fake: the opening handshake, text
 * frames both ways (fragmented ones too), ping → pong, and the close handshake. No extensions,
 * no subprotocols. It exists because `@slack/socket-mode` 3 connects with undici's WebSocket
 * client and nothing in the tree provides a WebSocket server (`ws` is not installed).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const Op = { Text: 0x1, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;
type Op = number;
/** How long a closing peer gets to answer our close frame before the socket is dropped. */
const CLOSE_GRACE_MS = 1000;

function frame(op: Op, payload: Buffer): Buffer {
  const length = payload.length;
  const head =
    length < 126
      ? Buffer.from([0x80 | op, length])
      : length < 0x10000
        ? Buffer.from([0x80 | op, 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x80 | op, 127]), bigLength(length)]);
  return Buffer.concat([head, payload]);
}

function bigLength(length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(length));
  return b;
}

interface Frame {
  fin: boolean;
  op: Op;
  payload: Buffer;
  size: number;
}

/** The first complete frame in `buf`, or undefined when more bytes are needed. */
function parseFrame(buf: Buffer): Frame | undefined {
  if (buf.length < 2) return undefined;
  const fin = (buf[0] & 0x80) !== 0;
  const op = (buf[0] & 0x0f) as Op;
  const masked = (buf[1] & 0x80) !== 0;
  let length = buf[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buf.length < 4) return undefined;
    length = buf.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buf.length < 10) return undefined;
    length = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buf.length < offset + length) return undefined;
  const payload = Buffer.from(buf.subarray(offset, offset + length));
  if (masked) {
    for (let i = 0; i < payload.length; i += 1) payload[i] ^= buf[maskOffset + (i % 4)];
  }
  return { fin, op, payload, size: offset + length };
}

/**
 * One accepted connection. Events: `message` (text: string), `close` (code: number, reason:
 * string) once the connection is gone, whichever side ended it.
 */
export class WsConnection extends EventEmitter {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closeSent = false;
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish(1006, 'connection lost'));
    socket.on('error', () => socket.destroy());
  }

  get open(): boolean {
    return !this.closed && !this.closeSent;
  }

  sendText(text: string): void {
    if (this.open) this.socket.write(frame(Op.Text, Buffer.from(text, 'utf8')));
  }

  /** Starts the close handshake; the socket ends when the peer answers or after a grace period. */
  close(code = 1000, reason = ''): void {
    if (!this.open) return;
    this.closeSent = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.write(frame(Op.Close, payload));
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** Drops the TCP connection without a close frame, like a network failure. */
  terminate(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (let f = parseFrame(this.buffer); f; f = parseFrame(this.buffer)) {
      this.buffer = this.buffer.subarray(f.size);
      this.handle(f);
    }
  }

  private handle(f: Frame): void {
    switch (f.op) {
      case Op.Ping:
        if (this.open) this.socket.write(frame(Op.Pong, f.payload));
        return;
      case Op.Pong:
        return;
      case Op.Close: {
        const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        const reason = f.payload.subarray(2).toString('utf8');
        if (!this.closeSent) this.socket.write(frame(Op.Close, f.payload.subarray(0, 2)));
        this.closeSent = true;
        this.socket.end();
        this.finish(code, reason);
        return;
      }
      default:
        this.fragments.push(f.payload);
        if (!f.fin) return;
        // Binary messages are not part of Socket Mode; they are read as text like any other.
        this.emit('message', Buffer.concat(this.fragments).toString('utf8'));
        this.fragments = [];
    }
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', code, reason);
  }
}

/** Completes the opening handshake of an HTTP upgrade request, or answers 400 and returns
 *  undefined when it is not a WebSocket request. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WsConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  const isWebSocket = String(req.headers.upgrade).toLowerCase() === 'websocket';
  if (!isWebSocket || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
    rejectUpgrade(socket, 400, 'Bad Request');
    return undefined;
  }
  const accept = createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\n' +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new WsConnection(socket);
}

export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
