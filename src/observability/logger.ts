/**
 * Structured JSON logs (pino). Secrets are redacted by key wherever they appear, so a token
 * that slips into a logged object still never reaches the log.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const SECRET_KEYS = ['token', 'botToken', 'appToken', 'signingSecret', 'authKey', 'authorization', 'Authorization', 'x-api-key', 'password', 'secret'];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `headers["${k}"]`]);
  return pino({ level, base: { app: 'metaflowbot' }, redact: { paths, censor: '***' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
