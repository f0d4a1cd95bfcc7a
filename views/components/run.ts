/** How a run is named in a message: a link to the Metaflow UI when one is configured, and a
 *  one-line summary for lists. */
import { Blocks } from 'slack-block-builder';
import type { Run } from '../../src/metaflow/model';
import { BUTTON_URL_MAX, escapeMrkdwn, SECTION_FIELD_TEXT_MAX, truncate } from '../limits';
import { code, formatDuration, slackDate } from './format';
import { built, type SlackBlock } from './message';
import { statusEmoji, statusLabel } from './status';

/** The run's page in the Metaflow UI (`<ui>/<Flow>/<run>`), or null without a UI or when the
 *  URL would be too long for a button. */
export function uiRunUrl(uiUrl: string | null, flow: string, run: string): string | null {
  if (!uiUrl) return null;
  const url = `${uiUrl.replace(/\/+$/, '')}/${encodeURIComponent(flow)}/${encodeURIComponent(run)}`;
  return url.length <= BUTTON_URL_MAX ? url : null;
}

/** `label` linked to the run's UI page, or bold without a UI. */
export function runLink(run: Pick<Run, 'flow' | 'id'>, label: string, uiUrl: string | null): string {
  const url = uiRunUrl(uiUrl, run.flow, run.id);
  return url ? `<${url}|${escapeMrkdwn(label)}>` : `*${escapeMrkdwn(label)}*`;
}

/** `✅ 1795835881413377 · alice · <date> · 12s · nightly` */
export function runLine(run: Run, uiUrl: string | null, label = run.id): string {
  const parts = [`${statusEmoji(run.status)} ${runLink(run, label, uiUrl)}`, escapeMrkdwn(run.user ?? 'unknown user'), slackDate(run.createdAt)];
  parts.push(run.status === 'running' ? `running for ${formatDuration(run.durationMs)}` : formatDuration(run.durationMs));
  if (run.tags.length > 0) parts.push(run.tags.slice(0, 5).map((t) => code(t, 40)).join(' ') + (run.tags.length > 5 ? ' …' : ''));
  return parts.join('  ·  ');
}

/** Status, user, start, end (or how long it has run) and tags, as section fields. */
export function runFields(run: Run): SlackBlock {
  const fields = [
    `*Status*\n${statusLabel(run.status)}`,
    `*User*\n${escapeMrkdwn(run.user ?? 'unknown')}`,
    `*Started*\n${slackDate(run.createdAt)}`,
    run.finishedAt !== null
      ? `*Finished*\n${slackDate(run.finishedAt)} (${formatDuration(run.durationMs)})`
      : `*${run.status === 'running' ? 'Running for' : 'Last seen'}*\n${run.status === 'running' ? formatDuration(run.durationMs) : slackDate(run.lastSeenAt)}`,
  ];
  if (run.tags.length > 0) fields.push(`*Tags*\n${run.tags.map((t) => code(t, 60)).join(' ')}`);
  return built(Blocks.Section().fields(...fields.map((f) => truncate(f, SECTION_FIELD_TEXT_MAX))));
}
