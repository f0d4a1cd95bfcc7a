import { route } from '../../src/slack/commands/router';
import { parseWatch } from '../../src/slack/commands/watch';
import { UsageError } from '../../src/slack/errors';
import { helpTopicFor } from '../../views/help';

describe('parseWatch', () => {
  it.each([
    ['HelloFlow', { flow: 'HelloFlow', events: null }],
    ['HelloFlow on failed', { flow: 'HelloFlow', events: ['failed'] }],
    ['HelloFlow on started,failed,successful,lost', { flow: 'HelloFlow', events: ['started', 'failed', 'successful', 'lost'] }],
    ['HelloFlow ON failed, lost', { flow: 'HelloFlow', events: ['failed', 'lost'] }],
    ['HelloFlow on all', { flow: 'HelloFlow', events: ['started', 'failed', 'successful', 'lost'] }],
    ['HelloFlow on failures success', { flow: 'HelloFlow', events: ['failed', 'successful'] }],
    ['HelloFlow user:alice', { flow: 'HelloFlow', events: null, user: 'alice' }],
    ['HelloFlow on failed user:bob tag:team:ml project:fraud', { flow: 'HelloFlow', events: ['failed'], user: 'bob', tag: 'team:ml', project: 'fraud' }],
    ['HelloFlow tag:nightly on lost', { flow: 'HelloFlow', events: ['lost'], tag: 'nightly' }],
    ['  HelloFlow   PROJECT:fraud ', { flow: 'HelloFlow', events: null, project: 'fraud' }],
  ])('%j', (args, want) => {
    expect(parseWatch(args, '/metaflow')).toEqual(want);
  });

  it.each([
    ['on failed', 'watch needs a flow name first.'],
    ['user:alice', 'watch needs a flow name first.'],
    ['Hello-Flow', '"Hello-Flow" is not a flow name.'],
    ['HelloFlow on sometimes', '"sometimes" is not an event I can watch.'],
    ['HelloFlow on faild', '"faild" is not an event I can watch. Did you mean failed?'],
    ['HelloFlow on constructor', '"constructor" is not an event I can watch.'],
    ['HelloFlow on', '"on" needs the events to watch.'],
    ['HelloFlow on failed on lost', 'Name the events once, after "on".'],
    ['HelloFlow nightly', 'I can\'t read "nightly" here.'],
    ['HelloFlow colour:red', 'I can\'t read "colour:red" here.'],
    ['HelloFlow tag:', 'tag: needs a value, e.g. tag:nightly.'],
    ['HelloFlow tag:a tag:b', 'Only one tag: filter, please.'],
    ['HelloFlow user:<@U123>', '"<@U123>" is not a Metaflow user name.'],
  ])('refuses %j: %s', (args, message) => {
    let thrown: unknown;
    try {
      parseWatch(args, '/metaflow');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).message).toBe(message);
    expect((thrown as UsageError).next).not.toBe('');
  });
});

describe('routing and help', () => {
  it.each([
    ['watch HelloFlow on failed', { command: 'watch', args: 'HelloFlow on failed' }],
    ['subscribe HelloFlow', { command: 'watch', args: 'HelloFlow' }],
    ['unwatch HelloFlow', { command: 'unwatch', args: 'HelloFlow' }],
    ['unsubscribe HelloFlow', { command: 'unwatch', args: 'HelloFlow' }],
    ['watching', { command: 'watching', args: '' }],
    ['subscriptions', { command: 'watching', args: '' }],
  ])('%j → %j', (text, want) => {
    expect(route(text)).toEqual(want);
  });

  it('suggests watch for a near spelling, and has a help topic for it', () => {
    expect(route('wacth HelloFlow')).toEqual({ unknown: 'wacth HelloFlow', suggestion: 'watch' });
    expect(helpTopicFor('watch')).toBe('watch');
    expect(helpTopicFor('notifications')).toBe('watch');
    expect(helpTopicFor('unwatch')).toBe('watch');
  });
});
