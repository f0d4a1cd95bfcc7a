/** "Inspect a run…": a run query to type; submitting shows the run (or says what is wrong with
 *  the query under the input). */
import type { ModalView } from '@slack/types';
import { Blocks, Elements } from 'slack-block-builder';
import { ACTION, BLOCK, CALLBACK } from '../../src/slack/ids';
import { context } from '../components/blocks';
import { code } from '../components/format';
import { built } from '../components/message';
import { modal, type Frame } from '../components/modal';

/** Longer than any query a person types; a UI link with a long flow name still fits. */
export const QUERY_MAX = 500;

/** `lastUsed`: the run the user last chose with `use`, to start from. */
export function inspectQueryView(frame: Frame, lastUsed: string | null = null): ModalView {
  const text = Elements.TextInput({ actionId: ACTION.inspectQueryInput, placeholder: 'A run, step or task', maxLength: QUERY_MAX }).focusOnLoad();
  const input = Blocks.Input({ label: 'Run', blockId: BLOCK.inspectQuery }).element(
    lastUsed !== null && lastUsed.length <= QUERY_MAX ? text.initialValue(lastUsed) : text,
  );
  const examples = ['HelloFlow/42', 'latest run of HelloFlow', "alice's HelloFlow tagged nightly", 'HelloFlow/42/train/7'];
  return modal({
    title: 'Inspect a run',
    callbackId: CALLBACK.inspect,
    submit: 'Inspect',
    metadata: frame.metadata,
    pushed: frame.pushed,
    blocks: [
      built(input),
      context(`For example ${examples.map((e) => code(e)).join(', ')}, or a link to the Metaflow UI.`),
    ],
  });
}
