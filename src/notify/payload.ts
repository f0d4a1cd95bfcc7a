/**
 * What a queued notification carries: the run as the watcher saw it at the transition, and for
 * a failure where and how it failed. The poster builds every message from this alone, so a
 * replica that never read Metaflow can post it, and a message shows the run as it was when the
 * transition happened rather than whenever the post gets through.
 *
 * It is stored as JSON and read back by whatever version of the bot is running then, so it is
 * validated on the way out.
 */
import { z } from 'zod';
import type { Json } from '../state/store';

const runSnapshot = z.object({
  pathspec: z.string(),
  flow: z.string(),
  id: z.string(),
  user: z.string().nullable(),
  tags: z.array(z.string()),
  systemTags: z.array(z.string()),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  status: z.enum(['running', 'successful', 'failed', 'lost']),
  lastSeenAt: z.number(),
});

const failureDetails = z.object({
  step: z.string(),
  /** Null when no task of the step shows the failure (e.g. it was lost, not failed). */
  task: z.string().nullable(),
  /** Metaflow's attempt number, from 0. */
  attempt: z.number().int().nullable(),
  exception: z.object({ type: z.string(), message: z.string() }).nullable(),
  /** The last lines of the failed attempt's stderr, oldest first. */
  stderr: z.array(z.string()),
});

export const noticePayload = z.object({
  run: runSnapshot,
  failure: failureDetails.nullable(),
});

export type RunSnapshot = z.infer<typeof runSnapshot>;
export type FailureDetails = z.infer<typeof failureDetails>;
export type NoticePayload = z.infer<typeof noticePayload>;

export function toJson(payload: NoticePayload): Json {
  return noticePayload.parse(payload);
}

/** The payload, or null when it is not one this version can show. */
export function readPayload(json: Json): NoticePayload | null {
  const parsed = noticePayload.safeParse(json);
  return parsed.success ? parsed.data : null;
}
