/** The error code of a Web API refusal (`hash_conflict`, `not_in_channel` …), if it is one. */
export function slackError(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const data = (err as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : null;
}
