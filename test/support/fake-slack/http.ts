/** Moved to src/playground/slack/http.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/http';
