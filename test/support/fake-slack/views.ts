/** Moved to src/playground/slack/views.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/views';
