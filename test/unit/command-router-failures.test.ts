/** How a command's failure reads: one sentence, the next thing to try, nothing internal. */
import { LogLevel, type Logger } from '@slack/bolt';
import { BackendDataError, BackendTimeoutError, BackendUnavailableError, NotFoundError } from '../../src/metaflow/errors';
import { parseRunQuery, RunQueryError } from '../../src/metaflow/runspec';
import { failureMessage, UsageError } from '../../src/slack/errors';
import { validateMessage } from '../../views/validate';
import { flatText } from '../fixtures/slack';

function recordingLogger(): Logger & { lines: { level: string; args: unknown[] }[] } {
  const lines: { level: string; args: unknown[] }[] = [];
  const at = (level: string) => (...args: unknown[]) => void lines.push({ level, args });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), setLevel() {}, getLevel: () => LogLevel.INFO, setName() {} };
}

function queryError(text: string): RunQueryError {
  try {
    parseRunQuery(text);
  } catch (err) {
    if (err instanceof RunQueryError) return err;
  }
  throw new Error(`${text} parsed`);
}

it.each([
  [queryError('HelloFlow tagged'), 'I couldn\'t read that run query. Expected a tag after "tagged"', "Queries look like `HelloFlow/42`, `latest run of HelloFlow`, `alice's HelloFlow tagged nightly`; `/metaflow how to inspect` explains them all."],
  [new NotFoundError('Flow helloflow', 'HelloFlow'), 'Flow helloflow was not found. Did you mean HelloFlow?', '`/metaflow runs` lists the flows'],
  [new BackendUnavailableError('connect ECONNREFUSED 10.0.0.7:8080'), "I can't reach Metaflow's metadata service right now.", 'Try again in a minute'],
  [new BackendTimeoutError('GET /flows/X/runs timed out after 30000 ms'), 'Metaflow took too long to answer.', 'Try again, or ask for something smaller'],
  [new UsageError('logs takes a step and, optionally, stdout or stderr.', 'For example `x`.'), 'logs takes a step and, optionally, stdout or stderr.', 'For example `x`.'],
  [Object.assign(new Error('An API error occurred: not_in_channel'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'not_in_channel' } }), "I can't post files in this conversation.", '/invite @metaflow'],
])('%s reads as one sentence and what to try next', (err, sentence, next) => {
  const logger = recordingLogger();
  const message = failureMessage(err, logger, '/metaflow');
  const text = flatText(message.blocks);
  expect(text).toContain(sentence);
  expect(text).toContain(next);
  expect(message.blocks).toHaveLength(1);
  expect(validateMessage(message)).toEqual([]);
  expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
});

it('answers anything unforeseen with a generic sentence and logs the error itself', () => {
  const logger = recordingLogger();
  const err = new BackendDataError('pickle opcode 0x99 at offset 12 in /secret/path');
  const message = failureMessage(err, logger, '/metaflow');
  const text = flatText(message.blocks);
  expect(text).toContain('Something went wrong reading Metaflow; try again in a minute.');
  expect(text).not.toContain('pickle');
  expect(text).not.toContain('/secret/path');
  expect(logger.lines).toEqual([{ level: 'error', args: ['Command failed:', err] }]);
});

it('escapes what the user typed when it is quoted back', () => {
  const message = failureMessage(new NotFoundError('Flow <!channel>'), recordingLogger(), '');
  expect(flatText(message.blocks)).toContain('Flow &lt;!channel&gt; was not found.');
});
