/**
 * The runs modal: every flow with its latest run, or one flow's runs newest first with
 * filters, a page at a time, each with an Inspect button.
 *
 * Budget: a flow picker, a filter row, a summary line, one section per run or flow (20 a
 * page), a paging row and a navigation row: 25 of a modal's 100 blocks, a few kB.
 */
import type { ModalView } from '@slack/types';
import type { Page, Run, RunStatus } from '../../src/metaflow/model';
import {
  ACTION,
  ANY,
  BLOCK,
  encodeValue,
  flowValue,
  inspectRunValue,
  KEEP_TAGS,
  TAG_OPTION_PREFIX,
  USER_OPTION_PREFIX,
} from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { escapeMrkdwn } from '../limits';
import { actions, context, row, section, type ButtonSpec, type ElementBuilder } from '../components/blocks';
import { count } from '../components/format';
import type { SlackBlock } from '../components/message';
import { modal, type Frame } from '../components/modal';
import { backButton, cursorPrevious, pagingRow } from '../components/nav';
import { runLine } from '../components/run';
import { choice, externalSelect, present, staticSelect } from '../components/select';
import type { FlowEntry } from '../messages/runs';

export const FLOWS_PAGE = 20;
export const RUNS_PAGE = 20;
/** Users and tags offered as filters: the most recent ones, enough to pick from. */
export const RECENT_USERS_MAX = 20;
export const RECENT_TAGS_MAX = 40;

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

function flowPicker(flow: string | null): SlackBlock {
  const current = flow === null ? null : choice(flow, flow);
  return row([externalSelect(ACTION.runsFlow, 'Find a flow…', current)], BLOCK.flowPicker);
}

function inspectButton(run: Run): ButtonSpec | undefined {
  const value = encodeValue(inspectRunValue, { flow: run.flow, run: run.id });
  return value ? { text: 'Inspect', actionId: ACTION.inspectRun, value } : undefined;
}

function navigation(at: Location): SlackBlock[] {
  const back = backButton(at);
  return back.length > 0 ? [actions(back, BLOCK.navigation)] : [];
}

export interface FlowsViewInput {
  at: At<'flows'>;
  frame: Frame;
  /** This page's flows, each with its newest run. */
  entries: FlowEntry[];
  total: number;
  uiUrl: string | null;
}

export function flowsView({ at, frame, entries, total, uiUrl }: FlowsViewInput): ModalView {
  const blocks: SlackBlock[] = [flowPicker(null)];
  if (total === 0) {
    blocks.push(section('There are no flows yet: nothing has run with this Metaflow backend.'));
  } else {
    const first = at.page * FLOWS_PAGE;
    blocks.push(context(`Flows ${count(first + 1)}–${count(first + entries.length)} of ${count(total)}, with their latest run`));
    for (const { flow, latest } of entries) {
      const value = encodeValue(flowValue, { flow: flow.name });
      const line = latest ? `*${escapeMrkdwn(flow.name)}*  ${runLine(latest, uiUrl)}` : `*${escapeMrkdwn(flow.name)}*  no runs yet`;
      blocks.push(section(line, value ? { text: 'Runs', actionId: ACTION.pickFlow, value } : undefined));
    }
    blocks.push(...pagingRow({ page: at.page, previous: 'page', next: first + entries.length < total ? true : null }));
  }
  return modal({ title: 'Metaflow runs', metadata: frame.metadata, pushed: frame.pushed, blocks });
}

export interface RecentValues {
  /** Users and tags of the flow's recent runs, newest first, for the filter menus. */
  users: string[];
  tags: string[];
}

export interface RunsViewInput {
  at: At<'runs'>;
  frame: Frame;
  page: Page<Run>;
  recent: RecentValues;
  /** The Metaflow user of whoever looks, for "Mine"; null when unknown. */
  me: string | null;
  uiUrl: string | null;
}

const STATUS_CHOICES: readonly { status: RunStatus; text: string }[] = [
  { status: 'running', text: 'Running' },
  { status: 'failed', text: 'Failed' },
  { status: 'successful', text: 'Successful' },
  { status: 'lost', text: 'Lost' },
];

function unique(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}

function userSelect(current: string | null, recent: readonly string[], me: string | null): ElementBuilder | null {
  const any = choice('Anyone', ANY);
  const mine = me === null ? null : choice(`Mine (${me})`, USER_OPTION_PREFIX + me);
  const others = unique([current, ...recent.slice(0, RECENT_USERS_MAX)]).filter((u) => u !== me);
  const byName = new Map(others.map((u) => [u, choice(u, USER_OPTION_PREFIX + u)]));
  const initial = current === null ? any : current === me ? mine : (byName.get(current) ?? null);
  return staticSelect(ACTION.runsUser, 'Any user', present([any, mine, ...byName.values()]), initial);
}

function tagSelect(current: readonly string[], recent: readonly string[]): ElementBuilder | null {
  const any = choice('Any tag', ANY);
  // Several tags from a query are one filter: the menu keeps them as one option.
  const kept = current.length > 1 ? choice(current.join(' + '), KEEP_TAGS) : null;
  const single = current.length === 1 ? current[0] : null;
  const byTag = new Map(unique([single, ...recent.slice(0, RECENT_TAGS_MAX)]).map((t) => [t, choice(t, TAG_OPTION_PREFIX + t)]));
  const initial = current.length === 0 ? any : (kept ?? (single === null ? null : (byTag.get(single) ?? null)));
  return staticSelect(ACTION.runsTag, 'Any tag', present([any, kept, ...byTag.values()]), initial);
}

function statusSelect(current: RunStatus | null): ElementBuilder | null {
  const any = choice('Any status', ANY);
  const choices = STATUS_CHOICES.map((s) => choice(s.text, s.status));
  const initial = current === null ? any : (choices[STATUS_CHOICES.findIndex((s) => s.status === current)] ?? null);
  return staticSelect(ACTION.runsStatus, 'Any status', present([any, ...choices]), initial);
}

function filterRow(at: At<'runs'>, recent: RecentValues, me: string | null): SlackBlock {
  const selects = [userSelect(at.filter.user, recent.users, me), tagSelect(at.filter.tags, recent.tags), statusSelect(at.filter.status)];
  return row(selects.filter((s): s is ElementBuilder => s !== null), BLOCK.filters);
}

function filtered(at: At<'runs'>): boolean {
  return at.filter.user !== null || at.filter.tags.length > 0 || at.filter.status !== null;
}

/** `Runs 21–40 of 3,000`: every page but the last is full, so the page number gives the range. */
function summary(at: At<'runs'>, page: Page<Run>): string {
  const first = at.paging.page * RUNS_PAGE + 1;
  const last = first + page.items.length - 1;
  const span = page.items.length === 1 ? count(first) : `${count(first)}–${count(last)}`;
  return `Runs ${span}${page.total === null ? '' : ` of ${count(page.total)}`}, newest first`;
}

export function runsView({ at, frame, page, recent, me, uiUrl }: RunsViewInput): ModalView {
  const blocks: SlackBlock[] = [flowPicker(at.flow), filterRow(at, recent, me)];
  if (page.items.length === 0) {
    const none = filtered(at)
      ? `No runs of *${escapeMrkdwn(at.flow)}* match these filters.`
      : `*${escapeMrkdwn(at.flow)}* has no runs yet.`;
    blocks.push(section(at.paging.page > 0 ? `No more runs of *${escapeMrkdwn(at.flow)}*.` : none));
  } else {
    blocks.push(context(summary(at, page)));
    for (const run of page.items.slice(0, RUNS_PAGE)) blocks.push(section(runLine(run, uiUrl), inspectButton(run)));
  }
  if (me === null) blocks.push(context("I don't know your Metaflow user name, so there is no *Mine* filter."));
  blocks.push(...pagingRow({ page: at.paging.page, previous: cursorPrevious(at.paging), next: page.next }));
  blocks.push(...navigation(at));
  return modal({ title: 'Runs', metadata: frame.metadata, pushed: frame.pushed, blocks });
}
