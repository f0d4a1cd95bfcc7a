/**
 * The Metaflow client as a principal may see it: every read checks the access policy first.
 * A refusal reads the same whether the object exists or not, so it reveals nothing; lists
 * leave out what may not be seen; "did you mean" only suggests visible flows. Outside a
 * Slack request (CLI, start-up) there is no principal and nothing is restricted.
 */
import type { MetaflowClient, Resolution } from '../metaflow/client';
import { NotFoundError } from '../metaflow/errors';
import type { Flow, Page, Run } from '../metaflow/model';
import type { RunQuery } from '../metaflow/runspec';
import { formatRunQuery, suggestName } from '../metaflow/runspec';
import { currentPrincipal } from './context';
import type { AccessPolicy, Principal } from './policy';

/** A NotFoundError to every caller, so a refusal is handled, and reads, like an absence. */
export class AccessDeniedError extends NotFoundError {
  constructor(what: string, suggestion: string | null = null) {
    super(what, suggestion);
    this.message = suggestion
      ? `${what} was not found, or you may not see it here. Did you mean ${suggestion}?`
      : `${what} was not found, or you may not see it here. Ask a workspace admin if you should.`;
  }
}

type Resolve = (user: string) => Promise<readonly string[]>;

/** Methods whose first argument is a flow name; the rest take a TaskRef or a RunQuery. */
const BY_FLOW = new Set(['getFlow', 'listRuns', 'getRun', 'latestRun', 'getRunDetail', 'getGraph', 'getParameters', 'listSteps', 'getStep', 'listTasks', 'getTask']);
const BY_REF = new Set(['listArtifacts', 'getArtifact', 'taskException', 'readLog', 'readFullLog']);

export function guardClient(client: MetaflowClient, policy: AccessPolicy, groupsOf: Resolve): MetaflowClient {
  if (policy.isOpen) return client;

  const principal = async (): Promise<Principal | null> => {
    const p = currentPrincipal();
    if (!p) return null;
    if (!policy.usesGroups || !p.user || p.groups.length > 0) return p;
    return { ...p, groups: await groupsOf(p.user) };
  };

  const visibleFlows = async (p: Principal): Promise<string[]> => (await client.listFlows()).filter((f) => policy.canSeeFlow(p, f.name)).map((f) => f.name);

  // A flow or run that does not exist is refused exactly like one that may not be seen, so
  // the answer never tells the two apart; other failures (an unreachable service) pass through.
  const checkRun = async (p: Principal, flow: string, run: string | undefined): Promise<void> => {
    const visible = await visibleFlows(p);
    if (!visible.includes(flow)) {
      // A typo of a flow this principal may see still gets its "did you mean".
      throw new AccessDeniedError(run ? `${flow}/${run}` : `Flow ${flow}`, run ? null : suggestName(flow, visible));
    }
    if (run === undefined) return;
    const record = await client.getRun(flow, run).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    if (!record || !policy.canSeeRun(p, record)) throw new AccessDeniedError(`${flow}/${run}`);
  };

  const visibleRuns = (p: Principal, page: Page<Run>): Page<Run> => ({ ...page, items: page.items.filter((r) => policy.canSeeRun(p, r)), total: null });

  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = value as (...args: unknown[]) => Promise<unknown>;
      const call = (args: unknown[]): Promise<unknown> => method.apply(target, args);

      if (prop === 'listFlows') {
        return async () => {
          const p = await principal();
          const flows = (await call([])) as Flow[];
          return p ? flows.filter((f) => policy.canSeeFlow(p, f.name)) : flows;
        };
      }
      if (BY_FLOW.has(prop)) {
        return async (...args: unknown[]) => {
          const p = await principal();
          if (!p) return call(args);
          const [flow, run] = args as [string, unknown];
          await checkRun(p, flow, prop === 'getFlow' || prop === 'listRuns' || prop === 'latestRun' ? undefined : (run as string));
          if (prop === 'latestRun') {
            // The newest run this principal may see, not merely the newest run.
            const [, filter, what] = args as [string, { user?: string; tags?: string[] } | undefined, string | undefined];
            const page = visibleRuns(p, await client.listRuns(flow, { ...(filter ?? {}), limit: 100 }));
            if (page.items.length === 0) throw new NotFoundError(what ?? `A run of ${flow}`);
            return page.items[0];
          }
          const result = await call(args);
          return prop === 'listRuns' ? visibleRuns(p, result as Page<Run>) : result;
        };
      }
      if (BY_REF.has(prop)) {
        return async (...args: unknown[]) => {
          const p = await principal();
          if (p) {
            const ref = args[0] as { flow: string; run: string };
            await checkRun(p, ref.flow, ref.run);
          }
          return call(args);
        };
      }
      if (prop === 'resolve') {
        return async (query: RunQuery, opts?: unknown) => {
          const p = await principal();
          if (!p) return call([query, opts]);
          await checkRun(p, query.flow, query.run);
          if (query.latest && !query.run) {
            const filter = { user: query.user, tags: query.tags.length > 0 ? query.tags : undefined };
            return { kind: 'run', run: await (receiver as MetaflowClient).latestRun(query.flow, filter, `A run matching "${formatRunQuery(query)}"`) };
          }
          const found = (await call([query, opts])) as Resolution;
          if (found.kind === 'runs') return { ...found, page: visibleRuns(p, found.page) };
          if (!policy.canSeeRun(p, found.run)) throw new AccessDeniedError(`${found.run.pathspec}`);
          return found;
        };
      }
      return value.bind(target);
    },
  });
}
