/** `use`: the conversation's run changed. */
import type { Run } from '../../src/metaflow/model';
import { context, section } from '../components/blocks';
import { code, command } from '../components/format';
import type { SlackMessage } from '../components/message';
import { runLine } from '../components/run';

export function nowUsingMessage(run: Run, uiUrl: string | null, prefix: string): SlackMessage {
  const next = ['status', 'params', 'data <step>', 'logs <step>', 'export'].map((c) => code(command(prefix, c))).join(', ');
  return {
    text: `This conversation now looks at ${run.pathspec}.`,
    blocks: [section(`:pushpin: This conversation now looks at ${runLine(run, uiUrl, run.pathspec)}`), context(`Next: ${next}`)],
  };
}
