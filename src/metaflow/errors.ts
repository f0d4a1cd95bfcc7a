/**
 * Failures of the Metaflow client, typed so that a caller (the Slack layer, the CLI) can turn
 * each into one clear sentence without parsing messages.
 */

export class MetaflowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The object does not exist (or the reader may not see it). `what` is a pathspec. */
export class NotFoundError extends MetaflowError {
  constructor(readonly what: string, readonly suggestion: string | null = null) {
    super(suggestion ? `${what} was not found. Did you mean ${suggestion}?` : `${what} was not found.`);
  }
}

/** The backend cannot be reached or answered with a server error. */
export class BackendUnavailableError extends MetaflowError {}

/** The datastore (S3) cannot be reached or refuses to be read; the metadata service may be fine. */
export class DatastoreUnavailableError extends BackendUnavailableError {}

/** The backend did not answer in time. */
export class BackendTimeoutError extends MetaflowError {}

/** The backend answered with something that is not what Metaflow writes. */
export class BackendDataError extends MetaflowError {}

/** A value too large to fetch for a preview. */
export class TooLargeError extends MetaflowError {
  constructor(readonly what: string, readonly bytes: number) {
    super(`${what} is too large to preview (${formatMegabytes(bytes)})`);
  }
}

export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
