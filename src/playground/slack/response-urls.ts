/** response_urls: up to 5 posts within 30 minutes, each a message like chat.postMessage's. */
import { randomBytes } from 'node:crypto';
import { validateMessage } from '../../../views/validate';
import type { Params, Reply } from './http';
import { rejectContent } from './results';

export interface ResponseUrlOptions {
  maxUses?: number;
  ttlMs?: number;
}

interface ResponseUrl {
  issuedAt: number;
  maxUses: number;
  ttlMs: number;
  uses: number;
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
    if (body.response_type !== undefined && !RESPONSE_TYPES.includes(body.response_type)) {
      return { status: 400, body: { ok: false, error: 'invalid_response_type' } };
    }
    if (body.delete_original === true) return { status: 200, body: { ok: true } };
    if (!body.text && !body.blocks) return { status: 400, body: { ok: false, error: 'no_text' } };
    const violations = validateMessage({ text: body.text, blocks: body.blocks });
    if (violations.length) return { status: 400, body: rejectContent('message', violations) };
    return { status: 200, body: { ok: true } };
  }
}
