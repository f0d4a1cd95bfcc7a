/** How Metaflow values read inside mrkdwn: escaped, dated in each reader's time zone, counted. */
import { escapeMrkdwn, truncate } from '../limits';

/** `1h 5m`: two units are enough to compare runs at a glance. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Slack renders the token in the reader's own time zone; the fallback (old clients,
 *  notifications) is UTC. */
export function slackDate(ms: number): string {
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** A value as inline code. A backtick inside would end the code span early, so such values
 *  are shown as escaped plain text instead. */
export function code(value: string, max = 200): string {
  const cut = truncate(value.replace(/\s+/g, ' '), max);
  return cut.includes('`') ? escapeMrkdwn(cut) : `\`${escapeMrkdwn(cut)}\``;
}

/** A command as the user types it here: `/metaflow logs start`, or `logs start` in a DM. */
export function command(prefix: string, words: string): string {
  return prefix ? `${prefix} ${words}` : words;
}
