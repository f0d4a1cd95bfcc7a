import { route } from '../../src/slack/commands/router';
import { helpTopicFor } from '../../views/help';

describe('route', () => {
  it.each([
    ['', { command: 'help', args: '' }],
    ['   ', { command: 'help', args: '' }],
    ['help', { command: 'help', args: '' }],
    ['?', { command: 'help', args: '' }],
    ['help inspect', { command: 'help', args: 'inspect' }],
    ['how to inspect', { command: 'help', args: 'inspect' }],
    ['How do I read logs?', { command: 'help', args: 'read logs?' }],
    ['how can i', { command: 'help', args: '' }],
    ['runs', { command: 'runs', args: '' }],
    ['RUNS HelloFlow', { command: 'runs', args: 'HelloFlow' }],
    ["inspect alice's latest run of HelloFlow tagged \"nightly build\"", { command: 'inspect', args: "alice's latest run of HelloFlow tagged \"nightly build\"" }],
    ['use   HelloFlow/42  ', { command: 'use', args: 'HelloFlow/42' }],
    ['status?', { command: 'status', args: '' }],
    ['logs: start stderr', { command: 'logs', args: 'start stderr' }],
    ['log start', { command: 'logs', args: 'start' }],
    ['parameters HelloFlow/42', { command: 'params', args: 'HelloFlow/42' }],
    ['artifacts start model', { command: 'data', args: 'start model' }],
    ['export', { command: 'export', args: '' }],
    ['version', { command: 'version', args: '' }],
    ['/metaflow data start', { command: 'data', args: 'start' }],
    ['/METAFLOW', { command: 'help', args: '' }],
  ])('%j → %j', (text, want) => {
    expect(route(text)).toEqual(want);
  });

  it.each([
    ['lgos start', 'logs'],
    ['stauts', 'status'],
    ['inpsect HelloFlow', 'inspect'],
    ['show me the logs of start', 'logs'],
    ['what are the parameters', 'params'],
    ['hello there', null],
    ['/metaflowx', null],
  ])('%j is unknown; suggests %j', (text, suggestion) => {
    expect(route(text)).toEqual({ unknown: text, suggestion });
  });

  it('does not mistake a flow named like a command word for one after the command', () => {
    expect(route('runs logs')).toEqual({ command: 'runs', args: 'logs' });
  });
});

describe('helpTopicFor', () => {
  it.each([
    ['', 'overview'],
    ['inspect', 'inspect'],
    ['inspect a run', 'inspect'],
    ['read logs?', 'logs'],
    ['artifacts', 'data'],
    ['parameters', 'params'],
    ['queries', 'query'],
    ['stauts', 'status'],
    ['the weather', null],
  ])('%j → %j', (text, topic) => {
    expect(helpTopicFor(text)).toBe(topic);
  });
});
