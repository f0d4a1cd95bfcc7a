/** What a fake Web API method answers, and the shapes of Slack's refusals. */
import { formatViolation, type Violation } from '../../../views/validate';
import type { Params } from './http';

export type ApiResult = { ok: boolean } & Params;

export type Method = (params: Params) => ApiResult;

export function ok(fields: Params = {}): ApiResult {
  return { ok: true, ...fields };
}

export function fail(error: string, fields: Params = {}): ApiResult {
  return { ok: false, error, ...fields };
}

/** A missing or malformed argument, worded like Slack's schema errors. */
export function badArgument(message: string, pointer: string): ApiResult {
  return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${message} [json-pointer:${pointer}]`] } });
}

/**
 * Slack's answer to content that breaks Block Kit rules. Messages say `invalid_blocks` and
 * list the problems twice (`errors` without the `[ERROR]` prefix, and
 * `response_metadata.messages`); views say `invalid_arguments` with the messages only. A
 * violation that has its own error code (`view_too_large`, `msg_blocks_too_long`) decides the
 * code when it is the only kind of problem.
 */
export function rejectContent(kind: 'message' | 'view', violations: Violation[], pointerPrefix = ''): ApiResult {
  const generic = violations.filter((v) => !v.error);
  const error = generic.length ? (kind === 'view' ? 'invalid_arguments' : 'invalid_blocks') : (violations[0].error as string);
  const messages = violations.map((v) => formatViolation(v, pointerPrefix));
  const errors = kind === 'message' ? { errors: messages.map((m) => m.replace(/^\[ERROR\] /, '')) } : {};
  return fail(error, { ...errors, response_metadata: { messages } });
}

/** Whether a required string argument is missing (Slack treats '' as missing). */
export function missing(value: unknown): boolean {
  return typeof value !== 'string' || value === '';
}
