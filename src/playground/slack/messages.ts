/** chat.* as Slack runs them: channels must exist and have the bot, every message is checked
 *  by validateMessage, and messages are kept so that updates, deletes, permalinks and reading
 *  them back (conversations.history and conversations.replies) work. */
import { MARKDOWN_TEXT_ARG_MAX, MESSAGE_ATTACHMENTS_MAX, MESSAGE_TEXT_MAX } from '../../../views/limits';
import { validateMessage } from '../../../views/validate';
import type { ResolvedChannel, Workspace } from './directory';
import type { Params } from './http';
import type { ResponseOrigin } from './response-urls';
import { badArgument, fail, missing, ok, rejectContent, type ApiResult, type Method } from './results';

/** Message metadata as chat.postMessage takes it and conversations.* return it. */
export interface FakeMetadata {
  event_type: string;
  event_payload: Params;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  thread_ts?: string;
  /** Ephemeral messages: who saw it. They cannot be updated or deleted through chat.*. */
  ephemeralTo?: string;
  /** Who posted it, when not the app: a person, or Slack sharing a file. */
  user?: string;
  /** Files shared with the message. */
  files?: Params[];
  metadata?: FakeMetadata;
  deleted: boolean;
  /** How many times chat.update changed it. */
  updates: number;
}

export interface FakeUnfurl {
  channel?: string;
  ts?: string;
  unfurl_id?: string;
  unfurls: Params;
}

function isRefusal(value: object): value is ApiResult {
  return (value as Partial<ApiResult>).ok === false;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Slack's message ts (`seconds.sequence`) compared as the instants they are; no float rounding. */
function compareTs(a: string, b: string): number {
  const [as, af = ''] = a.split('.');
  const [bs, bf = ''] = b.split('.');
  if (as.length !== bs.length) return as.length - bs.length;
  if (as !== bs) return as < bs ? -1 : 1;
  const [x, y] = [af.padEnd(6, '0'), bf.padEnd(6, '0')];
  return x === y ? 0 : x < y ? -1 : 1;
}

const TS = /^\d+(\.\d+)?$/;

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

/** A page of conversations.* results: offsets in an opaque cursor, as Slack's are opaque. */
function page<T>(items: T[], p: Params, defaultLimit: number, maxLimit: number): { items: T[]; next: string } | ApiResult {
  const limit = Math.min(Math.max(Math.trunc(Number(p.limit ?? defaultLimit)) || defaultLimit, 1), maxLimit);
  const start = missing(p.cursor) ? 0 : Number(Buffer.from(String(p.cursor), 'base64').toString('utf8').replace(/^offset:/, ''));
  if (!Number.isInteger(start) || start < 0) return fail('invalid_cursor');
  const end = start + limit;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : '' };
}

export class ChatApi {
  private readonly messages: FakeMessage[] = [];
  readonly unfurls: FakeUnfurl[] = [];
  private seq = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly now: () => number,
  ) {}

  methods(): Record<string, Method> {
    return {
      'chat.postMessage': (p) => this.post(p),
      'chat.postEphemeral': (p) => this.postEphemeral(p),
      'chat.update': (p) => this.update(p),
      'chat.delete': (p) => this.delete(p),
      'chat.getPermalink': (p) => this.permalink(p),
      'chat.unfurl': (p) => this.unfurl(p),
      'conversations.history': (p) => this.history(p),
      'conversations.replies': (p) => this.replies(p),
    };
  }

  /** Messages that were posted and not deleted, oldest first. */
  list(channel?: string): FakeMessage[] {
    return this.messages.filter((m) => !m.deleted && (channel === undefined || m.channel === channel));
  }

  /** A message someone other than the app posted; nothing checks it, as nothing checks what a
   *  person types. */
  postAs(user: string, channel: string, p: Params): FakeMessage {
    return this.add(channel, p, { user, ...(p.files ? { files: p.files } : {}) });
  }

  /** What Slack does with an accepted response_url post. */
  respond(origin: ResponseOrigin, body: Params): void {
    const original = this.messages.find((m) => m.channel === origin.channel && m.ts === origin.messageTs && !m.deleted);
    if (body.delete_original === true) {
      if (original) original.deleted = true;
      return;
    }
    if (body.replace_original === true && original) {
      Object.assign(original, { text: this.cut(body.text), blocks: body.blocks, attachments: body.attachments, updates: original.updates + 1 });
      return;
    }
    const ephemeralTo = body.response_type === 'in_channel' ? undefined : origin.user;
    this.add(origin.channel, { ...body, thread_ts: origin.threadTs }, ephemeralTo === undefined ? {} : { ephemeralTo });
  }

  private post(p: Params): ApiResult {
    const channel = this.joined(p.channel);
    if (isRefusal(channel)) return channel;
    const refused = this.checkContent(p);
    if (refused) return refused;
    const metadata = this.metadataOf(p.metadata);
    if (metadata && isRefusal(metadata)) return metadata;
    const message = this.add(channel.id, p, metadata ? { metadata } : {});
    return ok({ channel: channel.id, ts: message.ts, message: this.render(message), ...this.warnings(p) });
  }

  private postEphemeral(p: Params): ApiResult {
    const channel = this.joined(p.channel);
    if (isRefusal(channel)) return channel;
    if (!this.workspace.user(p.user)) return fail('user_not_found');
    const refused = this.checkContent(p);
    if (refused) return refused;
    const message = this.add(channel.id, p, { ephemeralTo: p.user });
    return ok({ message_ts: message.ts, ...this.warnings(p) });
  }

  private update(p: Params): ApiResult {
    const found = this.find(p.channel, p.ts);
    if (isRefusal(found)) return found;
    const refused = this.checkContent(p);
    if (refused) return refused;
    if (p.text !== undefined) found.text = this.cut(p.text);
    if (p.blocks !== undefined) found.blocks = p.blocks;
    if (p.attachments !== undefined) found.attachments = p.attachments;
    found.updates += 1;
    return ok({ channel: found.channel, ts: found.ts, text: found.text ?? '', message: this.render(found), ...this.warnings(p) });
  }

  private delete(p: Params): ApiResult {
    const found = this.find(p.channel, p.ts);
    if (isRefusal(found)) return found;
    found.deleted = true;
    return ok({ channel: found.channel, ts: found.ts });
  }

  private permalink(p: Params): ApiResult {
    const found = this.find(p.channel, p.message_ts);
    if (isRefusal(found)) return found;
    const { domain } = this.workspace.team;
    return ok({ channel: found.channel, permalink: `https://${domain}.slack.com/archives/${found.channel}/p${found.ts.replace('.', '')}` });
  }

  private unfurl(p: Params): ApiResult {
    const byMessage = !missing(p.channel) && !missing(p.ts);
    const byId = !missing(p.unfurl_id) && !missing(p.source);
    if (!byMessage && !byId) return badArgument('missing required field: channel and ts, or unfurl_id and source', '/channel');
    if (typeof p.unfurls !== 'object' || p.unfurls === null || Array.isArray(p.unfurls)) return fail('invalid_unfurls_format');
    for (const [url, unfurl] of Object.entries(p.unfurls as Params)) {
      const violations = validateMessage({ blocks: (unfurl as Params | null)?.blocks });
      if (violations.length) return rejectContent('message', violations, `/unfurls/${escapePointer(url)}`);
    }
    this.unfurls.push({ channel: p.channel, ts: p.ts, unfurl_id: p.unfurl_id, unfurls: p.unfurls });
    return ok();
  }

  /** Top-level messages (thread replies are conversations.replies'), newest first, between
   *  `oldest` and `latest` (exclusive unless `inclusive`); metadata only when asked for. */
  private history(p: Params): ApiResult {
    const channel = this.joined(p.channel);
    if (isRefusal(channel)) return channel;
    const within = this.window(p);
    if (isRefusal(within)) return within;
    const found = this.readableMessages(channel.id)
      .filter((m) => (m.thread_ts === undefined || m.thread_ts === m.ts) && within(m.ts))
      .sort((a, b) => compareTs(b.ts, a.ts));
    const paged = page(found, p, 100, 999);
    if (isRefusal(paged)) return paged;
    const metadata = flag(p.include_all_metadata);
    return ok({
      messages: paged.items.map((m) => this.render(m, metadata)),
      has_more: paged.next !== '',
      pin_count: 0,
      ...(paged.next ? { response_metadata: { next_cursor: paged.next } } : {}),
    });
  }

  /** A thread: its parent first (whatever the window, as Slack does), then the replies in the
   *  window, oldest first. `ts` may name the parent or any reply. */
  private replies(p: Params): ApiResult {
    const channel = this.joined(p.channel);
    if (isRefusal(channel)) return channel;
    if (missing(p.ts)) return badArgument('missing required field: ts', '/ts');
    const within = this.window(p);
    if (isRefusal(within)) return within;
    const messages = this.readableMessages(channel.id);
    const named = messages.find((m) => m.ts === p.ts);
    const parent = named && messages.find((m) => m.ts === (named.thread_ts ?? named.ts));
    if (!parent) return fail('thread_not_found');
    const replies = messages.filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts).sort((a, b) => compareTs(a.ts, b.ts));
    const paged = page([parent, ...replies.filter((m) => within(m.ts))], p, 1000, 1000);
    if (isRefusal(paged)) return paged;
    const metadata = flag(p.include_all_metadata);
    return ok({
      messages: paged.items.map((m) =>
        m === parent
          ? { ...this.render(m, metadata), ...(replies.length ? { thread_ts: m.ts, reply_count: replies.length } : {}) }
          : { ...this.render(m, metadata), parent_user_id: parent.user ?? this.workspace.bot.userId },
      ),
      has_more: paged.next !== '',
      ...(paged.next ? { response_metadata: { next_cursor: paged.next } } : {}),
    });
  }

  private readableMessages(channel: string): FakeMessage[] {
    return this.messages.filter((m) => m.channel === channel && !m.deleted && !m.ephemeralTo);
  }

  private window(p: Params): ((ts: string) => boolean) | ApiResult {
    const oldest = missing(p.oldest) ? '0' : String(p.oldest);
    const latest = missing(p.latest) ? null : String(p.latest);
    if (!TS.test(oldest)) return fail('invalid_ts_oldest');
    if (latest !== null && !TS.test(latest)) return fail('invalid_ts_latest');
    const inclusive = flag(p.inclusive);
    return (ts) => {
      const after = compareTs(ts, oldest);
      const before = latest === null ? -1 : compareTs(ts, latest);
      return (inclusive ? after >= 0 : after > 0) && (inclusive ? before <= 0 : before < 0);
    };
  }

  /** What Slack keeps of chat.postMessage's `metadata`: an event type and a payload object. */
  private metadataOf(value: unknown): FakeMetadata | undefined | ApiResult {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('invalid_metadata_format');
    const { event_type: type, event_payload: payload } = value as Params;
    if (typeof type !== 'string' || type === '' || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return fail('invalid_metadata_schema');
    return { event_type: type, event_payload: payload };
  }

  /** A channel the bot is in: the only ones it may post to or read. */
  private joined(ref: unknown): ResolvedChannel | ApiResult {
    const channel = this.workspace.channel(ref);
    if (!channel) return fail('channel_not_found');
    if (!channel.isMember) return fail('not_in_channel');
    return channel;
  }

  private find(channelRef: unknown, ts: unknown): FakeMessage | ApiResult {
    const channel = this.workspace.channel(channelRef);
    if (!channel) return fail('channel_not_found');
    const found = this.messages.find((m) => m.channel === channel.id && m.ts === ts && !m.deleted && !m.ephemeralTo);
    return found ?? fail('message_not_found');
  }

  private checkContent(p: Params): ApiResult | undefined {
    if (p.blocks !== undefined && !Array.isArray(p.blocks)) return fail('invalid_blocks_format');
    if (p.attachments !== undefined && !Array.isArray(p.attachments)) return fail('invalid_attachments');
    if ((p.attachments?.length ?? 0) > MESSAGE_ATTACHMENTS_MAX) return fail('too_many_attachments');
    if (p.markdown_text !== undefined) {
      if (p.text !== undefined || p.blocks !== undefined) return fail('markdown_text_conflict');
      if (String(p.markdown_text).length > MARKDOWN_TEXT_ARG_MAX) return fail('msg_too_long');
      return undefined;
    }
    if (!p.text && !p.blocks?.length && !p.attachments?.length) return fail('no_text');
    const violations = validateMessage({ text: p.text, blocks: p.blocks });
    return violations.length ? rejectContent('message', violations) : undefined;
  }

  /** Slack keeps the first 40,000 characters of a longer text and says so in a warning. */
  private cut(text: unknown): string | undefined {
    return typeof text === 'string' ? text.slice(0, MESSAGE_TEXT_MAX) : undefined;
  }

  private warnings(p: Params): Params {
    if (typeof p.text !== 'string' || p.text.length <= MESSAGE_TEXT_MAX) return {};
    return { warning: 'message_truncated', response_metadata: { warnings: ['message_truncated'] } };
  }

  private add(channel: string, p: Params, extra: Partial<FakeMessage> = {}): FakeMessage {
    this.seq += 1;
    const message: FakeMessage = {
      channel,
      ts: `${Math.floor(this.now() / 1000)}.${String(this.seq).padStart(6, '0')}`,
      text: this.cut(p.text ?? p.markdown_text),
      blocks: p.blocks,
      attachments: p.attachments,
      thread_ts: p.thread_ts,
      deleted: false,
      updates: 0,
      ...extra,
    };
    this.messages.push(message);
    return message;
  }

  private render(m: FakeMessage, withMetadata = false): Params {
    const { bot, team } = this.workspace;
    return {
      type: 'message',
      text: m.text ?? '',
      ...(m.user ? { user: m.user } : { user: bot.userId, bot_id: bot.botId, app_id: bot.appId }),
      team: team.id,
      ts: m.ts,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.attachments ? { attachments: m.attachments } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }
}
