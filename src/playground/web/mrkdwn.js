// Slack's text formats drawn as HTML: mrkdwn (with Slack's escaping, <links|labels>, mentions
// and dates), plain_text, and rich_text elements. Every string from the app is escaped here;
// the callers insert only what these functions return.

const EMOJI = {
  x: '❌', white_check_mark: '✅', heavy_check_mark: '✔️', warning: '⚠️', ghost: '👻', pushpin: '📌',
  hourglass_flowing_sand: '⏳', hourglass: '⌛', large_green_circle: '🟢', red_circle: '🔴',
  large_yellow_circle: '🟡', large_blue_circle: '🔵', white_circle: '⚪', black_circle: '⚫',
  arrows_counterclockwise: '🔄', repeat: '🔁', mag: '🔍', page_facing_up: '📄', bar_chart: '📊',
  rocket: '🚀', tada: '🎉', eyes: '👀', question: '❓', grey_question: '❔', information_source: 'ℹ️',
  bell: '🔔', no_bell: '🔕', clipboard: '📋', link: '🔗', gear: '⚙️', house: '🏠', zzz: '💤',
  skull: '💀', fire: '🔥', stopwatch: '⏱️', memo: '📝', package: '📦', arrow_right: '➡️',
  arrow_left: '⬅️', thumbsup: '👍', '+1': '👍', wave: '👋', robot_face: '🤖', file_folder: '📁',
  open_file_folder: '📂', scroll: '📜', small_blue_diamond: '🔹', small_orange_diamond: '🔸',
  black_small_square: '▪️', heavy_minus_sign: '➖', octagonal_sign: '🛑', no_entry: '⛔',
  no_entry_sign: '🚫', lock: '🔒', key: '🔑', calendar: '📅', label: '🏷️', bookmark: '🔖',
  busts_in_silhouette: '👥', bust_in_silhouette: '👤', card_index_dividers: '🗂️', inbox_tray: '📥',
  outbox_tray: '📤', sparkles: '✨', construction: '🚧', checkered_flag: '🏁', speech_balloon: '💬',
  point_right: '👉', heavy_plus_sign: '➕', leftwards_arrow_with_hook: '↩️', arrow_forward: '▶️',
  double_vertical_bar: '⏸️', black_square_for_stop: '⏹️', hammer_and_wrench: '🛠️', test_tube: '🧪',
  chart_with_upwards_trend: '📈', twisted_rightwards_arrows: '🔀', heavy_exclamation_mark: '❗',
  exclamation: '❗', bangbang: '‼️', boom: '💥', clock3: '🕒', timer_clock: '⏲️', wastebasket: '🗑️',
};

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Slack escapes only &, < and > in mrkdwn; the rest of the text is as typed. */
function unescapeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (m, name) => (EMOJI[name] ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : m));
}

/** The URL when it is one a page may follow; an app's `javascript:` link must not run here. */
export function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(String(url)) ? String(url) : null;
}

function link(url, labelHtml) {
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${labelHtml}</a>`;
}

/** A link when `url` is safe to follow, else the label alone. */
export function linkHtml(url, labelHtml) {
  const safe = safeUrl(url);
  return safe ? link(safe, labelHtml) : labelHtml;
}

const pad = (n) => String(n).padStart(2, '0');
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `<!date^1392734382^{date_short} at {time}|fallback>`, in the reader's time zone as Slack shows it. */
function formatDate(seconds, format, fallback) {
  const d = new Date(Number(seconds) * 1000);
  if (Number.isNaN(d.getTime())) return fallback ?? '';
  const time = `${d.getHours() % 12 || 12}:${pad(d.getMinutes())} ${d.getHours() < 12 ? 'AM' : 'PM'}`;
  const parts = {
    date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    date: `${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()}`,
    date_short: `${MONTHS[d.getMonth()].slice(0, 3)} ${d.getDate()}, ${d.getFullYear()}`,
    date_long: d.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }),
    time,
    time_secs: `${time.replace(/ (AM|PM)$/, '')}:${pad(d.getSeconds())} ${d.getHours() < 12 ? 'AM' : 'PM'}`,
    ago: ago(d),
  };
  parts.date_pretty = parts.date;
  parts.date_short_pretty = parts.date_short;
  parts.date_long_pretty = parts.date_long;
  return String(format).replace(/\{(\w+)\}/g, (m, key) => parts[key] ?? m);
}

function ago(d) {
  const s = Math.round((Date.now() - d.getTime()) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 86400) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** What `<…>` stands for: a link, a mention, a channel, a date, @here. */
function special(inner, ctx) {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? null : unescapeSlack(inner.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${escapeHtml(label ?? ctx.users[id] ?? id)}</span>`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return `<span class="mention">#${escapeHtml(label ?? ctx.channels[id] ?? id)}</span>`;
  }
  if (target.startsWith('!')) {
    const [command, ...args] = target.slice(1).split('^');
    if (command === 'date') return escapeHtml(formatDate(args[0], args[1] ?? '{date}', label));
    if (command === 'subteam') return `<span class="mention">${escapeHtml(label ?? '@group')}</span>`;
    return `<span class="mention">@${escapeHtml(label ?? command)}</span>`;
  }
  const url = safeUrl(unescapeSlack(target));
  if (!url) return escapeHtml(unescapeSlack(`<${inner}>`));
  return link(url, escapeHtml(label ?? url));
}

// Slack's emphasis needs a word boundary outside and no space inside the markers.
const OPEN = `(^|[\\s(\\[{"'.,;:!?\\u0002-]|&quot;|&#39;)`;
const CLOSE = `(?=$|[\\s)\\]}"'.,;:!?\\u0001-]|&quot;|&#39;)`;
const emphasis = (mark, tag) => [new RegExp(`${OPEN}\\${mark}(?=\\S)([^${mark}\\n]*?\\S)\\${mark}${CLOSE}`, 'g'), `$1<${tag}>$2</${tag}>`];
const EMPHASIS = [emphasis('*', 'b'), emphasis('_', 'i'), emphasis('~', 's')];

function inline(text, ctx, verbatim) {
  const kept = [];
  const keep = (html) => `\u0001${kept.push(html) - 1}\u0002`;
  let s = text.replace(/<([^<>\n]+)>/g, (m, inner) => keep(special(inner, ctx)));
  s = s.replace(/`([^`\n]+)`/g, (m, code) => keep(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
  if (!verbatim) s = s.replace(/https?:\/\/[^\s<>\u0001]+[^\s<>\u0001.,;:!?)]/g, (url) => keep(link(unescapeSlack(url), escapeHtml(unescapeSlack(url)))));
  s = escapeHtml(unescapeSlack(s));
  // Twice, so that nested emphasis (*_both_*) is found from the outside in.
  for (let pass = 0; pass < 2; pass += 1) for (const [pattern, replacement] of EMPHASIS) s = s.replace(pattern, replacement);
  s = emojify(s);
  return s.replace(/\u0001(\d+)\u0002/g, (m, i) => kept[Number(i)]);
}

function paragraphs(text, ctx, verbatim) {
  const lines = text.split('\n');
  const out = [];
  let quote = null;
  const flushQuote = () => {
    if (quote) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = null;
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const rest = /^(?:&gt;|>){3}\s?(.*)$/.exec(line);
    if (rest) {
      flushQuote();
      out.push(`<blockquote>${[rest[1], ...lines.slice(i + 1)].map((l) => inline(l, ctx, verbatim)).join('<br>')}</blockquote>`);
      return out.join('');
    }
    const quoted = /^(?:&gt;|>)\s?(.*)$/.exec(line);
    if (quoted) {
      quote ??= [];
      quote.push(inline(quoted[1], ctx, verbatim));
      continue;
    }
    flushQuote();
    out.push(inline(line, ctx, verbatim) + (i < lines.length - 1 && !/^(?:&gt;|>)/.test(lines[i + 1] ?? '') ? '<br>' : ''));
  }
  flushQuote();
  return out.join('');
}

/** mrkdwn as HTML. */
export function mrkdwnHtml(text, ctx, verbatim = false) {
  const parts = String(text ?? '').split('```');
  // An unclosed fence is text, as in Slack.
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`\`\`${parts.at(-1)}`);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre class="pre">${escapeHtml(unescapeSlack(part.replace(/^\n/, '').replace(/\n$/, '')))}</pre>`;
      let around = part;
      if (i > 0) around = around.replace(/^\n/, '');
      if (i < parts.length - 1) around = around.replace(/\n$/, '');
      return around === '' ? '' : `<span class="p">${paragraphs(around, ctx, verbatim)}</span>`;
    })
    .join('');
}

export function plainHtml(text, emoji = true) {
  const html = escapeHtml(text ?? '').replace(/\n/g, '<br>');
  return emoji === false ? html : emojify(html);
}

/** A text object (plain_text or mrkdwn) as HTML. */
export function textHtml(obj, ctx) {
  if (!obj) return '';
  return obj.type === 'mrkdwn' ? mrkdwnHtml(obj.text, ctx, obj.verbatim === true) : plainHtml(obj.text, obj.emoji);
}

function styled(html, style) {
  if (!style) return html;
  let out = html;
  if (style.code) out = `<code>${out}</code>`;
  if (style.bold) out = `<b>${out}</b>`;
  if (style.italic) out = `<i>${out}</i>`;
  if (style.strike) out = `<s>${out}</s>`;
  if (style.underline) out = `<u>${out}</u>`;
  return out;
}

function unicodeEmoji(el) {
  if (typeof el.unicode === 'string' && /^[0-9a-f]+(-[0-9a-f]+)*$/i.test(el.unicode)) {
    return String.fromCodePoint(...el.unicode.split('-').map((h) => parseInt(h, 16)));
  }
  return EMOJI[el.name] ?? `:${el.name}:`;
}

function richInline(elements, ctx, pre) {
  return (elements ?? [])
    .map((el) => {
      switch (el.type) {
        case 'text': {
          const html = escapeHtml(el.text ?? '');
          return styled(pre ? html : html.replace(/\n/g, '<br>'), el.style);
        }
        case 'link': {
          const url = safeUrl(el.url ?? '');
          const label = escapeHtml(el.text ?? el.url ?? '');
          return styled(url ? link(url, label) : label, el.style);
        }
        case 'emoji':
          return `<span class="emoji" title=":${escapeHtml(el.name ?? '')}:">${escapeHtml(unicodeEmoji(el))}</span>`;
        case 'user':
          return styled(`<span class="mention">@${escapeHtml(ctx.users[el.user_id] ?? el.user_id)}</span>`, el.style);
        case 'channel':
          return styled(`<span class="mention">#${escapeHtml(ctx.channels[el.channel_id] ?? el.channel_id)}</span>`, el.style);
        case 'usergroup':
          return `<span class="mention">@${escapeHtml(el.usergroup_id)}</span>`;
        case 'broadcast':
          return `<span class="mention">@${escapeHtml(el.range)}</span>`;
        case 'date':
          return escapeHtml(formatDate(el.timestamp, el.format ?? '{date}', el.fallback));
        case 'color':
          return `<span class="swatch" style="background:${/^#[0-9a-f]{3,8}$/i.test(el.value) ? el.value : 'transparent'}"></span>${escapeHtml(el.value)}`;
        default:
          return `<span class="bk-unsupported">${escapeHtml(el.type)}</span>`;
      }
    })
    .join('');
}

/** The elements of a rich_text block as HTML. */
export function richTextHtml(block, ctx) {
  return (block.elements ?? [])
    .map((el) => {
      switch (el.type) {
        case 'rich_text_section':
          return `<div class="rt-section">${richInline(el.elements, ctx, false)}</div>`;
        case 'rich_text_list': {
          const tag = el.style === 'ordered' ? 'ol' : 'ul';
          const start = el.offset ? ` start="${Number(el.offset) + 1}"` : '';
          const items = (el.elements ?? []).map((s) => `<li>${richInline(s.elements, ctx, false)}</li>`).join('');
          return `<${tag} class="rt-list${el.border ? ' rt-border' : ''}" style="margin-left:${Number(el.indent ?? 0) * 24}px"${start}>${items}</${tag}>`;
        }
        case 'rich_text_preformatted':
          return `<pre class="pre">${richInline(el.elements, ctx, true)}</pre>`;
        case 'rich_text_quote':
          return `<blockquote>${richInline(el.elements, ctx, false)}</blockquote>`;
        default:
          return `<div class="bk-unsupported">rich text element ${escapeHtml(el.type)}</div>`;
      }
    })
    .join('');
}
