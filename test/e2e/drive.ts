/**
 * Driving the bot's modals and App Home like a user in Slack: a slash command, clicks on the
 * view Slack shows, selects, submissions; and a bounded breadth-first walk over every button
 * and select of every view reached. Each click must be acknowledged within 3 seconds, and what
 * it leads to is read where Slack would get it (the fake's views.* calls, which validate every
 * view like Slack does).
 */
import type { FakeSlack, FakeSlackCall, FakeView } from '../support/fake-slack';
import type { Params } from '../support/fake-slack/http';
import type { ActionInput } from '../support/fake-slack/payloads';
import type { SlackClient } from '../support/signed';
import { flatText } from '../fixtures/slack';

const VIEW_METHODS = new Set(['views.open', 'views.push', 'views.update', 'views.publish']);
/** Slack's deadline for acknowledging anything. */
export const ACK_MS = 3000;

/** A view shown while the bot works: reading Metaflow, or posting a file. */
export function isLoading(view: Params | undefined): boolean {
  const text = flatText(view?.blocks ?? []);
  return text.includes('Reading Metaflow') || text.includes('Posting the file…');
}

/** What a click (or command) made Slack do. */
export interface Outcome {
  /** Every Web API call it caused, in order. */
  calls: FakeSlackCall[];
  /** The view it ended on (not a loading view), as Slack stores it; undefined when none. */
  view: FakeView | undefined;
  /** The call that showed it. */
  shown: FakeSlackCall | undefined;
  ackMs: number;
}

/** The nav kind of a modal (`rs`, `t` …) from its private_metadata; '' for other views. */
export function kindOf(view: Params): string {
  const m = /^m1\{"k":"(\w+)"/.exec(String(view.private_metadata ?? ''));
  return m ? m[1] : '';
}

export interface Driver {
  fake: FakeSlack;
  slack: SlackClient;
  command(text: string, overrides?: Record<string, string>): Promise<Outcome>;
  /** Clicks `action` on `view` as the user sees it now. `expect: 'none'` for link buttons. */
  click(view: FakeView, action: ActionInput, opts?: { expect?: 'view' | 'none' | 'any' }): Promise<Outcome>;
  submit(view: FakeView, values: Params): Promise<Outcome & { ack: Params | null }>;
  /** Waits for the next settled view after call index `from`. */
  settle(from: number, expect: 'view' | 'none' | 'any'): Promise<Omit<Outcome, 'ackMs'>>;
}

/** `settleMs`: how long a click may take to show its view (a slow backend needs more). */
export function driver(fake: FakeSlack, slack: SlackClient, { settleMs = 5000 } = {}): Driver {
  async function settle(from: number, expect: 'view' | 'none' | 'any'): Promise<Omit<Outcome, 'ackMs'>> {
    const deadline = Date.now() + settleMs;
    let quietSince = Date.now();
    let seen = fake.calls.length;
    for (;;) {
      const calls = fake.calls.slice(from);
      const shown = calls.find((c) => VIEW_METHODS.has(c.method) && !isLoading(c.params.view));
      if (shown && expect !== 'none') {
        const id = (shown.response as Params).view?.id as string | undefined;
        return { calls, view: id ? fake.view(id) ?? (shown.response as Params).view : undefined, shown };
      }
      if (fake.calls.length !== seen) {
        seen = fake.calls.length;
        quietSince = Date.now();
      }
      // A click that shows nothing (a link, an unchanged Home) is done once Slack hears nothing more.
      if (expect !== 'view' && Date.now() - quietSince > 250) return { calls, view: undefined, shown: undefined };
      if (Date.now() > deadline) throw new Error(`no view after the click; calls: ${calls.map((c) => `${c.method} ${JSON.stringify(c.response).slice(0, 200)}`).join(' | ') || 'none'}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  return {
    fake,
    slack,
    settle,
    async command(text, overrides = {}) {
      const from = fake.calls.length;
      const res = await slack.command(text, overrides);
      if (res.status !== 200) throw new Error(`command answered ${res.status}`);
      return { ...(await settle(from, 'view')), ackMs: res.elapsedMs };
    },
    async click(view, action, opts = {}) {
      const from = fake.calls.length;
      const res = await slack.blockActions([action], { view });
      if (res.status !== 200) throw new Error(`click answered ${res.status}: ${res.body}`);
      return { ...(await settle(from, opts.expect ?? 'view')), ackMs: res.elapsedMs };
    },
    async submit(view, values) {
      const from = fake.calls.length;
      const res = await slack.viewSubmission(view, { values });
      if (res.status !== 200) throw new Error(`submission answered ${res.status}: ${res.body}`);
      const ack = res.body ? (res.json() as Params) : null;
      const immediate = ack?.response_action === 'update' && !isLoading(ack.view);
      const outcome = immediate || ack?.response_action === 'errors' ? { calls: fake.calls.slice(from), view: undefined, shown: undefined } : await settle(from, 'view');
      return { ...outcome, ack, ackMs: res.elapsedMs };
    },
  };
}

// ── what a view offers ─────────────────────────────────────────────────────────────────────

export interface Offered {
  action: ActionInput;
  /** A link button: Slack opens the URL and still tells the app, which only acknowledges. */
  link: boolean;
  label: string;
}

type Block = Params;

function elementsOf(block: Block): Params[] {
  if (block.type === 'actions') return block.elements ?? [];
  if (block.type === 'section' && block.accessory) return [block.accessory];
  return [];
}

/** Every button and select option of a view, as the click Slack would send for it. External
 *  selects ask the bot for their options first (`suggest`). */
export async function offered(view: Params, suggest: (actionId: string, blockId: string) => Promise<Params[]>): Promise<Offered[]> {
  const out: Offered[] = [];
  for (const block of view.blocks as Block[]) {
    const blockId = block.block_id ?? 'b';
    for (const el of elementsOf(block)) {
      if (el.type === 'button') {
        out.push({ action: { type: 'button', action_id: el.action_id, block_id: blockId, value: el.value, text: el.text }, link: el.url !== undefined, label: el.text.text });
      } else if (el.type === 'static_select') {
        for (const option of el.options ?? []) {
          out.push({ action: { type: 'static_select', action_id: el.action_id, block_id: blockId, selected_option: option }, link: false, label: `${el.action_id}=${option.value}` });
        }
      } else if (el.type === 'external_select') {
        for (const option of await suggest(el.action_id, blockId)) {
          out.push({ action: { type: 'external_select', action_id: el.action_id, block_id: blockId, selected_option: option }, link: false, label: `${el.action_id}=${option.value}` });
        }
      }
    }
  }
  return out;
}

// ── the walk ───────────────────────────────────────────────────────────────────────────────

export interface WalkOptions {
  maxClicks: number;
  /** Clicks per (kind of view, action id): keeps one busy view from using up the walk. */
  perKind: number;
  /** Options tried per external select. */
  suggestions: number;
  /** Puts a view seen earlier back in front of the user, so it can be clicked again. */
  restore: (view: FakeView) => Promise<FakeView>;
  /** Checks each view reached (throws to fail). */
  check: (view: FakeView, via: string) => void;
}

export interface WalkReport {
  clicks: number;
  /** `kind action_id` → clicks. */
  byKind: Map<string, number>;
  /** Nav kinds of the views reached. */
  kinds: Set<string>;
  slowestAckMs: number;
}

export async function walk(d: Driver, start: FakeView, opts: WalkOptions): Promise<WalkReport> {
  const seen = new Set<string>();
  const key = (v: Params): string => `${v.type}:${v.callback_id}:${v.private_metadata}:${flatText(v.blocks).length}`;
  const queue: FakeView[] = [start];
  seen.add(key(start));
  const report: WalkReport = { clicks: 0, byKind: new Map(), kinds: new Set([kindOf(start) || start.type]), slowestAckMs: 0 };
  while (queue.length > 0 && report.clicks < opts.maxClicks) {
    const node = queue.shift() as FakeView;
    const current = await opts.restore(node);
    const suggest = async (actionId: string, blockId: string): Promise<Params[]> => {
      const res = await d.slack.blockSuggestion({ action_id: actionId, block_id: blockId, value: '' }, { view: current });
      if (res.status !== 200 || res.elapsedMs >= ACK_MS) throw new Error(`options for ${actionId}: ${res.status} after ${res.elapsedMs} ms`);
      return (res.json().options as Params[]).slice(0, opts.suggestions);
    };
    for (const offer of await offered(current, suggest)) {
      if (report.clicks >= opts.maxClicks) break;
      const kindKey = `${kindOf(node) || node.type} ${offer.action.action_id}`;
      const done = report.byKind.get(kindKey) ?? 0;
      if (done >= opts.perKind) continue;
      report.byKind.set(kindKey, done + 1);
      report.clicks += 1;
      const fresh = await opts.restore(node);
      const expect = offer.link ? 'none' : offer.action.action_id === 'home_refresh' ? 'any' : 'view';
      const outcome = await d.click(fresh, offer.action, { expect });
      report.slowestAckMs = Math.max(report.slowestAckMs, outcome.ackMs);
      if (outcome.ackMs >= ACK_MS) throw new Error(`${kindKey} (${offer.label}) acked after ${outcome.ackMs} ms`);
      const refused = outcome.calls.filter((c) => c.status !== 200 || (c.response as Params)?.ok === false);
      if (refused.length > 0) throw new Error(`${kindKey} (${offer.label}): Slack refused ${refused.map((c) => `${c.method} ${JSON.stringify(c.response)}`).join('; ')}`);
      const reached = outcome.view;
      if (!reached) continue;
      opts.check(reached, `${kindKey} (${offer.label})`);
      report.kinds.add(kindOf(reached) || reached.type);
      if (!seen.has(key(reached))) {
        seen.add(key(reached));
        queue.push(reached);
      }
    }
  }
  return report;
}

/** The view as an app would send it again: what Slack adds to a stored view left out. */
export function asSent(view: FakeView): Params {
  const { id, hash, team_id, app_id, app_installed_team_id, bot_id, state, root_view_id, previous_view_id, ...rest } = view;
  void [id, hash, team_id, app_id, app_installed_team_id, bot_id, state, root_view_id, previous_view_id];
  const out: Params = { ...rest };
  for (const k of ['close', 'submit']) if (out[k] === null) delete out[k];
  if (out.type === 'home') for (const k of ['clear_on_close', 'notify_on_close']) delete out[k];
  if (out.external_id === '') delete out.external_id;
  return out;
}

/** Calls the fake's Web API directly, as the bot would. */
export async function callFake(fake: FakeSlack, method: string, args: Params): Promise<Params> {
  const res = await fetch(fake.url + method, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(args),
  });
  return (await res.json()) as Params;
}

/** Opens `view` again as a new modal (for the walk: to click a view seen earlier). */
export async function reopen(fake: FakeSlack, view: FakeView): Promise<FakeView> {
  const res = await callFake(fake, 'views.open', { trigger_id: fake.mintTriggerId(), view: asSent(view) });
  if (!res.ok) throw new Error(`could not reopen a view: ${JSON.stringify(res)}`);
  return fake.view(res.view.id) as FakeView;
}

export async function republish(fake: FakeSlack, userId: string, view: FakeView): Promise<FakeView> {
  const res = await callFake(fake, 'views.publish', { user_id: userId, view: asSent(view) });
  if (!res.ok) throw new Error(`could not publish a view again: ${JSON.stringify(res)}`);
  return fake.homeView(userId) as FakeView;
}

export function textOf(view: Params | undefined): string {
  return flatText(view?.blocks ?? []);
}

/** The first element with `actionId` (a button, or an option of a select with `value`). */
export function find(view: Params, actionId: string, which?: { text?: string; value?: string }): ActionInput {
  for (const block of view.blocks as Block[]) {
    for (const el of elementsOf(block)) {
      if (el.action_id !== actionId) continue;
      const blockId = block.block_id ?? 'b';
      if (el.type === 'button' && (which?.text === undefined || el.text.text === which.text) && (which?.value === undefined || el.value === which.value)) {
        return { type: 'button', action_id: actionId, block_id: blockId, value: el.value, text: el.text };
      }
      if (el.type === 'static_select') {
        const option = (el.options as Params[]).find((o) => (which?.value === undefined || o.value === which.value) && (which?.text === undefined || o.text.text === which.text));
        if (option) return { type: 'static_select', action_id: actionId, block_id: blockId, selected_option: option };
      }
    }
  }
  throw new Error(`no ${actionId} ${JSON.stringify(which ?? {})} in ${textOf(view).slice(0, 500)}`);
}

/** An external select choice, as Slack sends it once the user picked `value`. */
export function externalChoice(actionId: string, value: string, blockId = 'flow_picker'): ActionInput {
  return { type: 'external_select', action_id: actionId, block_id: blockId, selected_option: { text: { type: 'plain_text', text: value }, value } };
}
