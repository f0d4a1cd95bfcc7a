/**
 * A run: what it is, how it went, its parameters and its steps with a step picker.
 *
 * Budget: header, fields, up to 2 parameter sections, up to 10 step sections (STEPS_PAGE
 * lines of at most LINE_MAX characters), the picker row and the paging row: under 20 blocks.
 * A run of more than STEPS_PAGE steps pages through them, and the picker offers the page's.
 */
import type { ModalView } from '@slack/types';
import type { RunDetail } from '../../src/metaflow/model';
import { ACTION, BLOCK } from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { header, row, buttonElement, type ElementBuilder } from '../components/blocks';
import { packLines } from '../components/budget';
import { code, count, plural } from '../components/format';
import type { SlackBlock } from '../components/message';
import { modal, type Frame } from '../components/modal';
import { backButton, pagingRow } from '../components/nav';
import { runFields, uiRunUrl } from '../components/run';
import { choice, present, staticSelect } from '../components/select';
import { parameterLine, stepLine } from '../messages/run-overview';

export const STEPS_PAGE = 50;
const PARAMETER_TEXT_MAX = 3000;
const STEP_TEXT_MAX = 20_000;

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

export interface RunViewInput {
  at: At<'run'>;
  frame: Frame;
  run: RunDetail;
  uiUrl: string | null;
}

export function runView({ at, frame, run, uiUrl }: RunViewInput): ModalView {
  const blocks: SlackBlock[] = [header(run.pathspec), runFields(run)];
  if (run.parameters.length > 0) {
    const params = packLines(['*Parameters*', ...run.parameters.map(parameterLine)], { blocks: 2, text: PARAMETER_TEXT_MAX }, (omitted) =>
      `… ${plural(omitted, 'more parameter')}: ${code(`/metaflow params ${run.pathspec}`)}`,
    );
    blocks.push(...params.blocks);
  }
  const first = at.page * STEPS_PAGE;
  const steps = run.steps.slice(first, first + STEPS_PAGE);
  const range = run.steps.length > STEPS_PAGE ? `, ${count(first + 1)}–${count(first + steps.length)} shown` : '';
  const listed = packLines([`*Steps* (${plural(run.steps.length, 'step')} started${range})`, ...steps.map(stepLine)], { blocks: 10, text: STEP_TEXT_MAX }, (omitted) =>
    `… ${plural(omitted, 'more step')}`,
  );
  blocks.push(...listed.blocks);

  const controls: ElementBuilder[] = [];
  const picker = staticSelect(ACTION.pickStep, 'Open a step…', present(steps.map((s) => choice(s.name, s.name))));
  if (picker) controls.push(picker);
  controls.push(...backButton(at).map(buttonElement));
  const url = uiRunUrl(uiUrl, run.flow, run.id);
  if (url) controls.push(buttonElement({ text: 'Open in Metaflow UI', actionId: ACTION.openInUi, url }));
  if (controls.length > 0) blocks.push(row(controls, BLOCK.navigation));
  blocks.push(...pagingRow({ page: at.page, previous: 'page', next: first + steps.length < run.steps.length ? true : null }));
  return modal({ title: 'Run', metadata: frame.metadata, pushed: frame.pushed, blocks });
}
