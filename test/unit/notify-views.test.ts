/** The notification and subscription messages, checked the way Slack checks them. */
import type { FailureDetails, RunSnapshot } from '../../src/notify/payload';
import type { Subscription, Transition } from '../../src/state/store';
import type { SlackMessage } from '../../views/components/message';
import { subscribedMessage, subscriptionsMessage, unsubscribedMessage } from '../../views/messages/subscriptions';
import { runCard, runNotice, threadNotice, type NoticeInput } from '../../views/notifications/run';
import { validateMessage } from '../../views/validate';
import { buttons, flatText } from '../fixtures/slack';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const UI = 'https://metaflow-ui.example.com';

function snapshot(over: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    pathspec: 'HelloFlow/42',
    flow: 'HelloFlow',
    id: '42',
    user: 'alice',
    tags: ['nightly'],
    systemTags: ['user:alice'],
    createdAt: T0,
    finishedAt: null,
    durationMs: 5000,
    status: 'running',
    lastSeenAt: T0 + 5000,
    ...over,
  };
}

const FAILURE: FailureDetails = {
  step: 'train',
  task: '7',
  attempt: 1,
  exception: { type: 'builtins.ValueError', message: 'boom: bad input' },
  stderr: ['Traceback (most recent call last):', '  File "flow.py", line 9, in train', 'ValueError: boom: bad input', 'Task failed.'],
};

function input(transition: Transition, over: Partial<NoticeInput> = {}): NoticeInput {
  const status = transition === 'started' ? 'running' : transition;
  const run = snapshot({ status, finishedAt: status === 'failed' || status === 'successful' ? T0 + 65_000 : null, durationMs: 65_000 });
  return { transition, run, failure: transition === 'failed' ? FAILURE : null, uiUrl: UI, lostAfterMs: 6 * 60 * 1000, ...over };
}

function expectSendable(message: SlackMessage): void {
  expect(validateMessage(message)).toEqual([]);
  expect(message.text.length).toBeGreaterThan(0);
}

describe('run notifications', () => {
  it.each(['started', 'failed', 'successful', 'lost'] as const)('%s: card, edited card and thread notice are sendable', (transition) => {
    for (const build of [runNotice, runCard, threadNotice]) expectSendable(build(input(transition)));
  });

  it('a failure notice names step, task and attempt, the exception and the end of stderr, with Inspect and UI buttons', () => {
    const message = runNotice(input('failed'));
    const text = flatText(message.blocks);
    expect(text).toContain(`:x: <${UI}/HelloFlow/42|HelloFlow/42> failed in step \`train\`, task \`7\`, attempt 2 with \`ValueError\``);
    expect(text).toContain('ValueError: boom: bad input');
    expect(text).toContain('  File "flow.py", line 9, in train\nValueError: boom: bad input\nTask failed.');
    expect(message.text).toBe('HelloFlow/42 failed: ValueError: boom: bad input');
    const [inspect, ui] = buttons(message.blocks);
    expect(inspect).toMatchObject({ action_id: 'inspect_run', text: 'Inspect', value: JSON.stringify({ flow: 'HelloFlow', run: '42' }) });
    expect(ui).toMatchObject({ action_id: 'open_in_ui', url: `${UI}/HelloFlow/42` });
  });

  it('the edited card stays short: the thread has the details', () => {
    const card = flatText(runCard(input('failed')).blocks);
    expect(card).toContain('failed in step `train`');
    expect(card).not.toContain('Task failed.');
    const thread = threadNotice(input('failed'));
    expect(flatText(thread.blocks)).toContain('Task failed.');
    expect(buttons(thread.blocks).map((b) => b.action_id)).toEqual(['inspect_run', 'open_in_ui']);
    expect(flatText(threadNotice(input('successful')).blocks)).toContain(':white_check_mark: Finished successfully');
    expect(buttons(threadNotice(input('started')).blocks)).toEqual([]);
  });

  it('without a UI there is no UI button, and without details the failure still reads', () => {
    const message = runNotice(input('failed', { uiUrl: null, failure: null }));
    expectSendable(message);
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(['inspect_run']);
    expect(flatText(message.blocks)).toContain('*HelloFlow/42* failed');
  });

  it('says how long a lost run was silent', () => {
    expect(flatText(threadNotice(input('lost')).blocks)).toContain('(over 6m 0s) and not finished');
  });

  it('stays within Slack’s limits with hostile and huge text', () => {
    const hostile = '<!here> ``` & *bold* <https://evil.example|click>';
    const failure: FailureDetails = {
      step: 's'.repeat(300),
      task: 't'.repeat(300),
      attempt: 5,
      exception: { type: `pkg.${'X'.repeat(500)}Error`, message: `${hostile}\n`.repeat(2000) },
      stderr: Array.from({ length: 10 }, (_, i) => `${hostile} line ${i} ${'x'.repeat(480)}`),
    };
    const run = snapshot({ status: 'failed', tags: Array.from({ length: 50 }, (_, i) => `${hostile}${i}`), user: hostile, pathspec: `${'F'.repeat(200)}/42`, flow: 'F'.repeat(200) });
    for (const build of [runNotice, runCard, threadNotice]) {
      const message = build({ transition: 'failed', run, failure, uiUrl: UI, lostAfterMs: 1000 });
      expectSendable(message);
      expect(message.text).not.toContain('<!here>');
      expect(flatText(message.blocks)).not.toContain('<!here>');
    }
  });
});

describe('subscription answers', () => {
  const sub: Subscription = { id: 's1', channel: 'C1', flow: 'HelloFlow', events: ['lost', 'failed'], createdBy: 'U0ALICE001', createdAt: T0 };

  it('says what the channel hears, that the events are the defaults, and how to invite the bot', () => {
    const message = subscribedMessage({ sub, defaulted: true, replaced: false, inviteHint: true, prefix: '/metaflow' });
    expectSendable(message);
    const text = flatText(message.blocks);
    expect(text).toContain(':bell: This channel now hears about *HelloFlow* runs: failed, lost.');
    expect(text).toContain('failed, lost are the default events; choose others with `/metaflow watch HelloFlow on started,failed,successful,lost`.');
    expect(text).toContain('`/invite @metaflow`');
  });

  it('shows filters and a replaced subscription', () => {
    const message = subscribedMessage({ sub: { ...sub, events: ['started'], user: 'bob', tag: 'nightly', project: 'fraud' }, defaulted: false, replaced: true, inviteHint: false, prefix: '@metaflow' });
    const text = flatText(message.blocks);
    expect(text).toContain('runs: started  ·  runs by `bob`  ·  tagged `nightly`  ·  project `fraud`. (This replaces the subscription with the same filters.)');
    expect(text).not.toContain('default events');
    expect(text).not.toContain('/invite');
  });

  it('unwatch: removed, or not watched with a suggestion', () => {
    expect(flatText(unsubscribedMessage({ flow: 'HelloFlow', removed: 2, watched: [], suggestion: null, prefix: '/metaflow' }).blocks)).toContain(
      ':no_bell: This channel no longer hears about *HelloFlow* runs (its 2 subscriptions removed).',
    );
    const none = flatText(unsubscribedMessage({ flow: 'HeloFlow', removed: 0, watched: ['HelloFlow', 'FailFlow'], suggestion: 'HelloFlow', prefix: '/metaflow' }).blocks);
    expect(none).toContain('This channel does not watch *HeloFlow*. Did you mean `/metaflow unwatch HelloFlow`?\nIt watches *HelloFlow*, *FailFlow*.');
  });

  it('watching: none, one, and more than fit', () => {
    expect(flatText(subscriptionsMessage([], '/metaflow').blocks)).toContain('This channel watches no flows.');
    const one = flatText(subscriptionsMessage([sub], '/metaflow').blocks);
    expect(one).toContain('• *HelloFlow*: failed, lost  ·  since <!date^');
    expect(one).toContain('by <@U0ALICE001>');
    const many = Array.from({ length: 2000 }, (_, i) => ({ ...sub, id: `s${i}`, flow: `Flow${i}`, tag: 'x'.repeat(90) }));
    const message = subscriptionsMessage(many, '/metaflow');
    expectSendable(message);
    expect(flatText(message.blocks)).toMatch(/… and [\d,]+ more/);
  });
});
