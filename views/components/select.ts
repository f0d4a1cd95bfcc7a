/** Select menus and their options, within Slack's limits (100 options, 75-character option
 *  text, 150-character values). */
import { Bits, Elements } from 'slack-block-builder';
import { OPTION_TEXT_MAX, OPTION_VALUE_MAX, PLACEHOLDER_MAX, SELECT_OPTIONS_MAX, truncate } from '../limits';

export interface Choice {
  /** Plain text: shown as typed. */
  text: string;
  value: string;
}

/** An option, or null when its value would be too long to send (a cut value would name
 *  something else, so such an option is left out). */
export function choice(text: string, value: string): Choice | null {
  if (value === '' || value.length > OPTION_VALUE_MAX) return null;
  return { text: truncate(text === '' ? '–' : text, OPTION_TEXT_MAX), value };
}

export function present(choices: readonly (Choice | null)[]): Choice[] {
  return choices.filter((c): c is Choice => c !== null);
}

function optionBits(c: Choice): ReturnType<typeof Bits.Option> {
  return Bits.Option({ text: c.text, value: c.value });
}

/** A static select, or null with nothing to choose (Slack refuses an empty one). `initial`
 *  must be one of `choices`, the same object or an equal one. */
export function staticSelect(actionId: string, placeholder: string, choices: readonly Choice[], initial?: Choice | null): ReturnType<typeof Elements.StaticSelect> | null {
  const shown = choices.slice(0, SELECT_OPTIONS_MAX);
  if (shown.length === 0) return null;
  const select = Elements.StaticSelect({ actionId, placeholder: truncate(placeholder, PLACEHOLDER_MAX) }).options(...shown.map(optionBits));
  const listed = initial ? shown.find((c) => c.value === initial.value) : undefined;
  if (listed) select.initialOption(optionBits(listed));
  return select;
}

/** Options come from the bot as the user types (`app.options`); 0 characters already ask. */
export function externalSelect(actionId: string, placeholder: string, initial?: Choice | null): ReturnType<typeof Elements.ExternalSelect> {
  const select = Elements.ExternalSelect({ actionId, placeholder: truncate(placeholder, PLACEHOLDER_MAX), minQueryLength: 0 });
  if (initial) select.initialOption(optionBits(initial));
  return select;
}

/** Options as `ack({ options })` sends them: the same JSON as inside a select. */
export function plainOptions(choices: readonly Choice[]): { text: { type: 'plain_text'; text: string }; value: string }[] {
  return choices.slice(0, SELECT_OPTIONS_MAX).map((c) => ({ text: { type: 'plain_text', text: c.text }, value: c.value }));
}

/** Type-ahead over names: those starting with what was typed first, then those containing it,
 *  each group in the given order; case does not matter. */
export function matchingChoices(names: readonly string[], typed: string): Choice[] {
  const needle = typed.trim().toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const name of names) {
    const folded = name.toLowerCase();
    if (folded.startsWith(needle)) starts.push(name);
    else if (folded.includes(needle)) contains.push(name);
  }
  return present([...starts, ...contains].map((name) => choice(name, name))).slice(0, SELECT_OPTIONS_MAX);
}
