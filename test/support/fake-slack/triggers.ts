/** Moved to src/playground/slack/triggers.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/triggers';
