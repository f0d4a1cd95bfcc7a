/** Moved to src/playground/slack/results.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/results';
