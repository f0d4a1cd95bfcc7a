/** response_urls: up to 5 posts within 30 minutes, each a message like chat.postMessage's. */
import { randomBytes } from 'node:crypto';
import { validateMessage } from '../../../views/validate';
import type { Params, Reply } from './http';
import { rejectContent } from './results';

/** Where an interaction happened. Posts to a response_url minted with one become messages, as
 *  on Slack; without one (as most tests mint them) they are only checked. */
export interface ResponseOrigin {
  channel: string;
  /** Who interacted: ephemeral answers are theirs alone. */
  user: string;
  /** The message whose element was used: what replace_original and delete_original change. */
  messageTs?: string;
  /** The thread new answers go to. */
  threadTs?: string;
}

export interface ResponseUrlOptions {
  maxUses?: number;
  ttlMs?: number;
  origin?: ResponseOrigin;
}

interface ResponseUrl {
  issuedAt: number;
  maxUses: number;
  ttlMs: number;
  uses: number;
  origin?: ResponseOrigin;
}

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
const RESPONSE_TYPES = ['ephemeral', 'in_channel'];

export class ResponseUrls {
  private readonly urls = new Map<string, ResponseUrl>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly baseUrl: string,
    private readonly teamId: string,
    private readonly post: (origin: ResponseOrigin, body: Params) => void,
  ) {}

  /** Paths look like Slack's `https://hooks.slack.com/commands/T…/<n>/<secret>`. */
  mint(options: ResponseUrlOptions = {}): string {
    this.seq += 1;
    const path = `/commands/${this.teamId}/${this.seq}/${randomBytes(12).toString('hex')}`;
    this.urls.set(path, {
      issuedAt: this.now(),
      maxUses: options.maxUses ?? RESPONSE_URL_MAX_USES,
      ttlMs: options.ttlMs ?? RESPONSE_URL_TTL_MS,
      uses: 0,
      origin: options.origin,
    });
    return this.baseUrl + path;
  }

  owns(path: string): boolean {
    return path.startsWith('/commands/');
  }

  /** Answers one post; every post that arrives in time counts as a use, accepted or not. */
  deliver(path: string, body: Params | undefined): Reply {
    const url = this.urls.get(path);
    if (!url) return { status: 404, body: { ok: false, error: 'no_service' } };
    url.uses += 1;
    if (url.uses > url.maxUses || this.now() - url.issuedAt > url.ttlMs) {
      return { status: 404, body: { ok: false, error: 'expired_url' } };
    }
    if (!body) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    return this.answer(body, url.origin);
  }

  /** Checks an answer the way a response_url does and posts it where the interaction happened.
   *  Slack reads a slash command's acknowledgement body the same way. */
  answer(body: Params, origin?: ResponseOrigin): Reply {
    if (body.response_type !== undefined && !RESPONSE_TYPES.includes(body.response_type)) {
      return { status: 400, body: { ok: false, error: 'invalid_response_type' } };
    }
    if (body.delete_original !== true) {
      if (!body.text && !body.blocks) return { status: 400, body: { ok: false, error: 'no_text' } };
      const violations = validateMessage({ text: body.text, blocks: body.blocks });
      if (violations.length) return { status: 400, body: rejectContent('message', violations) };
    }
    if (origin) this.post(origin, body);
    return { status: 200, body: { ok: true } };
  }
}
