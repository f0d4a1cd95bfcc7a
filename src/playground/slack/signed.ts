/**
 * Signed requests to the app's Slack endpoint, byte for byte like Slack sends them.
 *
 *   const slack = slackClient({ baseUrl: app.url, signingSecret: SECRET, fakeSlack });
 *   const res = await slack.command('runs HelloFlow');   // trigger_id and response_url minted on fakeSlack
 *   res.status, res.body, res.json(), res.elapsedMs, res.sent.trigger_id
 *   await slack.blockActions([{ action_id: 'open_run', value: 'HelloFlow/12' }], { view });
 *   await slack.event(appHomeOpened(), { retryNum: 1 });
 *   await slack.raw({ body: 'garbage', contentType: 'text/plain', timestamp: nowSeconds() - 360 });
 *
 * Signing (slack-platform.md §2.6): `v0:<timestamp>:<raw body>`, HMAC-SHA256 with the signing
 * secret, hex, in `X-Slack-Signature: v0=<hex>` next to `X-Slack-Request-Timestamp`. Form
 * bodies go out as strings with exactly `application/x-www-form-urlencoded`: Bolt answers 400
 * when `; charset=utf-8` is appended, which fetch does for a URLSearchParams body.
 */
import { createHmac } from 'node:crypto';
import type { FakeSlack } from './api';
import {
  blockActionsPayload,
  blockSuggestionPayload,
  DEFAULT_ACTOR,
  eventEnvelope,
  slashCommandFields,
  viewSubmissionPayload,
  type ActionInput,
  type Actor,
  type Origin,
  type Suggestion,
} from './payloads';
import type { Params } from './http';

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_TYPE = 'application/json';

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function signature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackResponse {
  status: number;
  headers: Headers;
  body: string;
  json<T = Params>(): T;
  elapsedMs: number;
}

/** A response together with what was sent, e.g. the minted trigger_id. */
export type Sent<T> = SlackResponse & { sent: T };

export interface RawRequest {
  body: string;
  contentType: string;
  /** Unix seconds; default now. Use now ± 360 for stale and future requests. */
  timestamp?: number;
  /** The `X-Slack-Signature` to send instead of a valid one; `null` sends none. */
  signature?: string | null;
  headers?: Record<string, string>;
}

export interface InteractionOptions extends Origin {
  /** `null` sends no trigger_id; default one minted on the fake Slack. */
  triggerId?: string | null;
}

export interface EventDelivery {
  /** Makes it a redelivery: sets `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason`). */
  retryNum?: number;
  /** Default `http_timeout` when `retryNum` is set. */
  retryReason?: string;
  eventId?: string;
}

export interface SlackClient {
  /** A `/metaflow` slash command; `overrides` replace or add form fields. */
  command(text: string, overrides?: Record<string, string>): Promise<Sent<Record<string, string>>>;
  /** Any interactivity payload, sent as `payload=<json>`. */
  action(payload: Params): Promise<Sent<Params>>;
  blockActions(actions: ActionInput | ActionInput[], options?: InteractionOptions): Promise<Sent<Params>>;
  viewSubmission(view: Params, options?: { values?: Params; triggerId?: string | null }): Promise<Sent<Params>>;
  blockSuggestion(suggestion: Suggestion, options?: Origin): Promise<Sent<Params>>;
  /** An Events API delivery wrapping `event`. */
  event(event: Params, delivery?: EventDelivery): Promise<Sent<Params>>;
  /** Any body, signed unless told otherwise. */
  raw(request: RawRequest): Promise<SlackResponse>;
}

export interface SlackClientOptions {
  /** The app's origin, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Default `/slack/events`. */
  path?: string;
  signingSecret: string;
  /** Mints trigger_ids and response_urls that the fake Web API accepts. */
  fakeSlack?: FakeSlack;
  actor?: Actor;
}

export function slackClient(options: SlackClientOptions): SlackClient {
  const endpoint = options.baseUrl.replace(/\/$/, '') + (options.path ?? '/slack/events');
  const actor = options.actor ?? DEFAULT_ACTOR;
  const fake = options.fakeSlack;

  async function raw(r: RawRequest): Promise<SlackResponse> {
    const timestamp = r.timestamp ?? nowSeconds();
    const sig = r.signature === undefined ? signature(options.signingSecret, timestamp, r.body) : r.signature;
    const headers: Record<string, string> = {
      'content-type': r.contentType,
      'x-slack-request-timestamp': String(timestamp),
      ...(sig === null ? {} : { 'x-slack-signature': sig }),
      ...r.headers,
    };
    const started = performance.now();
    const res = await fetch(endpoint, { method: 'POST', headers, body: r.body });
    const body = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body,
      json: () => JSON.parse(body),
      elapsedMs: performance.now() - started,
    };
  }

  function triggerFor(option: string | null | undefined, viewId?: string): string | undefined {
    if (option === null) return undefined;
    return option ?? fake?.mintTriggerId({ viewId });
  }

  async function interactive(payload: Params): Promise<Sent<Params>> {
    const res = await raw({ body: `payload=${encodeURIComponent(JSON.stringify(payload))}`, contentType: FORM });
    return { ...res, sent: payload };
  }

  return {
    raw,
    async command(text, overrides = {}) {
      const fields = {
        ...slashCommandFields(text, { actor, triggerId: fake?.mintTriggerId(), responseUrl: fake?.mintResponseUrl() }),
        ...overrides,
      };
      const res = await raw({ body: new URLSearchParams(fields).toString(), contentType: FORM });
      return { ...res, sent: fields };
    },
    action: interactive,
    blockActions(actions, o = {}) {
      const list = Array.isArray(actions) ? actions : [actions];
      const triggerId = triggerFor(o.triggerId, o.view?.id);
      const responseUrl = o.view ? undefined : fake?.mintResponseUrl();
      const payload = blockActionsPayload(list, { ...o, actor, triggerId, responseUrl });
      if (o.triggerId === null) delete payload.trigger_id;
      return interactive(payload);
    },
    viewSubmission(view, o = {}) {
      const triggerId = triggerFor(o.triggerId, view.id);
      const payload = viewSubmissionPayload(view, { actor, values: o.values, triggerId });
      if (o.triggerId === null) delete payload.trigger_id;
      return interactive(payload);
    },
    blockSuggestion(suggestion, o = {}) {
      return interactive(blockSuggestionPayload(suggestion, { ...o, actor }));
    },
    async event(event, d = {}) {
      const envelope = eventEnvelope(event, { actor, eventId: d.eventId });
      const retry: Record<string, string> =
        d.retryNum === undefined
          ? {}
          : { 'x-slack-retry-num': String(d.retryNum), 'x-slack-retry-reason': d.retryReason ?? 'http_timeout' };
      const res = await raw({ body: JSON.stringify(envelope), contentType: JSON_TYPE, headers: retry });
      return { ...res, sent: envelope };
    },
  };
}
