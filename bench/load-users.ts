/**
 * Simulated Slack users for the load benchmark: each runs sessions of what people do with the
 * bot — `/metaflow runs`, Inspect on a run, a step, a task's artifacts, its logs, an ephemeral
 * `status`, the App Home tab — one request after the other, as signed HTTP to the bot.
 *
 * Every request is timed twice: the ack (the HTTP response to the signed request) and what the
 * user sees, read from the fake Slack's record of Web API calls: the first view or message for
 * that request (correlated by trigger_id, view id, response_url or user) and the first one
 * that is not a loading view ("ready").
 */
import type { FakeSlack, FakeSlackCall, FakeUser, FakeView } from '../test/support/fake-slack';
import type { Params } from '../test/support/fake-slack/http';
import { appHomeOpened, DEFAULT_ACTOR, type ActionInput } from '../test/support/fake-slack/payloads';
import { slackClient, type SlackClient } from '../test/support/signed';

export interface Sample {
  /** `command runs`, `click pick_step`, `event app_home_opened` … */
  kind: string;
  /** When it was sent (epoch ms). */
  sentAt: number;
  ackMs: number;
  /** Until the user saw anything for it (a loading view counts); null when nothing came. */
  firstMs: number | null;
  /** Until the user saw the answer itself. */
  readyMs: number | null;
  error: string | null;
  /** A Slack refusal the bot got past by answering another way (an expired trigger_id: a message instead of a modal). */
  refused: string | null;
}

const SCAN_MS = 5;

type Belongs = (call: FakeSlackCall) => boolean;

interface Wait {
  sentAt: number;
  belongs: Belongs;
  /** View ids this request's views live in, learnt from views.open / views.push answers. */
  viewIds: Set<string>;
  first: FakeSlackCall | null;
  refused: string | null;
  deadline: number;
  done: (outcome: Seen) => void;
}

export interface Seen {
  first: FakeSlackCall | null;
  ready: FakeSlackCall | null;
  error: string | null;
  refused: string | null;
  /** The view the answer is in, for the next click. */
  viewId: string | null;
}

const okOf = (call: FakeSlackCall): boolean => call.status === 200 && (call.response as { ok?: boolean }).ok !== false;

/** A view or message shown while the bot is still reading: it says so in its first block. */
function isInterim(call: FakeSlackCall): boolean {
  const text = JSON.stringify(call.method === 'response_url' ? call.params.blocks : call.params.view);
  return text.includes('Reading Metaflow') || text.includes('Posting the file') || text.includes('still trying');
}

function viewIdOf(call: FakeSlackCall): string | null {
  if (call.method === 'views.update') return String(call.params.view_id);
  return (call.response as { view?: { id?: string } }).view?.id ?? null;
}

/** One pass over the fake's new calls every few milliseconds, handing each to the request it answers. */
export class Correlator {
  private cursor: number;
  private readonly waits = new Set<Wait>();
  /** Calls already handed to a request. */
  private readonly taken = new WeakSet<FakeSlackCall>();
  private readonly timer: NodeJS.Timeout;

  /** `answerTimeoutMs`: how long a request may take to show its answer before it counts as an error. */
  constructor(
    private readonly fake: FakeSlack,
    private readonly answerTimeoutMs: number,
  ) {
    this.cursor = fake.calls.length;
    this.timer = setInterval(() => this.scan(), SCAN_MS);
  }

  /**
   * `from`: the fake's call count when the request was sent. The bot may call Slack before its
   * ack reaches the sender (Bolt acks, then goes on at once), so calls since then that no other
   * request took are looked at first.
   */
  expect(sentAt: number, from: number, belongs: (call: FakeSlackCall, viewIds: Set<string>) => boolean, viewIds: Iterable<string> = []): Promise<Seen> {
    return new Promise((resolve) => {
      const ids = new Set(viewIds);
      const wait: Wait = { sentAt, belongs: (c) => belongs(c, ids), viewIds: ids, first: null, refused: null, deadline: sentAt + this.answerTimeoutMs, done: resolve };
      this.waits.add(wait);
      const calls = this.fake.calls;
      for (let i = from; i < this.cursor && this.waits.has(wait); i++) {
        const call = calls[i];
        if (!this.taken.has(call) && call.at >= sentAt && wait.belongs(call)) this.take(wait, call);
      }
    });
  }

  close(): void {
    clearInterval(this.timer);
    for (const wait of this.waits) wait.done({ first: wait.first, ready: null, error: 'benchmark stopped', refused: wait.refused, viewId: null });
    this.waits.clear();
  }

  private scan(): void {
    const calls = this.fake.calls;
    for (; this.cursor < calls.length; this.cursor++) {
      const call = calls[this.cursor];
      for (const wait of this.waits) {
        if (call.at < wait.sentAt || !wait.belongs(call)) continue;
        this.take(wait, call);
        break;
      }
    }
    const now = Date.now();
    for (const wait of this.waits) {
      if (now > wait.deadline) this.finish(wait, { first: wait.first, ready: null, error: `no answer within ${this.answerTimeoutMs / 1000} s`, refused: wait.refused, viewId: null });
    }
  }

  private take(wait: Wait, call: FakeSlackCall): void {
    this.taken.add(call);
    if (!okOf(call)) {
      const error = `${call.method}: ${(call.response as { error?: string }).error ?? `HTTP ${call.status}`}`;
      // Refusals the bot gets past: a modal command whose trigger expired is answered on its
      // response_url instead; a push onto a full stack replaces the view instead.
      if (error === 'views.open: expired_trigger_id' || error === 'views.push: push_limit_reached') {
        wait.refused = error;
        return;
      }
      this.finish(wait, { first: wait.first, ready: null, error, refused: wait.refused, viewId: null });
      return;
    }
    wait.first ??= call;
    const id = call.method.startsWith('views.') ? viewIdOf(call) : null;
    if (id) wait.viewIds.add(id);
    if (!isInterim(call)) this.finish(wait, { first: wait.first, ready: call, error: null, refused: wait.refused, viewId: id });
  }

  private finish(wait: Wait, seen: Seen): void {
    this.waits.delete(wait);
    wait.done(seen);
  }
}

/** The first element `actionId` of a view, as the click Slack sends for it; `pick` chooses among several. */
export function findAction(view: Params, actionId: string, pick = 0): ActionInput | null {
  const found: ActionInput[] = [];
  for (const block of (view.blocks ?? []) as Params[]) {
    const elements: Params[] = block.type === 'actions' ? (block.elements ?? []) : block.accessory ? [block.accessory] : [];
    for (const el of elements) {
      if (el.action_id !== actionId) continue;
      const blockId = block.block_id ?? 'b';
      if (el.type === 'button') found.push({ type: 'button', action_id: actionId, block_id: blockId, value: el.value, text: el.text });
      if (el.type === 'static_select') {
        for (const option of (el.options ?? []) as Params[]) found.push({ type: 'static_select', action_id: actionId, block_id: blockId, selected_option: option });
      }
    }
  }
  return found.length === 0 ? null : found[pick % found.length];
}

export interface UserOptions {
  fake: FakeSlack;
  correlator: Correlator;
  baseUrl: string;
  signingSecret: string;
  user: FakeUser;
  record: (sample: Sample) => void;
}

/** One person in Slack, doing one thing at a time. */
export class SimulatedUser {
  private readonly slack: SlackClient;

  constructor(private readonly o: UserOptions) {
    this.slack = slackClient({ baseUrl: o.baseUrl, signingSecret: o.signingSecret, fakeSlack: o.fake, actor: { ...DEFAULT_ACTOR, user: o.user } });
  }

  get id(): string {
    return this.o.user.id;
  }

  /** A slash command; the answer is a modal (views.open, then views.update) or an ephemeral message. */
  async command(text: string, kind: string): Promise<FakeView | null> {
    const sentAt = Date.now();
    const from = this.o.fake.calls.length;
    const started = performance.now();
    const res = await this.slack.command(text);
    const ackMs = performance.now() - started;
    const path = new URL(res.sent.response_url).pathname;
    const trigger = res.sent.trigger_id;
    const seen =
      res.status === 200
        ? await this.o.correlator.expect(sentAt, from, (c, ids) => (c.method === 'views.open' && c.params.trigger_id === trigger) || (c.method === 'views.update' && ids.has(String(c.params.view_id))) || (c.method === 'response_url' && c.url === path))
        : null;
    return this.finish(kind, sentAt, ackMs, res.status, seen);
  }

  /** A click on `view` as the user sees it; the answer is pushed (views.push) or replaces it. */
  async click(view: FakeView, action: ActionInput, kind: string): Promise<FakeView | null> {
    const sentAt = Date.now();
    const from = this.o.fake.calls.length;
    const started = performance.now();
    const res = await this.slack.blockActions([action], { view });
    const ackMs = performance.now() - started;
    const trigger = res.sent.trigger_id as string;
    const seen =
      res.status === 200
        ? await this.o.correlator.expect(sentAt, from, (c, ids) => (c.method === 'views.push' && c.params.trigger_id === trigger) || (c.method === 'views.update' && ids.has(String(c.params.view_id))), [view.id])
        : null;
    return this.finish(kind, sentAt, ackMs, res.status, seen);
  }

  /**
   * Opening the App Home tab. The bot builds a Home at most every few seconds per user and sends
   * it only when it changed, so views.publish is awaited only the first time; after that Slack
   * shows the Home the user has, and only the ack is timed.
   */
  async openHome(): Promise<void> {
    const current = this.o.fake.homeView(this.o.user.id);
    const sentAt = Date.now();
    const from = this.o.fake.calls.length;
    const started = performance.now();
    const res = await this.slack.event(appHomeOpened(this.o.user, current));
    const ackMs = performance.now() - started;
    if (current) {
      this.o.record({ kind: 'event app_home_opened again', sentAt, ackMs, firstMs: null, readyMs: null, error: res.status === 200 ? null : `ack HTTP ${res.status}`, refused: null });
      return;
    }
    const seen = res.status === 200 ? await this.o.correlator.expect(sentAt, from, (c) => c.method === 'views.publish' && c.params.user_id === this.o.user.id) : null;
    this.finish('event app_home_opened', sentAt, ackMs, res.status, seen);
  }

  private finish(kind: string, sentAt: number, ackMs: number, status: number, seen: Seen | null): FakeView | null {
    const error = status !== 200 ? `ack HTTP ${status}` : (seen?.error ?? null);
    this.o.record({
      kind,
      sentAt,
      ackMs,
      firstMs: seen?.first ? seen.first.at - sentAt : null,
      readyMs: seen?.ready ? seen.ready.at - sentAt : null,
      error,
      refused: seen?.refused ?? null,
    });
    if (error || !seen?.viewId) return null;
    return (this.o.fake.view(seen.viewId) as FakeView | undefined) ?? null;
  }
}

/** `count` people for the fake workspace, besides its default ones: user0@example.com … */
export function simulatedPeople(count: number): FakeUser[] {
  return Array.from({ length: count }, (_, i) => ({ id: `U0LOAD${String(i).padStart(4, '0')}`, name: `user${i}`, realName: `Load User ${i}`, email: `user${i}@example.com` }));
}

export interface Plan {
  flow: string;
  /** Runs the sessions look at, spread over users (the first page of the runs list). */
  runsShown: number;
}

/**
 * One session: the runs modal, a run, a step, a task (its artifacts), the task's stdout, an
 * ephemeral `status` of the run, and App Home. A step that gets no answer ends the session, as
 * does the phase's deadline (checked before each request, so a phase ends on time).
 */
export async function session(user: SimulatedUser, plan: Plan, turn: number, deadline: number): Promise<void> {
  const open = (): boolean => Date.now() < deadline;
  const runs = open() ? await user.command(`runs ${plan.flow}`, 'command runs') : null;
  const inspect = runs && findAction(runs, 'inspect_run', turn % plan.runsShown);
  const run = inspect && open() ? await user.click(runs, inspect, 'click inspect_run') : null;
  const step = run && findAction(run, 'pick_step', turn);
  const stepView = step && open() ? await user.click(run, step, 'click pick_step') : null;
  const task = stepView && findAction(stepView, 'open_task');
  const taskView = task && open() ? await user.click(stepView, task, 'click open_task') : null;
  const stdout = taskView && findAction(taskView, 'open_stdout');
  if (stdout && taskView && open()) await user.click(taskView, stdout, 'click open_stdout');
  const runId = inspect ? (JSON.parse(String(inspect.value)) as { run: string }).run : null;
  if (runId && open()) await user.command(`status ${plan.flow}/${runId}`, 'command status');
  if (open()) await user.openHome();
}
