/** Moved to src/playground/slack/info.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/info';
