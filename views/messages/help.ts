/** Help, the "which run?" answer of commands that need one, and the fallback for text the bot
 *  does not understand. */
import { helpTopicActionId } from '../../src/slack/ids';
import { escapeMrkdwn, truncate } from '../limits';
import { actions, context, header, section } from '../components/blocks';
import { code, command } from '../components/format';
import type { SlackMessage } from '../components/message';
import { HELP, QUERY_USAGE, TOPIC_BUTTONS, type HelpTopic, type Usage } from '../help';

function usageLines(usage: readonly Usage[], prefix: string | null): string {
  return usage.map((u) => `• \`${escapeMrkdwn(prefix === null ? u.words : command(prefix, u.words))}\` ${u.what}`).join('\n');
}

function querySection(): string {
  return `*Run queries*\n${usageLines(QUERY_USAGE, null)}`;
}

/** `prefix`: how commands are typed where the answer appears (`/metaflow`, `@metaflow`, or
 *  empty in a direct message). */
export function helpMessage(topic: HelpTopic, prefix: string): SlackMessage {
  const t = HELP[topic];
  const blocks = [header(t.title), section(t.intro), section(usageLines(t.usage, topic === 'query' ? null : prefix))];
  if (topic === 'inspect') blocks.push(section(querySection()));
  if (t.notes.length > 0) blocks.push(context(...t.notes));
  if (topic === 'overview') {
    blocks.push(actions(TOPIC_BUTTONS.map((name) => ({ text: name, actionId: helpTopicActionId(name) }))));
  }
  return { text: `${t.title}: ${t.intro}`, blocks };
}

/** A command that needs a run, asked where no run was chosen yet. */
export function needRunMessage(topic: HelpTopic, prefix: string): SlackMessage {
  const t = HELP[topic];
  const intro =
    `This conversation has no run yet. Choose one with ${code(command(prefix, 'use HelloFlow/42'))} ` +
    `or ${code(command(prefix, 'use latest run of HelloFlow'))}, or name it in the command.`;
  return {
    text: 'This conversation has no run yet.',
    blocks: [section(intro), section(`*${t.title}*\n${usageLines(t.usage, prefix)}`), section(querySection())],
  };
}

/** The generic fallback: what was not understood, the closest command, and the overview. */
export function unknownCommandMessage(text: string, suggestion: string | null, prefix: string): SlackMessage {
  const said = escapeMrkdwn(truncate(text.trim(), 200));
  const guess = suggestion ? ` Did you mean ${code(command(prefix, suggestion))}?` : '';
  const first = `Sorry, I don't understand “${said}”.${guess}`;
  const overview = helpMessage('overview', prefix);
  return { text: `Sorry, I don't understand that.${guess}`, blocks: [section(first), ...overview.blocks.slice(1)] };
}

/** `help <something>` where the something is no topic. */
export function unknownTopicMessage(text: string, prefix: string): SlackMessage {
  const overview = helpMessage('overview', prefix);
  const first = `I have no help on “${escapeMrkdwn(truncate(text.trim(), 100))}”; here is what I can do.`;
  return { text: overview.text, blocks: [section(first), ...overview.blocks] };
}
