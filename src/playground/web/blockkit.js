// Block Kit drawn as Slack's client draws it, close enough to judge a design, and interactive
// the way Slack is: every element reports its state (`state.values`) and sends the action Slack
// would send. A block or element this page cannot draw shows in red and is reported, so that
// nothing the app sends is silently left out.

import { escapeHtml, linkHtml, mrkdwnHtml, plainHtml, richTextHtml, safeUrl, textHtml } from './mrkdwn.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'html') el.innerHTML = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) el.append(child);
  return el;
}

/**
 * One surface: a message, a modal view or the Home view. It knows where its actions go and
 * collects the state of its elements as Slack's `state.values`.
 *
 *   kind: 'message' | 'modal' | 'home'; ref: where the page's server finds it;
 *   ctx: { users, channels } for mentions; act(action, values), suggest(action, query, values),
 *   report(summary, details); previous: the values to keep from the last drawing of this view.
 */
export class Surface {
  constructor(opts) {
    Object.assign(this, opts);
    this.fields = new Map();
    this.errorSlots = new Map();
    this.checks = [];
  }

  /** What Slack's client itself refuses to submit: empty required inputs, too short text. */
  clientErrors() {
    const errors = {};
    for (const check of this.checks) {
      const message = check();
      if (message) errors[message[0]] = message[1];
    }
    return errors;
  }

  register(blockId, actionId, read) {
    if (!this.fields.has(blockId)) this.fields.set(blockId, new Map());
    this.fields.get(blockId).set(actionId, read);
  }

  values() {
    const values = {};
    for (const [blockId, actions] of this.fields) {
      values[blockId] = {};
      for (const [actionId, read] of actions) values[blockId][actionId] = read();
    }
    return values;
  }

  /** What the person entered before this view was drawn again, for input blocks only:
   *  Slack keeps those across views.update when the block and action ids stay. */
  kept(blockId, actionId) {
    return this.previous?.[blockId]?.[actionId];
  }

  async dispatch(action, el) {
    el.classList.add('bk-busy');
    try {
      await this.act(action, this.values());
    } finally {
      el.classList.remove('bk-busy');
    }
  }

  showErrors(errors) {
    for (const [blockId, slot] of this.errorSlots) {
      const message = errors?.[blockId];
      slot.textContent = message ?? '';
      slot.hidden = !message;
      slot.closest('.bk-input')?.classList.toggle('bk-has-error', Boolean(message));
    }
    const unknown = Object.keys(errors ?? {}).filter((id) => !this.errorSlots.has(id));
    if (unknown.length) this.report(`view_submission errors name blocks that are not input blocks of the view: ${unknown.join(', ')}`, []);
  }
}

function unsupported(what, surface) {
  surface.report(`The playground cannot draw ${what}`, []);
  return h('div', { class: 'bk-unsupported' }, `Not drawn: ${what}`);
}

// ---- menus (selects and overflow) ----------------------------------------------------------

let openMenu = null;

export function closeMenu() {
  openMenu?.close();
}

function placeMenu(menu, anchor) {
  const r = anchor.getBoundingClientRect();
  menu.style.minWidth = `${Math.max(r.width, 220)}px`;
  menu.style.left = `${Math.min(r.left, window.innerWidth - Math.max(r.width, 220) - 8)}px`;
  const below = window.innerHeight - r.bottom;
  if (below < 240 && r.top > below) {
    menu.style.bottom = `${window.innerHeight - r.top + 4}px`;
    menu.style.maxHeight = `${Math.min(320, r.top - 16)}px`;
  } else {
    menu.style.top = `${r.bottom + 4}px`;
    menu.style.maxHeight = `${Math.min(320, below - 16)}px`;
  }
}

/**
 * A popover list under `anchor`. `load(query)` answers `{ options }`, `{ option_groups }` or
 * `{ notice }`; `pick(option)` is called with the option chosen.
 */
function showMenu(anchor, { search, load, pick, selected = [], ctx }) {
  closeMenu();
  const list = h('div', { class: 'bk-menu-list' });
  const input = search ? h('input', { class: 'bk-menu-search', type: 'text', placeholder: 'Search', 'aria-label': 'Search options' }) : null;
  const menu = h('div', { class: 'bk-menu', role: 'listbox' }, input, list);
  const outside = (e) => {
    if (!menu.contains(e.target) && !anchor.contains(e.target)) close();
  };
  const onKey = (e) => {
    if (e.key === 'Escape') close();
  };
  function close() {
    menu.remove();
    document.removeEventListener('mousedown', outside, true);
    document.removeEventListener('keydown', onKey, true);
    anchor.setAttribute('aria-expanded', 'false');
    if (openMenu?.menu === menu) openMenu = null;
  }
  const optionEl = (opt) =>
    h(
      'div',
      {
        class: `bk-menu-option${selected.includes(opt.value) ? ' bk-selected' : ''}`,
        role: 'option',
        'data-value': opt.value,
        onclick: () => {
          close();
          pick(opt);
        },
      },
      h('span', { html: textHtml(opt.text, ctx) }),
      opt.description ? h('span', { class: 'bk-option-description', html: textHtml(opt.description, ctx) }) : null,
    );
  let generation = 0;
  async function refresh(query) {
    const mine = (generation += 1);
    list.replaceChildren(h('div', { class: 'bk-menu-notice' }, 'Loading…'));
    const result = await load(query);
    if (mine !== generation) return;
    const items = [];
    if (result.notice) items.push(h('div', { class: 'bk-menu-notice' }, result.notice));
    for (const opt of result.options ?? []) items.push(optionEl(opt));
    for (const group of result.option_groups ?? []) {
      items.push(h('div', { class: 'bk-menu-group', html: textHtml(group.label, ctx) }));
      for (const opt of group.options ?? []) items.push(optionEl(opt));
    }
    if (items.length === 0) items.push(h('div', { class: 'bk-menu-notice' }, 'No results'));
    list.replaceChildren(...items);
  }
  let timer = null;
  input?.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => refresh(input.value), 150);
  });
  document.body.append(menu);
  placeMenu(menu, anchor);
  anchor.setAttribute('aria-expanded', 'true');
  document.addEventListener('mousedown', outside, true);
  document.addEventListener('keydown', onKey, true);
  openMenu = { menu, close };
  input?.focus();
  refresh('');
}

function filterOptions(source, query) {
  const q = query.trim().toLowerCase();
  const match = (opt) => !q || String(opt.text?.text ?? '').toLowerCase().includes(q);
  if (source.option_groups) return { option_groups: source.option_groups.map((g) => ({ ...g, options: (g.options ?? []).filter(match) })).filter((g) => g.options.length) };
  return { options: (source.options ?? []).filter(match) };
}

// ---- confirmation dialogs ------------------------------------------------------------------

function confirmDialog(confirm, ctx) {
  return new Promise((resolve) => {
    const done = (answer) => {
      layer.remove();
      resolve(answer);
    };
    const style = confirm.style === 'danger' ? 'bk-danger' : 'bk-primary';
    const layer = h(
      'div',
      { class: 'confirm-layer' },
      h(
        'div',
        { class: 'confirm', role: 'dialog' },
        h('div', { class: 'confirm-title', html: plainHtml(confirm.title?.text ?? 'Are you sure?') }),
        h('div', { class: 'confirm-text', html: textHtml(confirm.text, ctx) }),
        h(
          'div',
          { class: 'confirm-buttons' },
          h('button', { class: 'bk-button', type: 'button', onclick: () => done(false), html: plainHtml(confirm.deny?.text ?? 'Cancel') }),
          h('button', { class: `bk-button ${style}`, type: 'button', onclick: () => done(true), html: plainHtml(confirm.confirm?.text ?? 'Yes') }),
        ),
      ),
    );
    document.body.append(layer);
  });
}

// ---- elements -------------------------------------------------------------------------------

function optionFor(name, value) {
  return { text: { type: 'plain_text', text: name }, value };
}

/** Options a select offers: its own, the app's (external), or the workspace's users or channels. */
function optionSource(el, kind, blockId, surface) {
  switch (kind) {
    case 'static_select':
      return async (query) => filterOptions(el, query);
    case 'external_select': {
      const min = el.min_query_length ?? 3;
      return async (query) => {
        if (query.length < min) return { notice: `Type ${min - query.length} more character${min - query.length === 1 ? '' : 's'} to search` };
        return surface.suggest({ action_id: el.action_id, block_id: blockId, value: query }, surface.values());
      };
    }
    case 'users_select':
      return async (query) => filterOptions({ options: Object.entries(surface.ctx.users).map(([id, name]) => optionFor(name, id)) }, query);
    default:
      return async (query) => filterOptions({ options: Object.entries(surface.ctx.channels).map(([id, name]) => optionFor(`#${name}`, id)) }, query);
  }
}

const SELECTED_FIELD = {
  static_select: ['selected_option', 'selected_options'],
  external_select: ['selected_option', 'selected_options'],
  users_select: ['selected_user', 'selected_users'],
  conversations_select: ['selected_conversation', 'selected_conversations'],
  channels_select: ['selected_channel', 'selected_channels'],
};

function initialSelection(el, kind, multi, ctx) {
  const byId = (names) => (id) => optionFor(kind === 'users_select' ? (names[id] ?? id) : `#${names[id] ?? id}`, id);
  switch (kind) {
    case 'static_select':
    case 'external_select':
      return multi ? (el.initial_options ?? []) : el.initial_option ? [el.initial_option] : [];
    case 'users_select':
      return (multi ? (el.initial_users ?? []) : el.initial_user ? [el.initial_user] : []).map(byId(ctx.users));
    case 'conversations_select':
      return (multi ? (el.initial_conversations ?? []) : el.initial_conversation ? [el.initial_conversation] : []).map(byId(ctx.channels));
    default:
      return (multi ? (el.initial_channels ?? []) : el.initial_channel ? [el.initial_channel] : []).map(byId(ctx.channels));
  }
}

function selectElement(el, blockId, surface, dispatch) {
  const multi = el.type.startsWith('multi_');
  const kind = el.type.replace(/^multi_/, '');
  const [one, many] = SELECTED_FIELD[kind];
  const keptValue = surface.kept(blockId, el.action_id);
  let selected = initialSelection(el, kind, multi, surface.ctx);
  if (keptValue) {
    const kept = keptValue[many] ?? (keptValue[one] ? [keptValue[one]] : []);
    selected = kept.map((v) => (typeof v === 'string' ? selected.find((o) => o.value === v) ?? optionFor(v, v) : v));
  }
  const asValue = (opt) => (kind === 'static_select' || kind === 'external_select' ? opt : opt.value);
  const state = () => ({ type: el.type, [multi ? many : one]: multi ? selected.map(asValue) : selected[0] ? asValue(selected[0]) : null });
  surface.register(blockId, el.action_id, state);
  const label = h('span', { class: 'bk-select-label' });
  const button = h('button', { class: 'bk-select', type: 'button', 'aria-haspopup': 'listbox', 'data-action-id': el.action_id }, label, h('span', { class: 'bk-chevron' }, '▾'));
  const draw = () => {
    if (selected.length === 0) label.innerHTML = `<span class="bk-placeholder">${plainHtml(el.placeholder?.text ?? 'Select an item')}</span>`;
    else label.innerHTML = selected.map((o) => textHtml(o.text, surface.ctx)).join(', ');
  };
  draw();
  button.addEventListener('click', () =>
    showMenu(button, {
      search: true,
      ctx: surface.ctx,
      selected: selected.map((o) => o.value),
      load: optionSource(el, kind, blockId, surface),
      pick: async (opt) => {
        if (multi) selected = selected.some((o) => o.value === opt.value) ? selected.filter((o) => o.value !== opt.value) : [...selected, opt];
        else selected = [opt];
        draw();
        if (!dispatch) return;
        if (el.confirm && !(await confirmDialog(el.confirm, surface.ctx))) return;
        surface.dispatch({ ...state(), action_id: el.action_id, block_id: blockId, ...(el.placeholder ? { placeholder: el.placeholder } : {}) }, button);
      },
    }),
  );
  return button;
}

/** A link button opens its URL in a new tab, as Slack's client does, and still sends its action. */
function openLink(url) {
  const safe = url && safeUrl(url);
  if (safe) window.open(safe, '_blank', 'noopener');
}

function buttonElement(el, blockId, surface) {
  const style = el.style === 'primary' ? ' bk-primary' : el.style === 'danger' ? ' bk-danger' : '';
  const button = h('button', { class: `bk-button${style}`, type: 'button', 'data-action-id': el.action_id, html: plainHtml(el.text?.text, el.text?.emoji) });
  button.addEventListener('click', async () => {
    if (el.confirm && !(await confirmDialog(el.confirm, surface.ctx))) return;
    openLink(el.url);
    const action = { type: 'button', action_id: el.action_id, block_id: blockId, text: el.text };
    if (el.value !== undefined) action.value = el.value;
    if (el.style) action.style = el.style;
    surface.dispatch(action, button);
  });
  return button;
}

function overflowElement(el, blockId, surface) {
  const button = h('button', { class: 'bk-overflow', type: 'button', 'aria-label': 'More actions', 'data-action-id': el.action_id }, '⋮');
  button.addEventListener('click', () =>
    showMenu(button, {
      search: false,
      ctx: surface.ctx,
      load: async () => ({ options: el.options ?? [] }),
      pick: async (opt) => {
        if (el.confirm && !(await confirmDialog(el.confirm, surface.ctx))) return;
        openLink(opt.url);
        surface.dispatch({ type: 'overflow', action_id: el.action_id, block_id: blockId, selected_option: opt }, button);
      },
    }),
  );
  return button;
}

let choiceGroups = 0;

function choicesElement(el, blockId, surface, dispatch) {
  const multi = el.type === 'checkboxes';
  const kept = surface.kept(blockId, el.action_id);
  const initial = kept ? (multi ? kept.selected_options : [kept.selected_option]) : multi ? el.initial_options : [el.initial_option];
  const chosen = new Set((initial ?? []).filter(Boolean).map((o) => o.value));
  const name = `choice-${(choiceGroups += 1)}`;
  const options = el.options ?? [];
  const state = () => {
    const picked = options.filter((o) => chosen.has(o.value));
    return multi ? { type: el.type, selected_options: picked } : { type: el.type, selected_option: picked[0] ?? null };
  };
  surface.register(blockId, el.action_id, state);
  const wrap = h('div', { class: `bk-choices bk-${el.type}`, 'data-action-id': el.action_id });
  for (const opt of options) {
    const input = h('input', { type: multi ? 'checkbox' : 'radio', name, value: opt.value, checked: chosen.has(opt.value) });
    input.addEventListener('change', () => {
      if (!multi) chosen.clear();
      if (input.checked) chosen.add(opt.value);
      else chosen.delete(opt.value);
      if (dispatch) surface.dispatch({ ...state(), action_id: el.action_id, block_id: blockId }, wrap);
    });
    wrap.append(
      h(
        'label',
        { class: 'bk-choice' },
        input,
        h('span', { class: 'bk-choice-text' }, h('span', { html: textHtml(opt.text, surface.ctx) }), opt.description ? h('span', { class: 'bk-option-description', html: textHtml(opt.description, surface.ctx) }) : null),
      ),
    );
  }
  return wrap;
}

const TEXT_INPUTS = { plain_text_input: 'text', email_text_input: 'email', url_text_input: 'url', number_input: 'text' };

function textInputElement(el, blockId, surface, dispatch) {
  const kept = surface.kept(blockId, el.action_id);
  const attrs = {
    class: 'bk-text-input',
    placeholder: el.placeholder?.text,
    'data-action-id': el.action_id,
    maxlength: el.max_length,
    inputmode: el.type === 'number_input' ? (el.is_decimal_allowed ? 'decimal' : 'numeric') : undefined,
  };
  const input = el.multiline ? h('textarea', { ...attrs, rows: 4 }) : h('input', { ...attrs, type: TEXT_INPUTS[el.type] });
  input.value = kept?.value ?? el.initial_value ?? '';
  surface.register(blockId, el.action_id, () => ({ type: el.type, value: input.value === '' ? null : input.value }));
  if (dispatch) {
    const send = () => surface.dispatch({ type: el.type, action_id: el.action_id, block_id: blockId, value: input.value }, input);
    const triggers = el.dispatch_action_config?.trigger_actions_on ?? ['on_enter_pressed'];
    if (triggers.includes('on_enter_pressed')) {
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && !e.shiftKey) {
          e.preventDefault();
          send();
        }
      });
    }
    if (triggers.includes('on_character_entered')) input.addEventListener('input', send);
  }
  return input;
}

function pickerElement(el, blockId, surface, dispatch) {
  const kept = surface.kept(blockId, el.action_id);
  let input;
  let read;
  if (el.type === 'datepicker') {
    input = h('input', { type: 'date', class: 'bk-text-input bk-picker' });
    input.value = kept?.selected_date ?? el.initial_date ?? '';
    read = () => ({ selected_date: input.value || null });
  } else if (el.type === 'timepicker') {
    input = h('input', { type: 'time', class: 'bk-text-input bk-picker' });
    input.value = kept?.selected_time ?? el.initial_time ?? '';
    read = () => ({ selected_time: input.value || null });
  } else {
    input = h('input', { type: 'datetime-local', class: 'bk-text-input bk-picker' });
    const initial = kept?.selected_date_time ?? el.initial_date_time;
    if (initial) input.value = new Date(initial * 1000 - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    read = () => ({ selected_date_time: input.value ? Math.floor(new Date(input.value).getTime() / 1000) : null });
  }
  input.setAttribute('data-action-id', el.action_id);
  surface.register(blockId, el.action_id, () => ({ type: el.type, ...read() }));
  if (dispatch) input.addEventListener('change', () => surface.dispatch({ type: el.type, action_id: el.action_id, block_id: blockId, ...read() }, input));
  return input;
}

function imageElement(el) {
  return h('img', { class: 'bk-image-element', src: el.image_url ?? el.slack_file?.url, alt: el.alt_text ?? '' });
}

/** An interactive element; `dispatch` is whether using it sends block_actions at once (always,
 *  except in an input block without dispatch_action). */
function element(el, blockId, surface, dispatch) {
  switch (el.type) {
    case 'button':
      return buttonElement(el, blockId, surface);
    case 'overflow':
      return overflowElement(el, blockId, surface);
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'multi_static_select':
    case 'multi_external_select':
    case 'multi_users_select':
    case 'multi_conversations_select':
    case 'multi_channels_select':
      return selectElement(el, blockId, surface, dispatch);
    case 'radio_buttons':
    case 'checkboxes':
      return choicesElement(el, blockId, surface, dispatch);
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return textInputElement(el, blockId, surface, dispatch);
    case 'datepicker':
    case 'timepicker':
    case 'datetimepicker':
      return pickerElement(el, blockId, surface, dispatch);
    case 'image':
      return imageElement(el);
    default:
      return unsupported(`element ${el.type}`, surface);
  }
}

// ---- blocks ---------------------------------------------------------------------------------

const BLOCKS = {
  section(block, blockId, surface) {
    const main = h('div', { class: 'bk-section-main' });
    if (block.text) main.append(h('div', { class: 'bk-text', html: textHtml(block.text, surface.ctx) }));
    if (block.fields?.length) main.append(h('div', { class: 'bk-fields' }, block.fields.map((f) => h('div', { class: 'bk-field', html: textHtml(f, surface.ctx) }))));
    const accessory = block.accessory ? h('div', { class: `bk-accessory bk-accessory-${block.accessory.type}` }, element(block.accessory, blockId, surface, true)) : null;
    return h('div', { class: 'bk-section' }, main, accessory);
  },
  header(block) {
    return h('div', { class: 'bk-header', html: plainHtml(block.text?.text, block.text?.emoji) });
  },
  divider() {
    return h('hr', { class: 'bk-divider' });
  },
  context(block, blockId, surface) {
    return h(
      'div',
      { class: 'bk-context' },
      (block.elements ?? []).map((el) =>
        el.type === 'image' ? h('img', { class: 'bk-context-image', src: el.image_url ?? el.slack_file?.url, alt: el.alt_text ?? '' }) : h('span', { class: 'bk-context-text', html: textHtml(el, surface.ctx) }),
      ),
    );
  },
  actions(block, blockId, surface) {
    return h('div', { class: 'bk-actions' }, (block.elements ?? []).map((el) => element(el, blockId, surface, true)));
  },
  input(block, blockId, surface) {
    const error = h('div', { class: 'bk-error', hidden: true });
    surface.errorSlots.set(blockId, error);
    const el = block.element ?? {};
    surface.checks.push(() => {
      const value = surface.fields.get(blockId)?.get(el.action_id)?.();
      if (!value) return null;
      const entered = Object.entries(value).filter(([key, v]) => key !== 'type' && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
      if (entered.length === 0) return block.optional ? null : [blockId, 'Please complete this required field.'];
      if (typeof value.value === 'string' && el.min_length && value.value.length < el.min_length) return [blockId, `Must have at least ${el.min_length} characters`];
      return null;
    });
    return h(
      'div',
      { class: 'bk-input' },
      h('label', { class: 'bk-label' }, h('span', { html: plainHtml(block.label?.text, block.label?.emoji) }), block.optional ? h('span', { class: 'bk-optional' }, ' (optional)') : null),
      block.element ? element(block.element, blockId, surface, block.dispatch_action === true) : null,
      block.hint ? h('div', { class: 'bk-hint', html: plainHtml(block.hint.text, block.hint.emoji) }) : null,
      error,
    );
  },
  image(block) {
    return h(
      'figure',
      { class: 'bk-image' },
      block.title ? h('figcaption', { html: plainHtml(block.title.text, block.title.emoji) }) : null,
      h('img', { src: block.image_url ?? block.slack_file?.url, alt: block.alt_text ?? '' }),
    );
  },
  rich_text(block, blockId, surface) {
    return h('div', { class: 'bk-rich-text', html: richTextHtml(block, surface.ctx) });
  },
  markdown(block, blockId, surface) {
    return h('div', { class: 'bk-markdown', html: mrkdwnHtml(block.text, surface.ctx) });
  },
};

export function renderBlocks(blocks, surface) {
  const container = h('div', { class: `bk-blocks bk-on-${surface.kind}` });
  (blocks ?? []).forEach((block, i) => {
    const draw = BLOCKS[block?.type];
    // Slack gives a block without an id one of its own.
    const blockId = block?.block_id ?? `block-${i}`;
    const drawn = draw ? draw(block, blockId, surface) : unsupported(`block ${String(block?.type)}`, surface);
    drawn.dataset.blockId = blockId;
    container.append(drawn);
  });
  return container;
}

/** Legacy attachments: a colour bar beside text, fields and (newer) blocks. */
export function renderAttachments(attachments, surface) {
  return h(
    'div',
    { class: 'attachments' },
    (attachments ?? []).map((a) => {
      const color = /^#?[0-9a-f]{6}$/i.test(a.color ?? '') ? (a.color.startsWith('#') ? a.color : `#${a.color}`) : { good: '#2eb67d', warning: '#ecb22e', danger: '#e01e5a' }[a.color] ?? '#dddddd';
      return h(
        'div',
        { class: 'attachment', style: `border-left-color:${color}` },
        a.pretext ? h('div', { html: mrkdwnHtml(a.pretext, surface.ctx) }) : null,
        a.title ? h('div', { class: 'attachment-title', html: linkHtml(a.title_link, escapeHtml(a.title)) }) : null,
        a.text ? h('div', { html: mrkdwnHtml(a.text, surface.ctx) }) : null,
        a.fields?.length ? h('div', { class: 'bk-fields' }, a.fields.map((f) => h('div', { class: 'bk-field', html: `<b>${escapeHtml(f.title ?? '')}</b><br>${mrkdwnHtml(f.value ?? '', surface.ctx)}` }))) : null,
        a.blocks ? renderBlocks(a.blocks, surface) : null,
        a.footer ? h('div', { class: 'bk-context', html: mrkdwnHtml(a.footer, surface.ctx) }) : null,
      );
    }),
  );
}
