/**
 * Who may see what. The configuration maps channels, Slack user groups and users to the
 * flows, Metaflow projects and users' namespaces they may see:
 *
 *   access:
 *     default: allow          # principals no rule names: allow (see everything) or deny
 *     rules:
 *       - channels: [C0123ABC]  # who: any of channels / users / usergroups
 *         usergroups: [S0456DEF]
 *         users: [U0789GHI]
 *         flows: [HelloFlow, "Team*"]    # what: flow names (* matches anything); default all
 *         projects: [fraud]              # only runs of these @project names
 *         namespaces: ["user:alice"]     # only runs carrying one of these tags
 *
 * A principal's grants are the union of the rules that name it. Pure: no I/O here.
 */
import { z } from 'zod';

export interface Principal {
  user: string | null;
  channel: string | null;
  /** Slack user groups of the user, resolved by the caller. */
  groups: readonly string[];
}

export interface RunLabels {
  flow: string;
  tags: readonly string[];
  systemTags: readonly string[];
}

const ruleSchema = z
  .object({
    channels: z.array(z.string().min(1)).default([]),
    usergroups: z.array(z.string().min(1)).default([]),
    users: z.array(z.string().min(1)).default([]),
    flows: z.array(z.string().min(1)).optional(),
    projects: z.array(z.string().min(1)).optional(),
    namespaces: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((r) => r.channels.length + r.usergroups.length + r.users.length > 0, { message: 'a rule must name channels, usergroups or users' });

export const accessSchema = z
  .object({
    default: z.enum(['allow', 'deny'], { error: 'must be allow or deny' }).default('allow'),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

export type AccessConfig = z.infer<typeof accessSchema>;
type Rule = AccessConfig['rules'][number];

function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export class AccessPolicy {
  private readonly flowPatterns = new Map<Rule, RegExp[] | null>();

  constructor(readonly config: AccessConfig) {
    for (const rule of config.rules) this.flowPatterns.set(rule, rule.flows ? rule.flows.map(glob) : null);
  }

  /** Open: no rules, default allow — nothing to check. */
  get isOpen(): boolean {
    return this.config.rules.length === 0 && this.config.default === 'allow';
  }

  /** Whether any rule mentions user groups (so callers know to resolve them). */
  get usesGroups(): boolean {
    return this.config.rules.some((r) => r.usergroups.length > 0);
  }

  private rulesFor(p: Principal): Rule[] | 'all' | 'none' {
    const rules = this.config.rules.filter(
      (r) =>
        (p.channel !== null && r.channels.includes(p.channel)) ||
        (p.user !== null && r.users.includes(p.user)) ||
        p.groups.some((g) => r.usergroups.includes(g)),
    );
    if (rules.length > 0) return rules;
    return this.config.default === 'allow' ? 'all' : 'none';
  }

  private flowAllowed(rule: Rule, flow: string): boolean {
    const patterns = this.flowPatterns.get(rule);
    return !patterns || patterns.some((re) => re.test(flow));
  }

  canSeeFlow(p: Principal, flow: string): boolean {
    const rules = this.rulesFor(p);
    if (rules === 'all') return true;
    if (rules === 'none') return false;
    return rules.some((r) => this.flowAllowed(r, flow));
  }

  canSeeRun(p: Principal, run: RunLabels): boolean {
    const rules = this.rulesFor(p);
    if (rules === 'all') return true;
    if (rules === 'none') return false;
    const labels = new Set([...run.tags, ...run.systemTags]);
    return rules.some(
      (r) =>
        this.flowAllowed(r, run.flow) &&
        (!r.projects || r.projects.some((proj) => labels.has(`project:${proj}`))) &&
        (!r.namespaces || r.namespaces.some((ns) => labels.has(ns))),
    );
  }

  /** One line for the start-up log. */
  describe(): string {
    if (this.isOpen) return 'open: everyone who can use the app sees every flow (set access: in the configuration to restrict)';
    return `${this.config.rules.length} rule${this.config.rules.length === 1 ? '' : 's'}, default ${this.config.default}`;
  }
}
