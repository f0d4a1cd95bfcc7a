/**
 * Block fragments every message uses, built with slack-block-builder. Each one applies the
 * per-field limit of its block, so no builder can hand Slack an over-long header or button.
 */
import { Blocks, Elements } from 'slack-block-builder';
import {
  ACTIONS_ELEMENTS_MAX,
  BUTTON_TEXT_VISIBLE,
  CONTEXT_ELEMENTS_MAX,
  HEADER_TEXT_MAX,
  SECTION_TEXT_MAX,
  TEXT_OBJECT_MAX,
  truncate,
} from '../limits';
import { built, type SlackBlock } from './message';

export interface ButtonSpec {
  text: string;
  actionId: string;
  /** From `src/slack/ids.ts` `encodeValue`, which keeps it within Slack's limit: a cut value
   *  would no longer parse, so nothing here cuts it. */
  value?: string;
  url?: string;
  primary?: boolean;
}

/** Slack refuses an empty text object; a dash says "nothing" without failing the message. */
function nonEmpty(text: string): string {
  return text === '' ? '–' : text;
}

export function section(text: string, accessory?: ButtonSpec): SlackBlock {
  const block = Blocks.Section({ text: nonEmpty(truncate(text, SECTION_TEXT_MAX)) });
  if (accessory) block.accessory(buttonElement(accessory));
  return built(block);
}

/** Plain text only: Slack shows header text as typed, so no escaping is needed. */
export function header(text: string): SlackBlock {
  return built(Blocks.Header({ text: nonEmpty(truncate(text, HEADER_TEXT_MAX)) }));
}

export function context(...texts: string[]): SlackBlock {
  const elements = texts.slice(0, CONTEXT_ELEMENTS_MAX).map((t) => nonEmpty(truncate(t, TEXT_OBJECT_MAX)));
  return built(Blocks.Context().elements(...elements));
}

export function divider(): SlackBlock {
  return built(Blocks.Divider());
}

/** A row of buttons. Callers keep action ids unique within the row (Slack rejects duplicates). */
export function actions(buttons: readonly ButtonSpec[], blockId?: string): SlackBlock {
  return row(buttons.map(buttonElement), blockId);
}

export type ElementBuilder = ReturnType<typeof Elements.Button> | ReturnType<typeof Elements.StaticSelect> | ReturnType<typeof Elements.ExternalSelect>;

/** A row of buttons and selects, at most ACTIONS_ELEMENTS_MAX of them. */
export function row(elements: readonly ElementBuilder[], blockId?: string): SlackBlock {
  return built(Blocks.Actions(blockId ? { blockId } : {}).elements(...elements.slice(0, ACTIONS_ELEMENTS_MAX)));
}

export function buttonElement(spec: ButtonSpec): ReturnType<typeof Elements.Button> {
  // Clients cut button labels near 30 characters; cutting here shows where.
  const button = Elements.Button({ text: truncate(spec.text, BUTTON_TEXT_VISIBLE), actionId: spec.actionId });
  if (spec.value !== undefined) button.value(spec.value);
  if (spec.url !== undefined) button.url(spec.url);
  if (spec.primary) button.primary();
  return button;
}
