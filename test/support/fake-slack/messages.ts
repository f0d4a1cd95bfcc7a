/** Moved to src/playground/slack/messages.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/messages';
