/**
 * One artifact's value, a page of characters at a time; a value too long to page through in
 * Slack (or stored large) can be uploaded as a file instead.
 *
 * Budget: a page is PAGE_CHARS characters of sanitized text, at most 5 bytes each once escaped
 * (code.ts), so at most 60 kB in 21 code sections; with the header, two context lines and the
 * rows, under 30 blocks and a quarter of the 250 kB.
 */
import type { ModalView } from '@slack/types';
import type { Artifact } from '../../src/metaflow/model';
import { ACTION, BLOCK } from '../../src/slack/ids';
import type { Location } from '../../src/slack/navigation';
import { escapeMrkdwn } from '../limits';
import { actions, context, header, section, type ButtonSpec } from '../components/blocks';
import { codeSections } from '../components/code';
import { code, count } from '../components/format';
import type { SlackBlock, SlackFile } from '../components/message';
import { modal, type Frame } from '../components/modal';
import { backButton, noticeBlocks, pagingRow } from '../components/nav';
import { artifactSize } from '../messages/data';

export const PAGE_CHARS = 12_000;
const PAGES_MAX = 20;
/** Beyond this many characters, pages stop and the file takes over. */
export const PAGED_CHARS_MAX = PAGES_MAX * PAGE_CHARS;
/** A stored value this large is offered as a file even when its text would page. */
export const LARGE_BYTES = 1024 * 1024;

type At<K extends Location['kind']> = Extract<Location, { kind: K }>;

/** Pages a value of `length` characters takes here. */
export function pageCount(length: number): number {
  return Math.max(1, Math.ceil(Math.min(length, PAGED_CHARS_MAX) / PAGE_CHARS));
}

/** How much of the preview a page needs: up to its end, plus one character so the client says
 *  whether more follows. Lengths count code points, as the client's previews do. */
export function previewLengthFor(page: number): number {
  return Math.min(page + 1, PAGES_MAX) * PAGE_CHARS + 1;
}

export function isLarge(a: Artifact): boolean {
  return a.previewLength > PAGED_CHARS_MAX || (a.size ?? 0) > LARGE_BYTES;
}

export interface ArtifactViewInput {
  at: At<'artifact'>;
  frame: Frame;
  /** Its preview reaches at least to the end of the page (`previewLengthFor`). */
  artifact: Artifact;
  taskPathspec: string;
  notice?: string;
}

export function artifactView({ at, frame, artifact, taskPathspec, notice }: ArtifactViewInput): ModalView {
  const pages = pageCount(artifact.previewLength);
  const page = Math.min(at.page, pages - 1);
  const points = Array.from(artifact.preview);
  // A cut preview ends with "…", which is not part of the value.
  const whole = artifact.previewTruncated ? points.slice(0, -1) : points;
  const text = whole.slice(page * PAGE_CHARS, (page + 1) * PAGE_CHARS).join('');
  const blocks: SlackBlock[] = [
    header(artifact.name),
    context(`_${artifact.type}${artifactSize(artifact)}_ in ${code(taskPathspec)}`),
  ];
  if (artifact.previewLength > PAGE_CHARS) {
    const end = Math.min((page + 1) * PAGE_CHARS, artifact.previewLength);
    const rest = artifact.previewLength > PAGED_CHARS_MAX ? '; upload it as a file for the rest' : '';
    blocks.push(context(`Characters ${count(page * PAGE_CHARS + 1)}–${count(end)} of ${count(artifact.previewLength)}${rest}`));
  }
  blocks.push(...(text === '' ? [section('_An empty value._')] : codeSections(text)));
  blocks.push(...pagingRow({ page, previous: 'page', next: page + 1 < pages ? true : null }));
  const buttons: ButtonSpec[] = isLarge(artifact) ? [{ text: 'Upload as file', actionId: ACTION.uploadArtifact }] : [];
  blocks.push(actions([...buttons, ...backButton(at)], BLOCK.navigation));
  blocks.push(...noticeBlocks(notice));
  return modal({ title: 'Artifact', metadata: frame.metadata, pushed: frame.pushed, blocks });
}

/** The value as a file: its repr, as far as the bot reads it. */
export function artifactFile(artifact: Artifact, taskPathspec: string): SlackFile {
  const cut = artifact.previewTruncated ? ` It was cut after ${count(Array.from(artifact.preview).length - 1)} of ${count(artifact.previewLength)} characters.` : '';
  return {
    filename: `${taskPathspec.replace(/\//g, '-')}-${artifact.name}.txt`,
    title: `${artifact.name} in ${taskPathspec}`,
    content: artifact.preview,
    comment: `${code(artifact.name)} (_${escapeMrkdwn(artifact.type)}_) of ${code(taskPathspec)}.${cut}`,
  };
}
