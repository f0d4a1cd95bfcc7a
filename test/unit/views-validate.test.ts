import fc from 'fast-check';
import { Bits, Blocks, Elements, HomeTab, Modal } from 'slack-block-builder';
import {
  chunk,
  codeBlock,
  escapeMrkdwn,
  fitBlocks,
  MESSAGE_BLOCKS_MAX,
  SECTION_TEXT_MAX,
  truncate,
} from '../../views/limits';
import { formatViolation, validateBlocks, validateMessage, validateView, type Violation } from '../../views/validate';

type Json = Record<string, unknown>;

const plain = (text: string): Json => ({ type: 'plain_text', text });
const md = (text: string): Json => ({ type: 'mrkdwn', text });
const opt = (text: string, value = text): Json => ({ text: plain(text), value });
const options = (n: number): Json[] => Array.from({ length: n }, (_, i) => opt(`o${i}`));
const section = (accessory: Json): Json => ({ type: 'section', text: md('x'), accessory });
const actions = (...elements: Json[]): Json => ({ type: 'actions', elements });
const input = (element: Json): Json => ({ type: 'input', label: plain('L'), element });
const button = (extra: Json = {}): Json => ({ type: 'button', text: plain('Open'), action_id: 'open', ...extra });
const image = { type: 'image', image_url: 'https://example.com/dag.png', alt_text: 'DAG' };
const confirm = { title: plain('Sure?'), text: md('Really'), confirm: plain('Yes'), deny: plain('No') };

const paths = (vs: Violation[]): string[] => vs.map((v) => v.path);

describe('validateBlocks accepts every block and element type the bot uses', () => {
  const blocks: [string, Json, ('message' | 'modal' | 'home')?][] = [
    ['section with text, expand and a button accessory', { type: 'section', block_id: 's', text: md('*run* 12'), expand: true, accessory: button({ style: 'primary', value: 'v', url: 'https://x', confirm, accessibility_label: 'open run' }) }],
    ['section with fields', { type: 'section', fields: [md('a'), plain('b')] }],
    ['header', { type: 'header', text: { type: 'plain_text', text: 'HelloFlow', emoji: true } }],
    ['divider', { type: 'divider', block_id: 'd' }],
    ['context with an image and texts', { type: 'context', elements: [image, md('a'), { type: 'mrkdwn', text: 'b', verbatim: true }] }],
    ['actions with a button', actions(button())],
    ['input with a plain_text_input', input({ type: 'plain_text_input', action_id: 'q', multiline: true, min_length: 1, max_length: 100, initial_value: 'x', placeholder: plain('flow'), dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] }, focus_on_load: true })],
    ['image block', { ...image, title: plain('DAG') }],
    ['image block from a slack_file', { type: 'image', slack_file: { id: 'F123' }, alt_text: 'x' }],
    [
      'rich_text with all containers',
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'a', style: { bold: true } }, { type: 'link', url: 'https://x' }, { type: 'emoji', name: 'tada' }, { type: 'user', user_id: 'U1' }] },
          { type: 'rich_text_list', style: 'bullet', indent: 1, elements: [{ type: 'rich_text_section', elements: [{ type: 'channel', channel_id: 'C1' }] }] },
          { type: 'rich_text_quote', elements: [{ type: 'date', timestamp: 1, format: '{date}' }] },
          { type: 'rich_text_preformatted', border: 1, elements: [{ type: 'text', text: 'Traceback' }] },
        ],
      },
    ],
    ['markdown (messages only)', { type: 'markdown', text: '**bold**' }, 'message'],
  ];
  test.each(blocks)('%s', (_, block, surface = 'modal') => {
    expect(validateBlocks([block], surface)).toEqual([]);
  });

  const elements: [string, Json, (e: Json) => Json][] = [
    ['button', button(), actions],
    ['static_select with options', { type: 'static_select', action_id: 'a', placeholder: plain('Pick'), options: options(3), initial_option: opt('o1') }, section],
    ['static_select with option_groups', { type: 'static_select', option_groups: [{ label: plain('G'), options: options(2) }], initial_option: opt('o1') }, section],
    ['multi_static_select', { type: 'multi_static_select', options: options(3), initial_options: [opt('o0'), opt('o2')], max_selected_items: 2 }, input],
    ['external_select', { type: 'external_select', action_id: 'flow', min_query_length: 0, initial_option: opt('HelloFlow') }, input],
    ['multi_external_select', { type: 'multi_external_select', min_query_length: 1, initial_options: [opt('a')] }, input],
    ['overflow', { type: 'overflow', options: [opt('a'), { ...opt('b'), url: 'https://x' }], confirm }, section],
    ['radio_buttons', { type: 'radio_buttons', options: [{ text: md('*a*'), value: 'a', description: md('d') }, opt('b')], initial_option: opt('b') }, input],
    ['checkboxes', { type: 'checkboxes', options: options(10), initial_options: [opt('o9')] }, actions],
    ['plain_text_input', { type: 'plain_text_input' }, input],
    ['users_select', { type: 'users_select', initial_user: 'U1' }, section],
    ['multi_users_select', { type: 'multi_users_select', initial_users: ['U1'] }, input],
    ['conversations_select', { type: 'conversations_select', default_to_current_conversation: true, filter: { include: ['public'], exclude_bot_users: true }, response_url_enabled: true }, input],
    ['multi_conversations_select', { type: 'multi_conversations_select', initial_conversations: ['C1'] }, actions],
    ['channels_select', { type: 'channels_select', initial_channel: 'C1' }, actions],
    ['multi_channels_select', { type: 'multi_channels_select', initial_channels: ['C1'], max_selected_items: 3 }, input],
    ['datepicker', { type: 'datepicker', initial_date: '2026-11-28', placeholder: plain('Since') }, actions],
    ['timepicker', { type: 'timepicker', initial_time: '09:30', timezone: 'Europe/Amsterdam' }, input],
    ['datetimepicker', { type: 'datetimepicker', initial_date_time: 1_700_000_000 }, input],
    ['number_input', { type: 'number_input', is_decimal_allowed: false, min_value: '1' }, input],
    ['email_text_input', { type: 'email_text_input' }, input],
    ['url_text_input', { type: 'url_text_input', initial_value: 'https://x' }, input],
    ['image accessory', image, section],
  ];
  test.each(elements)('%s', (_, element, wrap) => {
    expect(validateView({ type: 'modal', title: plain('T'), submit: plain('Go'), blocks: [wrap(element)] })).toEqual([]);
  });

  test('what slack-block-builder builds for a modal and a Home tab', () => {
    const select = Elements.StaticSelect({ actionId: 'step', placeholder: 'Step' })
      .options(Bits.Option({ text: 'start', value: 'start' }), Bits.Option({ text: 'end', value: 'end' }))
      .initialOption(Bits.Option({ text: 'end', value: 'end' }));
    const modal = Modal({ title: 'HelloFlow/12', submit: 'Open', close: 'Cancel', callbackId: 'run', privateMetaData: '{"run":12}' })
      .blocks(
        Blocks.Header({ text: 'HelloFlow' }),
        Blocks.Section({ text: '*status* failed' }).accessory(Elements.Button({ text: 'Logs', actionId: 'logs', value: 'x' }).danger()),
        Blocks.Input({ label: 'Step', blockId: 'step' }).element(select),
        Blocks.Context().elements('12 runs'),
        Blocks.Divider(),
        Blocks.Actions().elements(Elements.Button({ text: 'Prev', actionId: 'prev' }), Elements.Button({ text: 'Next', actionId: 'next' })),
      )
      .buildToObject();
    expect(validateView(modal)).toEqual([]);
    expect(validateView(HomeTab({ callbackId: 'home' }).blocks(Blocks.Section({ text: 'hi' })).buildToObject())).toEqual([]);
  });
});

describe('validateBlocks refuses, at the offending json-pointer', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: [string, Json[], string, string, ('message' | 'modal' | 'home')?][] = [
    ['section text over 3000', [{ type: 'section', text: md(long(3001)) }], '/blocks/0/text/text', 'must be less than 3001 characters'],
    ['an empty text', [{ type: 'section', text: md('') }], '/blocks/0/text/text', 'must be more than 0 characters'],
    ['more than 10 fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => md('f')) }], '/blocks/0/fields', 'no more than 10 items allowed'],
    ['a field over 2000', [{ type: 'section', fields: [md(long(2001))] }], '/blocks/0/fields/0/text', 'must be less than 2001 characters'],
    ['a section without text or fields', [{ type: 'section' }], '/blocks/0', 'missing required field: text or fields'],
    ['header over 150', [{ type: 'header', text: plain(long(151)) }], '/blocks/0/text/text', 'must be less than 151 characters'],
    ['mrkdwn in a header', [{ type: 'header', text: md('*x*') }], '/blocks/0/text/type', 'must be plain_text'],
    ['emoji on mrkdwn', [{ type: 'section', text: { ...md('x'), emoji: true } }], '/blocks/0/text', 'invalid additional property: emoji'],
    ['verbatim on plain_text', [{ type: 'header', text: { ...plain('x'), verbatim: true } }], '/blocks/0/text', 'invalid additional property: verbatim'],
    ['more than 10 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => md('c')) }], '/blocks/0/elements', 'no more than 10 items allowed'],
    ['a button in a context', [{ type: 'context', elements: [button()] }], '/blocks/0/elements/0/type', 'must be one of plain_text, mrkdwn'],
    ['more than 25 actions', [actions(...Array.from({ length: 26 }, (_, i) => button({ action_id: `b${i}` })))], '/blocks/0/elements', 'no more than 25 items allowed'],
    ['a text input in actions', [actions({ type: 'plain_text_input' })], '/blocks/0/elements/0/type', 'plain_text_input is not allowed in actions blocks'],
    ['a button in an input', [input(button())], '/blocks/0/element/type', 'button is not allowed in input blocks'],
    ['two action_ids alike in one block', [actions(button(), button())], '/blocks/0/elements/1/action_id', 'duplicate action_id: open'],
    ['two block_ids alike', [{ type: 'divider', block_id: 'b' }, { type: 'divider', block_id: 'b' }], '/blocks/1/block_id', 'duplicate block_id: b'],
    ['block_id over 255', [{ type: 'divider', block_id: long(256) }], '/blocks/0/block_id', 'must be less than 256 characters'],
    ['action_id over 255', [actions(button({ action_id: long(256) }))], '/blocks/0/elements/0/action_id', 'must be less than 256 characters'],
    ['button text over 75', [actions(button({ text: plain(long(76)) }))], '/blocks/0/elements/0/text/text', 'must be less than 76 characters'],
    ['mrkdwn button text', [actions(button({ text: md('x') }))], '/blocks/0/elements/0/text/type', 'must be plain_text'],
    ['button value over 2000', [actions(button({ value: long(2001) }))], '/blocks/0/elements/0/value', 'must be less than 2001 characters'],
    ['button style other than primary/danger', [actions(button({ style: 'secondary' }))], '/blocks/0/elements/0/style', 'must be one of primary, danger'],
    ['confirm without deny', [actions(button({ confirm: { ...confirm, deny: undefined } }))], '/blocks/0/elements/0/confirm', 'missing required field: deny'],
    ['option text over 75', [section({ type: 'static_select', options: [opt(long(76), 'v')] })], '/blocks/0/accessory/options/0/text/text', 'must be less than 76 characters'],
    ['option value over 150', [section({ type: 'static_select', options: [opt('t', long(151))] })], '/blocks/0/accessory/options/0/value', 'must be less than 151 characters'],
    ['an empty option value', [section({ type: 'static_select', options: [opt('t', '')] })], '/blocks/0/accessory/options/0/value', 'must be more than 0 characters'],
    ['mrkdwn option text in a select', [section({ type: 'static_select', options: [{ text: md('t'), value: 'v' }] })], '/blocks/0/accessory/options/0/text/type', 'must be plain_text'],
    ['more than 100 select options', [section({ type: 'static_select', options: options(101) })], '/blocks/0/accessory/options', 'no more than 100 items allowed'],
    ['options and option_groups together', [section({ type: 'static_select', options: options(1), option_groups: [{ label: plain('G'), options: options(1) }] })], '/blocks/0/accessory', 'not both'],
    ['a static select without options', [section({ type: 'static_select' })], '/blocks/0/accessory', 'missing required field: options or option_groups'],
    ['initial_option not among the options', [section({ type: 'static_select', options: options(2), initial_option: opt('zz') })], '/blocks/0/accessory/initial_option', 'must match one of the options'],
    ['initial_options not among the checkboxes', [actions({ type: 'checkboxes', options: options(2), initial_options: [opt('o0', 'other')] })], '/blocks/0/elements/0/initial_options/0', 'must match one of the options'],
    ['an overflow with one option', [section({ type: 'overflow', options: options(1) })], '/blocks/0/accessory/options', 'no fewer than 2 items allowed'],
    ['an overflow with six options', [section({ type: 'overflow', options: options(6) })], '/blocks/0/accessory/options', 'no more than 5 items allowed'],
    ['a url on a select option', [section({ type: 'static_select', options: [{ ...opt('a'), url: 'https://x' }] })], '/blocks/0/accessory/options/0', 'invalid additional property: url'],
    ['more than 10 checkboxes', [actions({ type: 'checkboxes', options: options(11) })], '/blocks/0/elements/0/options', 'no more than 10 items allowed'],
    ['more than 10 radio buttons', [actions({ type: 'radio_buttons', options: options(11) })], '/blocks/0/elements/0/options', 'no more than 10 items allowed'],
    ['placeholder over 150', [section({ type: 'users_select', placeholder: plain(long(151)) })], '/blocks/0/accessory/placeholder/text', 'must be less than 151 characters'],
    ['input label over 2000', [{ ...input({ type: 'plain_text_input' }), label: plain(long(2001)) }], '/blocks/0/label/text', 'must be less than 2001 characters'],
    ['mrkdwn input label', [{ ...input({ type: 'plain_text_input' }), label: md('x') }], '/blocks/0/label/type', 'must be plain_text'],
    ['min_length above max_length', [input({ type: 'plain_text_input', min_length: 10, max_length: 5 })], '/blocks/0/element/min_length', 'must be no greater than max_length'],
    ['two focus_on_load', [input({ type: 'plain_text_input', focus_on_load: true }), input({ type: 'datepicker', focus_on_load: true })], '/blocks/1/element/focus_on_load', 'only one element per view may have focus_on_load'],
    ['an unknown block type', [{ type: 'sektion' }], '/blocks/0/type', 'unsupported type: sektion'],
    ['an unknown element type', [section({ type: 'fancy_button' })], '/blocks/0/accessory/type', 'unsupported type: fancy_button'],
    ['an unknown property', [{ type: 'divider', colour: 'red' }], '/blocks/0', 'invalid additional property: colour'],
    ['a block without type', [{ text: md('x') }], '/blocks/0', 'missing required field: type'],
    ['an image without alt_text', [{ type: 'image', image_url: 'https://x' }], '/blocks/0', 'missing required field: alt_text'],
    ['an image with two sources', [{ ...image, slack_file: { id: 'F1' } }], '/blocks/0', 'exactly one of image_url, slack_file'],
    ['markdown over 12000', [{ type: 'markdown', text: long(12_001) }], '/blocks/0/text', 'must be less than 12001 characters', 'message'],
    ['a markdown block in a modal', [{ type: 'markdown', text: 'x' }], '/blocks/0/type', 'markdown is not allowed in modal views'],
    ['rich text with an unknown element', [{ type: 'rich_text', elements: [{ type: 'rich_text_table' }] }], '/blocks/0/elements/0/type', 'unsupported type: rich_text_table'],
    ['a rich text list without style', [{ type: 'rich_text', elements: [{ type: 'rich_text_list', elements: [] }] }], '/blocks/0/elements/0', 'missing required field: style'],
    ['more than 50 blocks in a message', Array.from({ length: 51 }, () => ({ type: 'divider' })), '/blocks', 'no more than 50 items allowed', 'message'],
    ['more than 100 blocks in a modal', Array.from({ length: 101 }, () => ({ type: 'divider' })), '/blocks', 'no more than 100 items allowed'],
  ];
  test.each(cases)('%s', (_, blocks, path, message, surface = 'modal') => {
    const violations = validateBlocks(blocks, surface);
    expect(violations).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(paths(violations)).toEqual([path]);
  });

  test('a non-array', () => {
    expect(validateBlocks('[]', 'message')).toEqual([{ path: '/blocks', message: 'must be an array' }]);
  });

  test('violations format like Slack response_metadata messages', () => {
    const [v] = validateBlocks([{ type: 'section', text: md(long(3001)) }], 'message');
    expect(formatViolation(v)).toBe('[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]');
    expect(formatViolation(v, '/view')).toBe('[ERROR] must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]');
  });
});

describe('validateView', () => {
  const modal = (extra: Json = {}): Json => ({ type: 'modal', title: plain('Runs'), blocks: [], ...extra });
  const cases: [string, Json, string, string][] = [
    ['a title over 24', modal({ title: plain('x'.repeat(25)) }), '/title/text', 'must be less than 25 characters'],
    ['no title', modal({ title: undefined }), '', 'missing required field: title'],
    ['a mrkdwn title', modal({ title: md('x') }), '/title/type', 'must be plain_text'],
    ['submit over 24', modal({ submit: plain('x'.repeat(25)) }), '/submit/text', 'must be less than 25 characters'],
    ['close over 24', modal({ close: plain('x'.repeat(25)) }), '/close/text', 'must be less than 25 characters'],
    ['private_metadata over 3000', modal({ private_metadata: 'x'.repeat(3001) }), '/private_metadata', 'must be less than 3001 characters'],
    ['callback_id over 255', modal({ callback_id: 'x'.repeat(256) }), '/callback_id', 'must be less than 256 characters'],
    ['external_id over 255', modal({ external_id: 'x'.repeat(256) }), '/external_id', 'must be less than 256 characters'],
    ['an input without submit', modal({ blocks: [input({ type: 'plain_text_input' })] }), '', 'missing required field: submit'],
    ['submit_disabled (workflow steps only)', modal({ submit_disabled: true }), '', 'invalid additional property: submit_disabled'],
    ['a title on a Home tab', { type: 'home', title: plain('x'), blocks: [] }, '', 'invalid additional property: title'],
    ['a workflow_step view', { type: 'workflow_step', blocks: [] }, '/type', 'must be one of modal, home'],
    ['no blocks', { type: 'home' }, '', 'missing required field: blocks'],
  ];
  test.each(cases)('refuses %s', (_, view, path, message) => {
    const violations = validateView(view);
    expect(violations).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(paths(violations)).toEqual([path]);
  });

  test('limits are inclusive: a 24-character title and 3000-character metadata pass', () => {
    expect(validateView(modal({ title: plain('x'.repeat(24)), private_metadata: 'x'.repeat(3000) }))).toEqual([]);
  });

  test('a view over 250 kB is view_too_large even when every block is within limits', () => {
    const blocks = Array.from({ length: 100 }, () => ({ type: 'section', fields: Array.from({ length: 10 }, () => md('é'.repeat(150))) }));
    const [violation, ...rest] = validateView(modal({ blocks }));
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ path: '', error: 'view_too_large' });
  });
});

describe('validateMessage', () => {
  test('a long text is not a violation: Slack cuts it and warns', () => {
    expect(validateMessage({ text: 'x'.repeat(50_000) })).toEqual([]);
  });

  test('text must be a string', () => {
    expect(paths(validateMessage({ text: 42 }))).toEqual(['/text']);
  });

  test('blocks whose text adds up past 12,000 characters are msg_blocks_too_long', () => {
    const blocks = Array.from({ length: 5 }, () => ({ type: 'section', text: md('x'.repeat(SECTION_TEXT_MAX)) }));
    expect(validateMessage({ blocks })).toEqual([expect.objectContaining({ path: '/blocks', error: 'msg_blocks_too_long' })]);
    expect(validateMessage({ blocks: blocks.slice(0, 4) })).toEqual([]);
  });
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('truncate', () => {
  test('leaves text that fits alone, exactly at the limit too', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('', 0)).toBe('');
  });

  test('cuts to max including the marker', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 5, '...')).toBe('ab...');
    expect(truncate('abcdef', 2, '...')).toBe('..');
  });

  test('never splits an emoji (a surrogate pair)', () => {
    expect(truncate('😀😀😀', 4)).toBe('😀…');
    expect(truncate('a😀b', 2, '')).toBe('a');
  });

  test('never exceeds max and never leaves half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.nat(80), (text, max) => {
        const cut = truncate(text, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(cut)).toBe(false);
        if (text.length <= max) expect(cut).toBe(text);
      }),
    );
  });
});

describe('escapeMrkdwn', () => {
  test('escapes the three control characters, & first', () => {
    expect(escapeMrkdwn('<@U1> & <!here> a>b')).toBe('&lt;@U1&gt; &amp; &lt;!here&gt; a&gt;b');
    expect(escapeMrkdwn('&lt;')).toBe('&amp;lt;');
    expect(escapeMrkdwn('plain *bold*')).toBe('plain *bold*');
  });
});

describe('codeBlock', () => {
  const body = (block: string): string => block.slice(block.indexOf('```\n') + 4, block.lastIndexOf('\n```'));

  test('fences and escapes text that fits, exactly at the limit too', () => {
    expect(codeBlock('x < y', 100)).toBe('```\nx &lt; y\n```');
    expect(codeBlock('abcd', 12)).toBe('```\nabcd\n```');
  });

  test('cuts a long text and says how many characters are missing', () => {
    const text = 'a'.repeat(5000);
    const block = codeBlock(text, 3000);
    expect(block.length).toBeLessThanOrEqual(3000);
    const [, omitted] = /\n… \((\d+) more characters\)$/.exec(block) ?? [];
    expect(body(block).length + Number(omitted)).toBe(5000);
  });

  test('keeps the tail of a log when asked', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n');
    const block = codeBlock(text, 200, { keep: 'tail' });
    expect(block.length).toBeLessThanOrEqual(200);
    expect(block).toMatch(/^… \(\d+ earlier characters\)\n```\n/);
    expect(block.endsWith('line 499\n```')).toBe(true);
  });

  test('never cuts inside an entity or an emoji', () => {
    expect(body(codeBlock('&'.repeat(1000), 500))).toMatch(/^(&amp;)+$/);
    const emoji = body(codeBlock('😀'.repeat(1000), 501));
    expect(LONE_SURROGATE.test(emoji)).toBe(false);
  });

  test('a log cannot close the block early', () => {
    const block = codeBlock('before ``` after ````', 100);
    expect(body(block)).not.toContain('```');
  });

  test('never exceeds max', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.nat(400), fc.boolean(), (text, max, tail) => {
        const block = codeBlock(text, max, { keep: tail ? 'tail' : 'head' });
        expect(block.length).toBeLessThanOrEqual(max);
        expect(LONE_SURROGATE.test(block)).toBe(false);
      }),
    );
  });
});

describe('chunk', () => {
  test('groups items, the last group shorter', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('fitBlocks', () => {
  const divider = { type: 'divider' };
  const run = (i: number): Json[] => [{ type: 'section', text: md(`run ${i}`) }, divider];
  const more = (n: number): Json => ({ type: 'context', elements: [md(`${n} more runs`)] });

  test('keeps everything, without a "more" block, when it fits', () => {
    const fitted = fitBlocks({ items: [run(1), run(2)], max: 4, more });
    expect(fitted).toEqual({ blocks: [...run(1), ...run(2)], shown: 2, omitted: 0 });
  });

  test('keeps whole items next to the fixed blocks and says how many did not fit', () => {
    const header = { type: 'header', text: plain('Runs') };
    const paging = actions(button());
    const items = Array.from({ length: 30 }, (_, i) => run(i));
    const { blocks, shown, omitted } = fitBlocks({ before: [header], items, after: [paging], max: MESSAGE_BLOCKS_MAX, more });
    // 50 blocks - header - paging - "more" = 47 → 23 runs of 2 blocks.
    expect([shown, omitted, blocks.length]).toEqual([23, 7, 49]);
    expect(blocks.at(-2)).toEqual(more(7));
    expect(blocks.at(-1)).toBe(paging);
    expect(validateBlocks(blocks, 'message')).toEqual([]);
  });

  test('refuses fixed blocks that leave no room for the "more" block', () => {
    expect(() => fitBlocks({ before: [divider, divider], items: [[divider]], max: 2, more })).toThrow(RangeError);
  });
});
