/**
 * A `fetch` for the Slack Web API client that counts 429s and `ok: false` answers per method,
 * so /metrics shows Slack trouble without every call site reporting it.
 */
import type { Metrics } from './metrics';

type Fetch = typeof globalThis.fetch;

function methodOf(url: string): string {
  const m = /\/api\/([a-zA-Z.]+)(?:\?|$)/.exec(url);
  return m ? m[1] : 'other';
}

export function observedFetch(metrics: Metrics, inner: Fetch = globalThis.fetch): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = methodOf(url);
    if (response.status === 429) {
      metrics.slackRateLimited.inc({ method });
    } else if (response.headers.get('content-type')?.includes('json')) {
      const body = (await response.clone().json().catch(() => null)) as { ok?: boolean; error?: string } | null;
      if (body && body.ok === false) metrics.slackApiErrors.inc({ method, error: body.error ?? 'unknown' });
    }
    return response;
  };
}
