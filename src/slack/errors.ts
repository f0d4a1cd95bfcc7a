/**
 * Every failure a command can meet, as one sentence and the next thing to try. Nothing
 * internal reaches the user: no stack trace, no error code; what is not foreseen here is
 * logged and answered with a generic sentence.
 */
import type { Logger } from '@slack/bolt';
import { slackError } from './api-error';
import { BackendTimeoutError, BackendUnavailableError, DatastoreUnavailableError, NotFoundError } from '../metaflow/errors';
import { RunQueryError } from '../metaflow/runspec';
import { code, command } from '../../views/components/format';
import type { SlackMessage } from '../../views/components/message';
import { errorMessage } from '../../views/messages/error';

/** A command used the wrong way; `next` is mrkdwn showing the right way. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly next: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Slack refusals that mean the bot may not post here, as the Web API reports them. */
const NOT_HERE = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);

export function failureMessage(err: unknown, logger: Logger, prefix: string): SlackMessage {
  if (err instanceof UsageError) return errorMessage(err.message, err.next);
  if (err instanceof RunQueryError) {
    const forms = ['HelloFlow/42', 'latest run of HelloFlow', "alice's HelloFlow tagged nightly"].map((q) => code(q)).join(', ');
    return errorMessage(`I couldn't read that run query. ${err.message}`, `Queries look like ${forms}; ${code(command(prefix, 'how to inspect'))} explains them all.`);
  }
  if (err instanceof NotFoundError) {
    return errorMessage(err.message, `${code(command(prefix, 'runs'))} lists the flows and their runs.`);
  }
  if (err instanceof DatastoreUnavailableError) {
    logger.warn(`Metaflow datastore unavailable: ${err.message}`);
    return errorMessage("I can't reach Metaflow's datastore (S3) right now.", 'Try again in a minute; if it keeps failing, tell whoever runs this bot.');
  }
  if (err instanceof BackendUnavailableError) {
    logger.warn(`Metaflow backend unavailable: ${err.message}`);
    return errorMessage("I can't reach Metaflow's metadata service right now.", 'Try again in a minute; if it keeps failing, tell whoever runs this bot.');
  }
  if (err instanceof BackendTimeoutError) {
    logger.warn(`Metaflow backend timed out: ${err.message}`);
    return errorMessage('Metaflow took too long to answer.', 'Try again, or ask for something smaller, such as one run or one step.');
  }
  const slack = slackError(err);
  if (slack !== null && NOT_HERE.has(slack)) {
    return errorMessage("I can't post files in this conversation.", `Invite me with ${code('/invite @metaflow')}, or ask me in a direct message.`);
  }
  logger.error('Command failed:', err);
  return errorMessage('Something went wrong reading Metaflow; try again in a minute.', 'If it keeps happening, tell whoever runs this bot.');
}
