// The playground page: a Slack client for one person in one workspace. The server keeps the
// whole state (messages, modals, Home); this page draws it, redraws what changed when the
// server says something did, and sends what the person does to /ui/…, which turns it into the
// requests Slack would send the app.

import { closeMenu, h, renderAttachments, renderBlocks, Surface } from './blockkit.js';
import { escapeHtml, mrkdwnHtml } from './mrkdwn.js';

const $ = (id) => document.getElementById(id);

const page = {
  data: null,
  place: { kind: 'channel', id: null },
  thread: null,
  /** A top-level message the person just sent: the app answers in its thread, which opens. */
  follow: null,
  reported: new Set(),
  drawn: { timeline: new Map(), thread: new Map(), modal: '', home: '', problems: -1, sidebar: '' },
  modalSurface: null,
  homeSurface: null,
};

async function post(path, body) {
  const res = await fetch(`/ui/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

/** The server records what went wrong when it talked to the app; this is for the page's own. */
function report(summary, details = []) {
  if (page.reported.has(summary)) return;
  page.reported.add(summary);
  post('problem', { summary, details }).catch(() => {});
}

/** The server has already recorded why a request failed; the page only must not break. */
async function send(path, body) {
  try {
    return await post(path, body);
  } catch {
    return null;
  }
}

function ctx() {
  const { users, channels } = page.data;
  return { users, channels: Object.fromEntries(channels.map((c) => [c.id, c.name])) };
}

function currentChannel() {
  return page.place.kind === 'app' ? page.data.dm : page.place.id;
}

function time(ts) {
  const d = new Date(Number(String(ts).split('.')[0]) * 1000);
  return `${d.getHours() % 12 || 12}:${String(d.getMinutes()).padStart(2, '0')} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

function avatar(userId) {
  const isBot = userId === page.data.bot.id;
  const name = page.data.users[userId] ?? userId;
  if (isBot) return h('img', { class: 'avatar avatar-bot', src: '/assets/logo.svg', alt: '' });
  return h('div', { class: 'avatar', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase());
}

function messageSurface(m) {
  const ref = { kind: 'message', channel: m.channel, ts: m.ts };
  return new Surface({
    kind: 'message',
    ref,
    ctx: ctx(),
    report,
    act: (action, values) => send('action', { surface: ref, action, values }),
    suggest: async (suggestion, values) => (await send('suggest', { surface: ref, ...suggestion, values })) ?? { options: [] },
  });
}

function filesEl(files) {
  return h(
    'div',
    { class: 'msg-files' },
    files.map((f) =>
      h(
        'div',
        { class: 'file' },
        h(
          'div',
          { class: 'file-head' },
          h('span', { class: 'file-icon' }, '📄'),
          h('a', { href: f.url, target: '_blank', rel: 'noopener' }, f.title),
          h('span', { class: 'file-meta' }, `${f.name} · ${f.size.toLocaleString()} bytes`),
        ),
        f.preview ? h('pre', { class: 'file-preview' }, f.preview) : null,
      ),
    ),
  );
}

function repliesOf(m) {
  return page.data.messages.filter((r) => r.channel === m.channel && r.thread_ts === m.ts && r.ts !== m.ts);
}

function messageEl(m, inThread) {
  const isBot = m.user === page.data.bot.id;
  const c = ctx();
  const content = m.blocks?.length ? renderBlocks(m.blocks, messageSurface(m)) : h('div', { class: 'msg-text', html: mrkdwnHtml(m.text, c) });
  const replies = inThread ? [] : repliesOf(m);
  return h(
    'div',
    { class: `msg${m.ephemeral ? ' msg-ephemeral' : ''}`, 'data-ts': m.ts, 'data-user': m.user },
    avatar(m.user),
    h(
      'div',
      { class: 'msg-body' },
      m.ephemeral ? h('div', { class: 'msg-only-you' }, '👁 Only visible to you') : null,
      h(
        'div',
        { class: 'msg-head' },
        h('span', { class: 'msg-author' }, page.data.users[m.user] ?? m.user),
        isBot ? h('span', { class: 'app-badge' }, 'APP') : null,
        h('span', { class: 'msg-time' }, time(m.ts)),
        m.edited ? h('span', { class: 'msg-edited' }, '(edited)') : null,
      ),
      content,
      m.attachments?.length ? renderAttachments(m.attachments, messageSurface(m)) : null,
      m.files?.length ? filesEl(m.files) : null,
      replies.length
        ? h(
            'button',
            { class: 'msg-replies', type: 'button', onclick: () => openThread(m) },
            h('span', { class: 'reply-avatars' }, [...new Set(replies.map((r) => r.user))].slice(0, 3).map(avatar)),
            `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`,
          )
        : null,
    ),
  );
}

/** Draws a list of messages, keeping the elements of those that did not change (and with them
 *  whatever the person had picked in a select). */
function drawMessages(container, messages, drawn, inThread) {
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const seen = new Set();
  const elements = messages.map((m) => {
    const key = `${m.channel}/${m.ts}`;
    seen.add(key);
    const signature = JSON.stringify([m, inThread ? 0 : repliesOf(m).map((r) => r.ts)]);
    const old = drawn.get(key);
    if (old?.signature === signature) return old.el;
    const el = messageEl(m, inThread);
    drawn.set(key, { signature, el });
    return el;
  });
  for (const key of drawn.keys()) if (!seen.has(key)) drawn.delete(key);
  const changed = elements.length !== container.children.length || elements.some((el, i) => container.children[i] !== el);
  if (changed) {
    container.replaceChildren(...elements);
    if (nearBottom || messages.at(-1)?.user === page.data.me.id) container.scrollTop = container.scrollHeight;
  }
}

function drawSidebar() {
  const { team, channels, bot } = page.data;
  const signature = JSON.stringify([page.place, team.name]);
  if (signature === page.drawn.sidebar) return;
  page.drawn.sidebar = signature;
  $('team-name').textContent = team.name;
  $('channel-list').replaceChildren(
    ...channels.map((c) =>
      h('li', {}, h('button', { type: 'button', class: `side-item${page.place.kind === 'channel' && page.place.id === c.id ? ' active' : ''}`, 'data-channel': c.name, onclick: () => go({ kind: 'channel', id: c.id }) }, h('span', { class: 'hash' }, '#'), c.name)),
    ),
  );
  $('app-list').replaceChildren(
    h('li', {}, h('button', { type: 'button', class: `side-item${page.place.kind === 'app' ? ' active' : ''}`, 'data-app': bot.name, onclick: () => go({ kind: 'app', tab: 'home' }) }, h('span', { class: 'app-dot' }), bot.name)),
  );
}

function drawPane() {
  const { place } = page;
  const isApp = place.kind === 'app';
  const channel = page.data.channels.find((c) => c.id === place.id);
  $('pane-title').innerHTML = isApp ? `<span class="app-dot"></span>${escapeHtml(page.data.bot.name)}` : `# ${escapeHtml(channel?.name ?? '')}`;
  $('tabs').hidden = !isApp;
  for (const tab of $('tabs').querySelectorAll('button')) tab.classList.toggle('active', isApp && tab.dataset.tab === place.tab);
  const home = isApp && place.tab === 'home';
  $('home').hidden = !home;
  $('timeline').hidden = home;
  $('composer').hidden = home;
  $('composer-input').placeholder = isApp ? `Message ${page.data.bot.name}` : `Message #${channel?.name ?? ''}`;
  if (home) drawHome();
  else {
    const messages = page.data.messages.filter((m) => m.channel === currentChannel() && (!m.thread_ts || m.thread_ts === m.ts));
    drawMessages($('timeline'), messages, page.drawn.timeline, false);
  }
}

function drawHome() {
  const view = page.data.home;
  const signature = view ? `${view.id}:${view.hash}` : 'none';
  if (signature === page.drawn.home) return;
  page.drawn.home = signature;
  if (!view) {
    $('home').replaceChildren(h('div', { class: 'home-empty' }, 'Opening Home…'));
    return;
  }
  const previous = page.homeSurface?.values();
  const ref = { kind: 'view', id: view.id };
  page.homeSurface = new Surface({
    kind: 'home',
    ref,
    ctx: ctx(),
    report,
    previous,
    act: (action, values) => send('action', { surface: ref, action, values }),
    suggest: async (suggestion, values) => (await send('suggest', { surface: ref, ...suggestion, values })) ?? { options: [] },
  });
  $('home').replaceChildren(h('div', { class: 'home-view', 'data-view-id': view.id }, renderBlocks(view.blocks, page.homeSurface)));
}

function openThread(m) {
  page.thread = { channel: m.channel, ts: m.ts };
  page.drawn.thread.clear();
  drawThread();
  $('thread-input').focus();
}

function drawThread() {
  const aside = $('thread');
  const t = page.thread;
  const parent = t && page.data.messages.find((m) => m.channel === t.channel && m.ts === t.ts);
  aside.hidden = !parent;
  if (!parent) return;
  const channel = page.data.channels.find((c) => c.id === t.channel);
  $('thread-where').textContent = channel ? `#${channel.name}` : page.data.bot.name;
  drawMessages($('thread-messages'), [parent, ...repliesOf(parent)], page.drawn.thread, true);
}

const BACK_ICON = '<svg viewBox="0 0 20 20" aria-hidden="true"><path d="M12.5 4.5 7 10l5.5 5.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>';

function modalCard(view, surface, depth, total) {
  const top = depth === total - 1;
  const header = h(
    'div',
    { class: 'modal-header' },
    total > 1 && top ? h('button', { class: 'modal-back', type: 'button', 'aria-label': 'Back', onclick: () => closeView(view, false), html: BACK_ICON }) : null,
    h('div', { class: 'modal-title' }, view.title?.text ?? ''),
    h('button', { class: 'modal-x', type: 'button', 'aria-label': 'Close', onclick: () => closeView(view, true) }, '✕'),
  );
  if (!top) return h('div', { class: 'modal-card modal-under', style: `--depth:${total - 1 - depth}` }, header);
  const submit = view.submit ? h('button', { class: 'bk-button bk-primary modal-submit', type: 'button' }, view.submit.text) : null;
  submit?.addEventListener('click', async () => {
    const refused = surface.clientErrors();
    surface.showErrors(refused);
    if (Object.keys(refused).length) return;
    submit.classList.add('bk-busy');
    const answer = await send('submit', { view_id: view.id, values: surface.values() });
    submit.classList.remove('bk-busy');
    if (answer?.errors) surface.showErrors(answer.errors);
  });
  const hasInputs = (view.blocks ?? []).some((b) => b.type === 'input');
  const close = h('button', { class: 'bk-button modal-close', type: 'button', onclick: () => closeView(view, false) }, view.close?.text ?? (hasInputs || view.submit ? 'Cancel' : 'Close'));
  return h(
    'div',
    { class: 'modal-card', role: 'dialog', 'aria-modal': 'true', 'data-view-id': view.id, 'data-callback-id': view.callback_id ?? '' },
    header,
    h('div', { class: 'modal-body' }, renderBlocks(view.blocks, surface)),
    h('div', { class: 'modal-footer' }, close, submit),
  );
}

function closeView(view, all) {
  send('close', { view_id: view.id, all });
}

function drawModal() {
  const stack = page.data.modal;
  const signature = stack.map((v) => `${v.id}:${v.hash}`).join(',');
  if (signature === page.drawn.modal) return;
  page.drawn.modal = signature;
  closeMenu();
  const layer = $('modal-layer');
  if (stack.length === 0) {
    layer.hidden = true;
    layer.replaceChildren();
    page.modalSurface = null;
    return;
  }
  const top = stack.at(-1);
  const previous = page.modalSurface?.ref.id === top.id ? page.modalSurface.values() : undefined;
  const ref = { kind: 'view', id: top.id };
  page.modalSurface = new Surface({
    kind: 'modal',
    ref,
    ctx: ctx(),
    report,
    previous,
    act: (action, values) => send('action', { surface: ref, action, values }),
    suggest: async (suggestion, values) => (await send('suggest', { surface: ref, ...suggestion, values })) ?? { options: [] },
  });
  layer.replaceChildren(h('div', { class: 'modal-stack' }, stack.map((v, i) => modalCard(v, page.modalSurface, i, stack.length))));
  layer.hidden = false;
}

function drawProblems() {
  const { problems } = page.data;
  if (problems.length === page.drawn.problems) return;
  page.drawn.problems = problems.length;
  const box = $('problems');
  box.hidden = problems.length === 0;
  box.replaceChildren(
    h('div', { class: 'problems-title' }, `⚠ ${problems.length} problem${problems.length === 1 ? '' : 's'}: what Slack would refuse, or the app answered wrongly`),
    h(
      'ol',
      { class: 'problems-list' },
      problems.map((p) => h('li', { class: 'problem', 'data-source': p.source }, h('b', {}, `${p.source}: `), p.summary, p.details.length ? h('ul', {}, p.details.map((d) => h('li', {}, d))) : null)),
    ),
  );
}

function draw() {
  $('starting').hidden = page.data.connected;
  drawSidebar();
  drawPane();
  drawThread();
  drawModal();
  drawProblems();
  const follow = page.follow;
  if (follow && !page.thread) {
    const parent = page.data.messages.find((m) => m.channel === follow.channel && m.ts === follow.ts);
    if (parent && repliesOf(parent).length) {
      page.follow = null;
      openThread(parent);
    }
  }
}

function go(place) {
  page.place = place;
  page.thread = null;
  page.drawn.timeline.clear();
  page.drawn.home = '';
  $('timeline').replaceChildren();
  draw();
  if (place.kind === 'app' && place.tab === 'home') send('home', {});
  if (!$('composer').hidden) $('composer-input').focus();
}

let refreshing = null;
let again = false;

async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const res = await fetch('/state');
      page.data = await res.json();
      draw();
    } while (again);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

function notice(text) {
  const el = h('div', { class: 'composer-notice' }, text);
  $('composer-notices').replaceChildren(el);
  setTimeout(() => el.remove(), 6000);
}

async function submitText(input, threadTs) {
  const text = input.value;
  if (!text.trim()) return;
  const first = text.trim().split(/\s/)[0];
  if (first.startsWith('/') && !page.data.commands.some((c) => c.command === first)) {
    notice(`${first} is not a valid command. This app has ${page.data.commands.map((c) => c.command).join(', ')}.`);
    return;
  }
  input.value = '';
  input.style.height = '';
  const answer = await send('type', { channel: threadTs ? page.thread.channel : currentChannel(), text, thread_ts: threadTs });
  if (answer?.ts && !threadTs) page.follow = { channel: currentChannel(), ts: answer.ts };
}

function wireComposer(input, hint, threadTs) {
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submitText(input, threadTs());
    }
  });
  input.addEventListener('input', () => {
    input.style.height = '';
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
    if (!hint) return;
    const typed = input.value;
    const commands = typed.startsWith('/') && !typed.includes(' ') ? page.data.commands.filter((c) => c.command.startsWith(typed)) : [];
    hint.hidden = commands.length === 0;
    hint.replaceChildren(
      ...commands.map((c) =>
        h(
          'button',
          {
            type: 'button',
            class: 'command-hint',
            onclick: () => {
              input.value = `${c.command} `;
              hint.hidden = true;
              input.focus();
            },
          },
          h('b', {}, c.command),
          h('span', {}, ` ${c.usage_hint ?? ''}`),
          h('span', { class: 'command-description' }, c.description ?? ''),
        ),
      ),
    );
  });
}

function start() {
  wireComposer($('composer-input'), $('command-hints'), () => undefined);
  wireComposer($('thread-input'), null, () => page.thread?.ts);
  $('composer').addEventListener('submit', (e) => e.preventDefault());
  $('thread-composer').addEventListener('submit', (e) => e.preventDefault());
  $('thread-close').addEventListener('click', () => {
    page.thread = null;
    drawThread();
  });
  for (const tab of $('tabs').querySelectorAll('button')) tab.addEventListener('click', () => go({ kind: 'app', tab: tab.dataset.tab }));
  const updates = new EventSource('/updates');
  updates.onmessage = () => refresh();
  send('reload', {})
    .then(() => refresh())
    .then(() => {
      if (page.place.id === null) go({ kind: 'channel', id: page.data.channels[0].id });
    });
}

start();
