/** The shape every message builder returns, and the one place slack-block-builder's output is
 *  typed as Block Kit. */
import type { Block, KnownBlock } from '@slack/types';
import { buildBlock, type BlockBuilder } from 'slack-block-builder';

export type SlackBlock = KnownBlock | Block;

export interface SlackMessage {
  /** Shown in notifications and read by screen readers; the blocks carry the content. */
  text: string;
  blocks: SlackBlock[];
}

/** A file the bot posts (files.uploadV2), with the mrkdwn comment that introduces it. */
export interface SlackFile {
  filename: string;
  title: string;
  content: string;
  /** mrkdwn posted with the file. */
  comment: string;
}

/** slack-block-builder types its output as a DTO class; the JSON is plain Block Kit. */
export function built(builder: BlockBuilder): SlackBlock {
  return buildBlock(builder) as unknown as SlackBlock;
}
