import { withPrincipal } from '../../src/access/context';
import { AccessDeniedError, guardClient } from '../../src/access/guarded-client';
import { AccessPolicy, accessSchema, type Principal } from '../../src/access/policy';
import { NotFoundError } from '../../src/metaflow/errors';
import { parseRunQuery } from '../../src/metaflow/runspec';
import { localClient } from '../support/local-client';

const policy = new AccessPolicy(
  accessSchema.parse({
    default: 'deny',
    rules: [
      { channels: ['C_ML'], flows: ['Hello*', 'ParamsFlow'] },
      { users: ['U_BOB'], flows: ['BranchFlow'], namespaces: ['user:bob'] },
      { usergroups: ['S_PROJ'], projects: ['fixture_project'] },
    ],
  }),
);

const who = (p: Partial<Principal>): Principal => ({ user: null, channel: null, groups: [], ...p });

describe('the access policy', () => {
  it('is open by default and says so', () => {
    const open = new AccessPolicy(accessSchema.parse({}));
    expect(open.isOpen).toBe(true);
    expect(open.describe()).toMatch(/^open: everyone/);
  });

  it('grants the flows a channel rule names, with * patterns', () => {
    expect(policy.canSeeFlow(who({ channel: 'C_ML' }), 'HelloFlow')).toBe(true);
    expect(policy.canSeeFlow(who({ channel: 'C_ML' }), 'ParamsFlow')).toBe(true);
    expect(policy.canSeeFlow(who({ channel: 'C_ML' }), 'FailFlow')).toBe(false);
  });

  it('denies principals no rule names when the default is deny', () => {
    expect(policy.canSeeFlow(who({ channel: 'C_OTHER', user: 'U_X' }), 'HelloFlow')).toBe(false);
  });

  it('limits runs to namespaces and projects', () => {
    const bob = who({ user: 'U_BOB' });
    expect(policy.canSeeRun(bob, { flow: 'BranchFlow', tags: [], systemTags: ['user:bob'] })).toBe(true);
    expect(policy.canSeeRun(bob, { flow: 'BranchFlow', tags: [], systemTags: ['user:alice'] })).toBe(false);
    const group = who({ groups: ['S_PROJ'] });
    expect(policy.canSeeRun(group, { flow: 'ProjectFlow', tags: [], systemTags: ['project:fixture_project'] })).toBe(true);
    expect(policy.canSeeRun(group, { flow: 'HelloFlow', tags: [], systemTags: [] })).toBe(false);
  });

  it('refuses rules that name nobody and unknown keys', () => {
    expect(accessSchema.safeParse({ rules: [{ flows: ['X'] }] }).success).toBe(false);
    expect(accessSchema.safeParse({ rules: [{ channels: ['C'], flow: ['X'] }] }).success).toBe(false);
  });
});

describe('the guarded client', () => {
  const client = guardClient(localClient(), policy, async (user) => (user === 'U_PROJ' ? ['S_PROJ'] : []));

  it('lists only the flows the principal may see', async () => {
    const flows = await withPrincipal(who({ channel: 'C_ML' }), () => client.listFlows());
    expect(flows.map((f) => f.name)).toEqual(['HelloFlow', 'ParamsFlow']);
  });

  it('refuses a forbidden flow with the same words whether or not it exists', async () => {
    const ml = who({ channel: 'C_ML' });
    const existing = await withPrincipal(ml, () => client.listRuns('FailFlow')).catch((e: unknown) => e);
    const missing = await withPrincipal(ml, () => client.listRuns('NoSuchFlow')).catch((e: unknown) => e);
    expect(existing).toBeInstanceOf(AccessDeniedError);
    expect(existing).toBeInstanceOf(NotFoundError);
    expect((existing as Error).message).toBe('Flow FailFlow was not found, or you may not see it here. Ask a workspace admin if you should.');
    expect((missing as Error).message).toBe('Flow NoSuchFlow was not found, or you may not see it here. Ask a workspace admin if you should.');
  });

  it('guards every read of a task, not only the run listing', async () => {
    const ml = who({ channel: 'C_ML' });
    const ref = { flow: 'FailFlow', run: '1795835906791541', step: 'explode', task: '2' };
    await expect(withPrincipal(ml, () => client.readLog(ref, { stream: 'stderr' }))).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(withPrincipal(ml, () => client.listArtifacts(ref))).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(withPrincipal(ml, () => client.taskException(ref))).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(withPrincipal(ml, () => client.resolve(parseRunQuery('FailFlow/1795835906791541/explode/2')))).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('keeps only runs in the granted namespace, and latest run means the latest visible one', async () => {
    const bob = who({ user: 'U_BOB' });
    const page = await withPrincipal(bob, () => client.listRuns('BranchFlow'));
    expect(page.items.map((r) => r.user)).toEqual(['bob']);
    const latest = await withPrincipal(bob, () => client.resolve(parseRunQuery('latest run of BranchFlow')));
    expect(latest.kind === 'run' && latest.run.user).toBe('bob');
    await expect(withPrincipal(bob, () => client.getRun('BranchFlow', '1795835898163077'))).rejects.toBeInstanceOf(AccessDeniedError);
  });

  it('refuses a run outside the granted namespace with the same words as a run that does not exist', async () => {
    const bob = who({ user: 'U_BOB' });
    const answers = await Promise.all(
      ['1795835898163077', '1111111111111111'].flatMap((run) => [
        withPrincipal(bob, () => client.getRun('BranchFlow', run)).catch((e: unknown) => e),
        withPrincipal(bob, () => client.resolve(parseRunQuery(`BranchFlow/${run}`))).catch((e: unknown) => e),
        withPrincipal(bob, () => client.listSteps('BranchFlow', run)).catch((e: unknown) => e),
      ]),
    );
    for (const answer of answers) expect(answer).toBeInstanceOf(AccessDeniedError);
    const [forbidden, missing] = [answers.slice(0, 3), answers.slice(3)].map((set) => set.map((e) => (e as Error).message.replace(/\d{16}/, 'RUN')));
    expect(forbidden).toEqual(missing);
  });

  it('resolves user groups for group rules', async () => {
    const flows = await withPrincipal(who({ user: 'U_PROJ' }), () => client.listFlows());
    expect(flows.map((f) => f.name)).toContain('ProjectFlow');
  });

  it('suggests only flows the principal may see', async () => {
    const ml = who({ channel: 'C_ML' });
    const hint = (await withPrincipal(ml, () => client.getFlow('HeloFlow')).catch((e: unknown) => e)) as Error;
    expect(hint.message).toContain('Did you mean HelloFlow?');
  });

  it('restricts nothing outside a Slack request', async () => {
    expect((await client.listFlows()).length).toBe(10);
  });
});
