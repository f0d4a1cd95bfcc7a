/** Moved to src/playground/slack/signed.ts, which the playground uses too: edit it there. */
export * from '../../src/playground/slack/signed';
