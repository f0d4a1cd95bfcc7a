/**
 * A block_suggestion answer, checked with the rules of a static select's options: they are the
 * same objects, so an option Slack's client would refuse in a select fails here too.
 */
import { validateBlocks } from '../../views/validate';
import type { Params } from './slack/http';

const SELECT_PATH = '/blocks/0/elements/0';

export function optionViolations(body: Params): string[] {
  const { options, option_groups: groups } = body;
  if (options === undefined && groups === undefined) return ['missing required field: options or option_groups'];
  // No match is a fine answer, though a select may not be built with no options.
  if (Array.isArray(options) && options.length === 0 && groups === undefined) return [];
  const select = {
    type: 'static_select',
    action_id: 'suggested',
    placeholder: { type: 'plain_text', text: 'Select' },
    ...(options === undefined ? {} : { options }),
    ...(groups === undefined ? {} : { option_groups: groups }),
  };
  return validateBlocks([{ type: 'actions', elements: [select] }], 'modal').map((v) => `${v.message} [json-pointer:${v.path.replace(SELECT_PATH, '') || '/'}]`);
}
