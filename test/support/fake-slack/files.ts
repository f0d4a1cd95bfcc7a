/** Moved to src/playground/slack/files.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/files';
