/** Moved to src/playground/slack/faults.ts, which the playground serves too: edit it there. */
export * from '../../../src/playground/slack/faults';
