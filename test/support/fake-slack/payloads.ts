/** Moved to src/playground/slack/payloads.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/payloads';
