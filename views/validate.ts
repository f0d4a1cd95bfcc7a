/**
 * Checks Block Kit JSON the way Slack's server does, so that a builder's unit test (and the
 * fake Slack in test/support) rejects what Slack would reject: every limit of limits.ts, text
 * object rules, which element may sit in which block, required and unknown properties (Slack's
 * schema is strict), duplicate ids, initial options that match no option, one focus_on_load.
 *
 * Violations read like Slack's `response_metadata.messages`; `formatViolation` adds the
 * `[ERROR] … [json-pointer:…]` frame. Paths are JSON pointers relative to what was validated
 * (`/blocks/0/text/text` for blocks and messages, `/title/text` for a view); Slack prefixes a
 * view's pointers with `/view`.
 *
 * Covered: blocks section, header, divider, context, actions, input, image, rich_text
 * (structure only), markdown; elements button, the static/external/users/conversations/
 * channels selects and their multi variants, overflow, radio_buttons, checkboxes,
 * plain_text_input, datepicker, timepicker, datetimepicker, number_input, email_text_input,
 * url_text_input, image. Anything else is reported as unsupported, which is stricter than
 * Slack for the few types the bot never sends (table, video, file_input …).
 */
import * as L from './limits';

export type Surface = L.Surface;

/** Slack error codes that replace the generic `invalid_blocks` / `invalid_arguments`. */
export type SlackRejection = 'view_too_large' | 'msg_blocks_too_long';

export interface Violation {
  /** JSON pointer of the offending value, e.g. `/blocks/3/text/text`. */
  path: string;
  message: string;
  /** Set when Slack answers this violation with its own error code. */
  error?: SlackRejection;
}

/** One line as Slack writes it into `response_metadata.messages`. */
export function formatViolation(violation: Violation, pointerPrefix = ''): string {
  return `[ERROR] ${violation.message} [json-pointer:${pointerPrefix}${violation.path}]`;
}

type Obj = Record<string, unknown>;

class Checker {
  readonly violations: Violation[] = [];
  readonly blockIds = new Set<string>();
  readonly focused: string[] = [];
  constructor(readonly surface: Surface) {}

  add(path: string, message: string, error?: SlackRejection): void {
    this.violations.push(error ? { path, message, error } : { path, message });
  }

  finish(): Violation[] {
    for (const path of this.focused.slice(1)) this.add(path, 'only one element per view may have focus_on_load');
    return this.violations;
  }
}

type Check = (ck: Checker, value: unknown, path: string) => void;

/** `type` is checked by whoever picked the shape from it. */
const typeField: Check = () => {};

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Properties that JSON would send: builders leave `undefined` ones around. */
function present(obj: Obj): [string, unknown][] {
  return Object.entries(obj).filter(([, v]) => v !== undefined);
}

// ---- scalar checks -------------------------------------------------------------------------

function str(max = Infinity, min = 1): Check {
  return (ck, value, path) => {
    if (typeof value !== 'string') return ck.add(path, 'must be a string');
    if (value.length < min) return ck.add(path, `must be more than ${min - 1} characters`);
    if (value.length > max) ck.add(path, `must be less than ${max + 1} characters`);
  };
}

function pattern(re: RegExp, what: string): Check {
  return (ck, value, path) => {
    if (typeof value !== 'string' || !re.test(value)) ck.add(path, `must be ${what}`);
  };
}

const bool: Check = (ck, value, path) => {
  if (typeof value !== 'boolean') ck.add(path, 'must be a boolean');
};

function int(min = -Infinity, max = Infinity): Check {
  return (ck, value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) return ck.add(path, 'must be an integer');
    if (value < min) ck.add(path, `must be no less than ${min}`);
    else if (value > max) ck.add(path, `must be no greater than ${max}`);
  };
}

function oneOf(...values: string[]): Check {
  return (ck, value, path) => {
    if (typeof value !== 'string' || !values.includes(value)) ck.add(path, `must be one of ${values.join(', ')}`);
  };
}

function arrayOf(item: Check, { min = 0, max = Infinity }: { min?: number; max?: number } = {}): Check {
  return (ck, value, path) => {
    if (!Array.isArray(value)) return ck.add(path, 'must be an array');
    if (value.length > max) ck.add(path, `no more than ${max} items allowed`);
    if (value.length < min) ck.add(path, `no fewer than ${min} items allowed`);
    value.forEach((v, i) => item(ck, v, `${path}/${i}`));
  };
}

// ---- objects -------------------------------------------------------------------------------

interface Shape {
  fields: Record<string, Check>;
  required?: string[];
  /** Rules across fields, run on an object whose own fields were checked. */
  extra?: (ck: Checker, obj: Obj, path: string) => void;
}

function checkShape(ck: Checker, value: unknown, path: string, shape: Shape): value is Obj {
  if (!isObj(value)) {
    ck.add(path, 'must be an object');
    return false;
  }
  for (const [key, v] of present(value)) {
    const field = shape.fields[key];
    if (field) field(ck, v, `${path}/${key}`);
    else ck.add(path, `invalid additional property: ${key}`);
  }
  for (const key of shape.required ?? []) {
    if (value[key] === undefined) ck.add(path, `missing required field: ${key}`);
  }
  shape.extra?.(ck, value, path);
  return true;
}

function shaped(shape: Shape): Check {
  return (ck, value, path) => void checkShape(ck, value, path, shape);
}

/** Objects told apart by `type`, e.g. block elements; `allowed` narrows what a place accepts. */
function byType(shapes: Record<string, Shape>, allowed: readonly string[], where: string): Check {
  return (ck, value, path) => {
    if (!isObj(value)) return ck.add(path, 'must be an object');
    const type = value.type;
    if (type === undefined) return ck.add(path, 'missing required field: type');
    if (typeof type !== 'string' || !shapes[type]) return ck.add(`${path}/type`, `unsupported type: ${String(type)}`);
    if (!allowed.includes(type)) return ck.add(`${path}/type`, `${type} is not allowed in ${where}`);
    checkShape(ck, value, path, shapes[type]);
  };
}

// ---- composition objects -------------------------------------------------------------------

type TextKind = 'plain_text' | 'any';

function text(max: number, kind: TextKind): Check {
  const textField = str(Math.min(max, L.TEXT_OBJECT_MAX), L.TEXT_OBJECT_MIN);
  const plain: Shape = { fields: { type: typeField, text: textField, emoji: bool }, required: ['text'] };
  const mrkdwn: Shape = { fields: { type: typeField, text: textField, verbatim: bool }, required: ['text'] };
  return (ck, value, path) => {
    if (!isObj(value)) return ck.add(path, 'must be a text object');
    if (value.type === 'plain_text') return void checkShape(ck, value, path, plain);
    if (value.type === 'mrkdwn' && kind === 'any') return void checkShape(ck, value, path, mrkdwn);
    ck.add(`${path}/type`, kind === 'any' ? 'must be one of plain_text, mrkdwn' : 'must be plain_text');
  };
}

const plainText = (max: number): Check => text(max, 'plain_text');
const anyText = (max: number): Check => text(max, 'any');

function option(kind: TextKind, withUrl = false): Check {
  const fields: Record<string, Check> = {
    text: text(L.OPTION_TEXT_MAX, kind),
    value: str(L.OPTION_VALUE_MAX),
    description: text(L.OPTION_DESCRIPTION_MAX, kind),
  };
  if (withUrl) fields.url = str(L.OPTION_URL_MAX);
  return shaped({ fields, required: ['text', 'value'] });
}

const plainOption = option('plain_text');

const optionGroup = shaped({
  fields: {
    label: plainText(L.OPTION_GROUP_LABEL_MAX),
    options: arrayOf(plainOption, { min: 1, max: L.SELECT_OPTIONS_MAX }),
  },
  required: ['label', 'options'],
});

const style = oneOf('primary', 'danger');

const confirm = shaped({
  fields: {
    title: plainText(L.CONFIRM_TITLE_MAX),
    text: anyText(L.CONFIRM_TEXT_MAX),
    confirm: plainText(L.CONFIRM_BUTTON_MAX),
    deny: plainText(L.CONFIRM_BUTTON_MAX),
    style,
  },
  required: ['title', 'text', 'confirm', 'deny'],
});

const dispatchActionConfig = shaped({
  fields: { trigger_actions_on: arrayOf(oneOf('on_enter_pressed', 'on_character_entered'), { min: 1 }) },
});

const focusOnLoad: Check = (ck, value, path) => {
  bool(ck, value, path);
  if (value === true) ck.focused.push(path);
};

// ---- block elements ------------------------------------------------------------------------

/** Key-order-independent JSON equality: Slack compares initial options by content. */
function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : isObj(v)
        ? Object.fromEntries(present(v).sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, canon(x)]))
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

function listedOptions(obj: Obj): unknown[] {
  const groups = Array.isArray(obj.option_groups) ? obj.option_groups : [];
  const grouped = groups.flatMap((g) => (isObj(g) && Array.isArray(g.options) ? g.options : []));
  return [...(Array.isArray(obj.options) ? obj.options : []), ...grouped];
}

/** `initial_option(s)` must each equal one of the listed options. */
function initialsListed(ck: Checker, obj: Obj, path: string): void {
  const options = listedOptions(obj);
  const check = (initial: unknown, at: string): void => {
    if (isObj(initial) && !options.some((o) => sameJson(o, initial))) ck.add(at, 'must match one of the options');
  };
  check(obj.initial_option, `${path}/initial_option`);
  if (Array.isArray(obj.initial_options)) {
    obj.initial_options.forEach((o, i) => check(o, `${path}/initial_options/${i}`));
  }
}

function optionsXorGroups(ck: Checker, obj: Obj, path: string): void {
  const hasOptions = obj.options !== undefined;
  const hasGroups = obj.option_groups !== undefined;
  if (hasOptions && hasGroups) ck.add(path, 'must provide either options or option_groups, not both');
  else if (!hasOptions && !hasGroups) ck.add(path, 'missing required field: options or option_groups');
  else initialsListed(ck, obj, path);
}

const actionable = { type: typeField, action_id: str(L.ACTION_ID_MAX) };
const selectCommon = { ...actionable, confirm, focus_on_load: focusOnLoad, placeholder: plainText(L.PLACEHOLDER_MAX) };
const multi = { max_selected_items: int(1) };
const conversationFilter = shaped({
  fields: {
    include: arrayOf(oneOf('im', 'mpim', 'private', 'public'), { min: 1 }),
    exclude_external_shared_channels: bool,
    exclude_bot_users: bool,
  },
});
const staticOptions = {
  options: arrayOf(plainOption, { min: 1, max: L.SELECT_OPTIONS_MAX }),
  option_groups: arrayOf(optionGroup, { min: 1, max: L.SELECT_OPTION_GROUPS_MAX }),
};
const textInputCommon = {
  ...actionable,
  placeholder: plainText(L.PLACEHOLDER_MAX),
  dispatch_action_config: dispatchActionConfig,
  focus_on_load: focusOnLoad,
};

const imageSource = (ck: Checker, obj: Obj, path: string): void => {
  if ((obj.image_url === undefined) === (obj.slack_file === undefined)) {
    ck.add(path, 'must provide exactly one of image_url, slack_file');
  }
};
const slackFile = shaped({
  fields: { url: str(L.IMAGE_URL_MAX), id: str() },
  extra: (ck, obj, path) => {
    if ((obj.url === undefined) === (obj.id === undefined)) ck.add(path, 'must provide exactly one of url, id');
  },
});

const ELEMENTS: Record<string, Shape> = {
  button: {
    fields: {
      ...actionable,
      text: plainText(L.BUTTON_TEXT_MAX),
      value: str(L.BUTTON_VALUE_MAX),
      url: str(L.BUTTON_URL_MAX),
      style,
      confirm,
      accessibility_label: str(L.ACCESSIBILITY_LABEL_MAX),
    },
    required: ['text'],
  },
  static_select: {
    fields: { ...selectCommon, ...staticOptions, initial_option: plainOption },
    extra: optionsXorGroups,
  },
  multi_static_select: {
    fields: { ...selectCommon, ...multi, ...staticOptions, initial_options: arrayOf(plainOption) },
    extra: optionsXorGroups,
  },
  external_select: {
    fields: { ...selectCommon, initial_option: plainOption, min_query_length: int(0) },
  },
  multi_external_select: {
    fields: { ...selectCommon, ...multi, initial_options: arrayOf(plainOption), min_query_length: int(0) },
  },
  users_select: { fields: { ...selectCommon, initial_user: str() } },
  multi_users_select: { fields: { ...selectCommon, ...multi, initial_users: arrayOf(str()) } },
  conversations_select: {
    fields: {
      ...selectCommon,
      initial_conversation: str(),
      default_to_current_conversation: bool,
      filter: conversationFilter,
      response_url_enabled: bool,
    },
  },
  multi_conversations_select: {
    fields: {
      ...selectCommon,
      ...multi,
      initial_conversations: arrayOf(str()),
      default_to_current_conversation: bool,
      filter: conversationFilter,
    },
  },
  channels_select: { fields: { ...selectCommon, initial_channel: str(), response_url_enabled: bool } },
  multi_channels_select: { fields: { ...selectCommon, ...multi, initial_channels: arrayOf(str()) } },
  overflow: {
    fields: {
      ...actionable,
      confirm,
      options: arrayOf(option('plain_text', true), { min: L.OVERFLOW_OPTIONS_MIN, max: L.OVERFLOW_OPTIONS_MAX }),
    },
    required: ['options'],
  },
  radio_buttons: {
    fields: {
      ...actionable,
      confirm,
      focus_on_load: focusOnLoad,
      options: arrayOf(option('any'), { min: 1, max: L.RADIO_OPTIONS_MAX }),
      initial_option: option('any'),
    },
    required: ['options'],
    extra: initialsListed,
  },
  checkboxes: {
    fields: {
      ...actionable,
      confirm,
      focus_on_load: focusOnLoad,
      options: arrayOf(option('any'), { min: 1, max: L.CHECKBOXES_OPTIONS_MAX }),
      initial_options: arrayOf(option('any')),
    },
    required: ['options'],
    extra: initialsListed,
  },
  plain_text_input: {
    fields: {
      ...textInputCommon,
      initial_value: str(L.PLAIN_TEXT_INPUT_LENGTH_MAX, 0),
      multiline: bool,
      min_length: int(0, L.PLAIN_TEXT_INPUT_LENGTH_MAX),
      max_length: int(1, L.PLAIN_TEXT_INPUT_LENGTH_MAX),
    },
    extra: (ck, obj, path) => {
      const { min_length: min, max_length: max, initial_value: initial } = obj;
      if (typeof min === 'number' && typeof max === 'number' && min > max) {
        ck.add(`${path}/min_length`, 'must be no greater than max_length');
      }
      if (typeof initial === 'string' && typeof max === 'number' && initial.length > max) {
        ck.add(`${path}/initial_value`, `must be less than ${max + 1} characters`);
      }
    },
  },
  datepicker: {
    fields: { ...selectCommon, initial_date: pattern(/^\d{4}-\d{2}-\d{2}$/, 'a date formatted YYYY-MM-DD') },
  },
  timepicker: {
    fields: { ...selectCommon, initial_time: pattern(/^\d{2}:\d{2}$/, 'a time formatted HH:mm'), timezone: str() },
  },
  datetimepicker: {
    fields: { ...actionable, confirm, focus_on_load: focusOnLoad, initial_date_time: int(0) },
  },
  number_input: {
    fields: { ...textInputCommon, is_decimal_allowed: bool, initial_value: str(), min_value: str(), max_value: str() },
    required: ['is_decimal_allowed'],
  },
  email_text_input: { fields: { ...textInputCommon, initial_value: str() } },
  url_text_input: { fields: { ...textInputCommon, initial_value: str() } },
  image: {
    fields: { type: typeField, image_url: str(L.IMAGE_URL_MAX), slack_file: slackFile, alt_text: str(L.IMAGE_ALT_TEXT_MAX) },
    required: ['alt_text'],
    extra: imageSource,
  },
};

const SELECTS = [
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
];
const PICKERS = ['datepicker', 'timepicker', 'datetimepicker'];
const CHOICES = ['checkboxes', 'radio_buttons'];

const actionsElement = byType(ELEMENTS, ['button', 'overflow', ...SELECTS, ...PICKERS, ...CHOICES], 'actions blocks');
const accessory = byType(
  ELEMENTS,
  ['button', 'overflow', 'image', ...SELECTS, 'datepicker', 'timepicker', ...CHOICES],
  'a section accessory',
);
const inputElement = byType(
  ELEMENTS,
  ['plain_text_input', 'number_input', 'email_text_input', 'url_text_input', ...SELECTS, ...PICKERS, ...CHOICES],
  'input blocks',
);
const contextElement: Check = (ck, value, path) => {
  if (isObj(value) && value.type === 'image') return void checkShape(ck, value, path, ELEMENTS.image);
  anyText(L.TEXT_OBJECT_MAX)(ck, value, path);
};

// ---- rich text (structure only: Slack documents no lengths) --------------------------------

const richStyle = shaped({
  fields: Object.fromEntries(
    ['bold', 'italic', 'strike', 'code', 'underline', 'highlight', 'client_highlight', 'unlink'].map((k) => [k, bool]),
  ),
});

function inline(fields: Record<string, Check>, required: string[]): Shape {
  return { fields: { type: typeField, style: richStyle, ...fields }, required };
}

const INLINE: Record<string, Shape> = {
  text: inline({ text: str(Infinity, 0) }, ['text']),
  link: inline({ url: str(), text: str(Infinity, 0), unsafe: bool }, ['url']),
  emoji: inline({ name: str(), unicode: str(), url: str(), skin_tone: int(1, 6) }, ['name']),
  user: inline({ user_id: str() }, ['user_id']),
  channel: inline({ channel_id: str() }, ['channel_id']),
  usergroup: inline({ usergroup_id: str() }, ['usergroup_id']),
  team: inline({ team_id: str() }, ['team_id']),
  broadcast: inline({ range: oneOf('here', 'channel', 'everyone') }, ['range']),
  date: inline({ timestamp: int(0), format: str(), url: str(), fallback: str() }, ['timestamp', 'format']),
  color: inline({ value: str() }, ['value']),
};
const inlineElements = arrayOf(byType(INLINE, Object.keys(INLINE), 'rich text'));
const richSection: Shape = { fields: { type: typeField, elements: inlineElements }, required: ['elements'] };
const border = int(0, 1);

const RICH_CONTAINERS: Record<string, Shape> = {
  rich_text_section: richSection,
  rich_text_quote: { fields: { ...richSection.fields, border }, required: ['elements'] },
  rich_text_preformatted: { fields: { ...richSection.fields, border, language: str() }, required: ['elements'] },
  rich_text_list: {
    fields: {
      type: typeField,
      elements: arrayOf(byType({ rich_text_section: richSection }, ['rich_text_section'], 'rich text lists')),
      style: oneOf('bullet', 'ordered'),
      indent: int(0, 8),
      offset: int(0),
      border,
    },
    required: ['elements', 'style'],
  },
};

// ---- blocks --------------------------------------------------------------------------------

const blockId: Check = (ck, value, path) => {
  str(L.BLOCK_ID_MAX)(ck, value, path);
  if (typeof value !== 'string') return;
  if (ck.blockIds.has(value)) ck.add(path, `duplicate block_id: ${value} (block_id must be unique in a message or view)`);
  ck.blockIds.add(value);
};

const blockBase = { type: typeField, block_id: blockId };

function uniqueActionIds(ck: Checker, obj: Obj, path: string): void {
  if (!Array.isArray(obj.elements)) return;
  const seen = new Set<string>();
  obj.elements.forEach((el, i) => {
    const id = isObj(el) ? el.action_id : undefined;
    if (typeof id !== 'string') return;
    if (seen.has(id)) ck.add(`${path}/elements/${i}/action_id`, `duplicate action_id: ${id} (action_id must be unique in a block)`);
    seen.add(id);
  });
}

const BLOCKS: Record<string, Shape> = {
  section: {
    fields: {
      ...blockBase,
      text: anyText(L.SECTION_TEXT_MAX),
      fields: arrayOf(anyText(L.SECTION_FIELD_TEXT_MAX), { min: 1, max: L.SECTION_FIELDS_MAX }),
      accessory,
      expand: bool,
    },
    extra: (ck, obj, path) => {
      if (obj.text === undefined && obj.fields === undefined) ck.add(path, 'missing required field: text or fields');
    },
  },
  header: { fields: { ...blockBase, text: plainText(L.HEADER_TEXT_MAX) }, required: ['text'] },
  divider: { fields: blockBase },
  context: {
    fields: { ...blockBase, elements: arrayOf(contextElement, { min: 1, max: L.CONTEXT_ELEMENTS_MAX }) },
    required: ['elements'],
  },
  actions: {
    fields: { ...blockBase, elements: arrayOf(actionsElement, { min: 1, max: L.ACTIONS_ELEMENTS_MAX }) },
    required: ['elements'],
    extra: uniqueActionIds,
  },
  input: {
    fields: {
      ...blockBase,
      label: plainText(L.INPUT_LABEL_MAX),
      element: inputElement,
      hint: plainText(L.INPUT_HINT_MAX),
      optional: bool,
      dispatch_action: bool,
    },
    required: ['label', 'element'],
  },
  image: {
    fields: {
      ...blockBase,
      image_url: str(L.IMAGE_URL_MAX),
      slack_file: slackFile,
      alt_text: str(L.IMAGE_ALT_TEXT_MAX),
      title: plainText(L.IMAGE_TITLE_MAX),
    },
    required: ['alt_text'],
    extra: imageSource,
  },
  rich_text: {
    fields: {
      ...blockBase,
      elements: arrayOf(byType(RICH_CONTAINERS, Object.keys(RICH_CONTAINERS), 'rich_text blocks'), { min: 1 }),
    },
    required: ['elements'],
  },
  markdown: { fields: { ...blockBase, text: str(L.MARKDOWN_BLOCK_TEXT_MAX) }, required: ['text'] },
};

const SURFACE_BLOCKS: Record<Surface, string[]> = {
  message: Object.keys(BLOCKS),
  modal: Object.keys(BLOCKS).filter((t) => t !== 'markdown'),
  home: Object.keys(BLOCKS).filter((t) => t !== 'markdown'),
};

function checkBlockList(ck: Checker, blocks: unknown, path: string): void {
  const where = ck.surface === 'message' ? 'messages' : `${ck.surface} views`;
  arrayOf(byType(BLOCKS, SURFACE_BLOCKS[ck.surface], where), { max: L.SURFACE_BLOCKS_MAX[ck.surface] })(ck, blocks, path);
}

/** Violations of a `blocks` array on the given surface, with paths under `/blocks`. */
export function validateBlocks(blocks: unknown, surface: Surface): Violation[] {
  const ck = new Checker(surface);
  checkBlockList(ck, blocks, '/blocks');
  return ck.finish();
}

// ---- views ---------------------------------------------------------------------------------

/** What Slack counts against the 250 kB view limit: the view as JSON, in UTF-8. */
export function viewPayloadBytes(view: unknown): number {
  return new TextEncoder().encode(JSON.stringify(view) ?? '').length;
}

function viewShape(surface: 'modal' | 'home'): Shape {
  const blocks: Check = (ck, value, path) => checkBlockList(ck, value, path);
  const common = {
    type: typeField,
    blocks,
    private_metadata: str(L.PRIVATE_METADATA_MAX, 0),
    callback_id: str(L.CALLBACK_ID_MAX, 0),
    external_id: str(L.EXTERNAL_ID_MAX, 0),
  };
  if (surface === 'home') return { fields: common, required: ['blocks'] };
  return {
    fields: {
      ...common,
      title: plainText(L.VIEW_TITLE_MAX),
      submit: plainText(L.VIEW_SUBMIT_MAX),
      close: plainText(L.VIEW_CLOSE_MAX),
      clear_on_close: bool,
      notify_on_close: bool,
    },
    required: ['title', 'blocks'],
    extra: (ck, obj) => {
      const hasInput = Array.isArray(obj.blocks) && obj.blocks.some((b) => isObj(b) && b.type === 'input');
      if (hasInput && obj.submit === undefined) ck.add('', 'missing required field: submit (a modal with input blocks needs one)');
    },
  };
}

/** Violations of a modal or Home tab view (`views.open/push/update/publish`). */
export function validateView(view: unknown): Violation[] {
  if (!isObj(view)) return [{ path: '', message: 'must be an object' }];
  if (view.type !== 'modal' && view.type !== 'home') return [{ path: '/type', message: 'must be one of modal, home' }];
  const ck = new Checker(view.type);
  checkShape(ck, view, '', viewShape(view.type));
  const bytes = viewPayloadBytes(view);
  if (bytes > L.VIEW_PAYLOAD_BYTES_MAX) {
    ck.add('', `view is ${bytes} bytes, more than ${L.VIEW_PAYLOAD_BYTES_MAX}`, 'view_too_large');
  }
  return ck.finish();
}

// ---- messages ------------------------------------------------------------------------------

/** The text a message's blocks carry (text objects, markdown blocks, rich text), as counted
 *  against Slack's undocumented cumulative cap. An approximation: Slack does not say how. */
export function blocksTextLength(blocks: unknown): number {
  if (Array.isArray(blocks)) return blocks.reduce((sum: number, b) => sum + blocksTextLength(b), 0);
  if (!isObj(blocks)) return 0;
  const own = ['plain_text', 'mrkdwn', 'markdown', 'text'].includes(String(blocks.type)) && typeof blocks.text === 'string'
    ? blocks.text.length
    : 0;
  return present(blocks).reduce((sum, [key, v]) => sum + (key === 'text' && typeof v === 'string' ? 0 : blocksTextLength(v)), own);
}

/** Violations of a message (`chat.*`, response_url). A `text` over 40,000 characters is not
 *  one: Slack accepts it, cut, with the warning `message_truncated`. */
export function validateMessage(message: { text?: unknown; blocks?: unknown }): Violation[] {
  const ck = new Checker('message');
  if (message.text !== undefined && typeof message.text !== 'string') ck.add('/text', 'must be a string');
  if (message.blocks !== undefined) {
    checkBlockList(ck, message.blocks, '/blocks');
    const total = blocksTextLength(message.blocks);
    if (total > L.MESSAGE_BLOCKS_TEXT_MAX) {
      ck.add('/blocks', `blocks carry ${total} characters of text, more than ${L.MESSAGE_BLOCKS_TEXT_MAX}`, 'msg_blocks_too_long');
    }
  }
  return ck.finish();
}
