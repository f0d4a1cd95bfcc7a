/** Moved to src/playground/slack/response-urls.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/response-urls';
