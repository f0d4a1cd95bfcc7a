/** Moved to src/playground/slack/directory.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/directory';
