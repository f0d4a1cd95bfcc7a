/**
 * views.open / push / update / publish as Slack runs them: modal stacks of at most three views,
 * a new `hash` on every change and `hash_conflict` for a stale one, one Home tab per user,
 * team-unique external_ids, and every view checked by validateView.
 */
import { randomBytes } from 'node:crypto';
import { VIEW_STACK_MAX } from '../../../views/limits';
import { validateView } from '../../../views/validate';
import type { Workspace } from './directory';
import type { Params } from './http';
import { badArgument, fail, missing, ok, rejectContent, type ApiResult, type Method } from './results';
import type { TriggerIds } from './triggers';

/** A view as Slack stores and returns it. */
export type FakeView = Params & {
  id: string;
  type: 'modal' | 'home';
  hash: string;
  root_view_id: string;
  previous_view_id: string | null;
};

export class ViewsApi {
  private readonly views = new Map<string, FakeView>();
  /** Open modals, each the root first and pushed views after it. */
  private readonly modalStacks: string[][] = [];
  private readonly homes = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly triggers: TriggerIds,
    private readonly now: () => number,
  ) {}

  methods(): Record<string, Method> {
    return {
      'views.open': (p) => this.open(p),
      'views.push': (p) => this.push(p),
      'views.update': (p) => this.update(p),
      'views.publish': (p) => this.publish(p),
    };
  }

  /** The current version of a view, by id or external_id. */
  get(ref: string): FakeView | undefined {
    return this.views.get(ref) ?? [...this.views.values()].find((v) => v.external_id === ref);
  }

  home(userId: string): FakeView | undefined {
    const id = this.homes.get(userId);
    return id === undefined ? undefined : this.views.get(id);
  }

  /** The open modals, each the root first. */
  modals(): FakeView[][] {
    return this.modalStacks.map((s) => s.map((id) => this.views.get(id) as FakeView));
  }

  /** What the user closing a modal does: the view and any pushed on top of it go away. */
  close(viewId: string): void {
    const stack = this.modalStacks.find((s) => s.includes(viewId));
    if (!stack) return;
    for (const id of stack.splice(stack.indexOf(viewId))) this.views.delete(id);
    if (stack.length === 0) this.modalStacks.splice(this.modalStacks.indexOf(stack), 1);
  }

  private open(p: Params): ApiResult {
    const invalid = this.checkView(p.view, 'modal');
    if (invalid) return invalid;
    const exchange = this.triggers.exchange(p.trigger_id ?? p.interactivity_pointer);
    if ('error' in exchange) return fail(exchange.error);
    const duplicate = this.duplicateExternalId(p.view);
    if (duplicate) return duplicate;
    const id = this.newId();
    this.modalStacks.push([id]);
    return ok({ view: this.store(p.view, id, id, null) });
  }

  private push(p: Params): ApiResult {
    const invalid = this.checkView(p.view, 'modal');
    if (invalid) return invalid;
    const exchange = this.triggers.exchange(p.trigger_id ?? p.interactivity_pointer);
    if ('error' in exchange) return fail(exchange.error);
    const from = exchange.trigger.viewId;
    // Without a view to push from, Slack's user has one modal in front of them: the newest.
    const stack = from === undefined ? this.modalStacks.at(-1) : this.modalStacks.find((s) => s.includes(from));
    if (!stack) return fail('not_found');
    if (stack.length >= VIEW_STACK_MAX) return fail('push_limit_reached');
    const duplicate = this.duplicateExternalId(p.view);
    if (duplicate) return duplicate;
    const id = this.newId();
    const previous = stack.at(-1) as string;
    stack.push(id);
    return ok({ view: this.store(p.view, id, stack[0], previous) });
  }

  private update(p: Params): ApiResult {
    if (missing(p.view_id) && missing(p.external_id)) {
      return badArgument('missing required field: view_id or external_id', '/view_id');
    }
    const current = missing(p.view_id) ? this.get(p.external_id) : this.views.get(p.view_id);
    if (!current) return fail('not_found');
    if (p.hash !== undefined && p.hash !== current.hash) return fail('hash_conflict');
    const invalid = this.checkView(p.view, current.type);
    if (invalid) return invalid;
    const duplicate = this.duplicateExternalId(p.view, current.id);
    if (duplicate) return duplicate;
    return ok({ view: this.store(p.view, current.id, current.root_view_id, current.previous_view_id) });
  }

  private publish(p: Params): ApiResult {
    if (missing(p.user_id)) return badArgument('missing required field: user_id', '/user_id');
    if (!this.workspace.user(p.user_id)) return fail('user_not_found');
    const invalid = this.checkView(p.view, 'home');
    if (invalid) return invalid;
    const current = this.home(p.user_id);
    if (p.hash !== undefined && p.hash !== current?.hash) return fail('hash_conflict');
    const duplicate = this.duplicateExternalId(p.view, current?.id);
    if (duplicate) return duplicate;
    const id = current?.id ?? this.newId();
    this.homes.set(p.user_id, id);
    return ok({ view: this.store(p.view, id, id, null) });
  }

  private checkView(view: unknown, type: 'modal' | 'home'): ApiResult | undefined {
    if (view === undefined) return badArgument('missing required field: view', '/view');
    if (typeof view === 'string') return badArgument('invalid json', '/view');
    const violations = validateView(view);
    if (violations.length) return rejectContent('view', violations, '/view');
    if ((view as Params).type !== type) return badArgument(`must be ${type}`, '/view/type');
    return undefined;
  }

  private duplicateExternalId(view: Params, self?: string): ApiResult | undefined {
    const externalId = view.external_id;
    if (missing(externalId)) return undefined;
    const owner = [...this.views.values()].find((v) => v.external_id === externalId);
    return owner && owner.id !== self ? fail('duplicate_external_id') : undefined;
  }

  private newId(): string {
    this.seq += 1;
    return `V${String(this.seq).padStart(10, '0')}`;
  }

  private store(view: Params, id: string, root: string, previous: string | null): FakeView {
    const { team, bot } = this.workspace;
    const modalDefaults =
      view.type === 'modal'
        ? { close: null, submit: null, clear_on_close: false, notify_on_close: false }
        : {};
    const stored: FakeView = {
      private_metadata: '',
      callback_id: '',
      external_id: '',
      ...modalDefaults,
      ...view,
      id,
      type: view.type,
      team_id: team.id,
      app_id: bot.appId,
      app_installed_team_id: team.id,
      bot_id: bot.botId,
      state: { values: {} },
      // Slack's hashes look like 1712345678.AbCdEf12; each change gets a new one.
      hash: `${Math.floor(this.now() / 1000)}.${randomBytes(6).toString('base64url')}`,
      root_view_id: root,
      previous_view_id: previous,
    };
    this.views.set(id, stored);
    return stored;
  }
}
