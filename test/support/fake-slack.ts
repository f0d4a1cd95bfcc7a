/** Moved to src/playground/slack/api.ts, which the playground serves too: edit it there. */
export * from '../../src/playground/slack/api';
