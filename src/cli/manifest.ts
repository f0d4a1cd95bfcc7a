/** `metaflowbot manifest [--http URL]`: the Slack app manifest, for Socket Mode or HTTP. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../config';

/** manifest.yml sits at the package root: two folders up from src/cli, three from dist/src/cli. */
function manifestPath(): string {
  for (const up of [['..', '..'], ['..', '..', '..']]) {
    const candidate = join(__dirname, ...up, 'manifest.yml');
    try {
      readFileSync(candidate);
      return candidate;
    } catch {
      // not at this level; try the next
    }
  }
  throw new Error('manifest.yml is missing from the installation');
}

/** The events URL for HTTP mode: the same path serves commands, interactivity and options. */
export function eventsUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new ConfigError(`--http needs the bot's public https:// URL, such as https://bot.example.com; got ${JSON.stringify(base)}`);
  }
  if (url.protocol !== 'https:') throw new ConfigError(`--http needs an https:// URL (Slack only calls HTTPS request URLs); got ${JSON.stringify(base)}`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/slack/events';
  return url.toString();
}

export function manifestText(opts: { http?: string | null; unfurlDomain?: string | null } = {}): string {
  const doc = parseDocument(readFileSync(manifestPath(), 'utf8'));
  if (opts.unfurlDomain) doc.setIn(['features', 'unfurl_domains'], [opts.unfurlDomain]);
  if (opts.http) {
    const url = eventsUrl(opts.http);
    doc.setIn(['features', 'slash_commands', 0, 'url'], url);
    doc.setIn(['settings', 'event_subscriptions', 'request_url'], url);
    doc.setIn(['settings', 'interactivity', 'request_url'], url);
    doc.setIn(['settings', 'interactivity', 'message_menu_options_url'], url);
    doc.setIn(['settings', 'socket_mode_enabled'], false);
  }
  return doc.toString();
}
