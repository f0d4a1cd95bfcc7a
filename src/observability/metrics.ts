/**
 * Prometheus metrics (`GET /metrics`). One registry per bot, so tests and several bots in one
 * process do not share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CacheStats } from '../metaflow/cache';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'metaflowbot_slack_requests_total', help: 'Slack requests handled, by kind (command, action, view, options, event) and name', labelNames: ['kind', 'name', 'outcome'], registers: [this.registry] });
  readonly requestSeconds = new Histogram({ name: 'metaflowbot_slack_request_seconds', help: 'Time to handle a Slack request completely (after the ack too)', labelNames: ['kind', 'name'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly ackSeconds = new Histogram({ name: 'metaflowbot_slack_ack_seconds', help: 'Time from Bolt receiving a Slack request (HTTP or Socket Mode) to its ack, by kind (command, action, view, options, event)', labelNames: ['kind'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly backendSeconds = new Histogram({ name: 'metaflowbot_backend_call_seconds', help: 'Metaflow backend calls', labelNames: ['backend', 'call'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly backendErrors = new Counter({ name: 'metaflowbot_backend_errors_total', help: 'Metaflow backend calls that failed, by error type', labelNames: ['backend', 'call', 'error'], registers: [this.registry] });
  readonly slackApiErrors = new Counter({ name: 'metaflowbot_slack_api_errors_total', help: 'Slack Web API calls answered with an error', labelNames: ['method', 'error'], registers: [this.registry] });
  readonly slackRateLimited = new Counter({ name: 'metaflowbot_slack_api_rate_limited_total', help: 'Slack Web API calls answered 429', labelNames: ['method'], registers: [this.registry] });
  readonly answersRecovered = new Counter({ name: 'metaflowbot_answers_recovered_total', help: 'Modal answers a dead replica left behind, by outcome (finished, dropped, failed)', labelNames: ['outcome'], registers: [this.registry] });
  readonly notifications = new Counter({ name: 'metaflowbot_notifications_sent_total', help: 'Run notifications posted or updated', labelNames: ['transition'], registers: [this.registry] });

  constructor(cacheStats?: () => CacheStats) {
    collectDefaultMetrics({ register: this.registry, prefix: 'metaflowbot_' });
    if (cacheStats) {
      const stat = (key: keyof CacheStats) => function (this: Gauge) {
        this.set(cacheStats()[key]);
      };
      new Gauge({ name: 'metaflowbot_cache_hits', help: 'Client cache hits since start', registers: [this.registry], collect: stat('hits') });
      new Gauge({ name: 'metaflowbot_cache_misses', help: 'Client cache misses since start', registers: [this.registry], collect: stat('misses') });
      new Gauge({
        name: 'metaflowbot_cache_hit_ratio',
        help: 'Share of client cache reads answered from the cache since start (0 before the first read)',
        registers: [this.registry],
        collect() {
          const { hits, misses } = cacheStats();
          this.set(hits + misses === 0 ? 0 : hits / (hits + misses));
        },
      });
      new Gauge({ name: 'metaflowbot_cache_entries', help: 'Entries in the client cache', registers: [this.registry], collect: stat('entries') });
      new Gauge({ name: 'metaflowbot_cache_bytes', help: 'Estimated bytes held by the client cache', registers: [this.registry], collect: stat('bytes') });
    }
  }
}

/**
 * Wraps every async method of a backend (metadata source, datastore) to time it and count its
 * errors, without the backend knowing about metrics.
 */
export function instrumentBackend<T extends object>(target: T, backend: string, metrics: Metrics): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (!(result instanceof Promise)) return result;
        const end = metrics.backendSeconds.startTimer({ backend, call: prop });
        return result.then(
          (v: unknown) => {
            end();
            return v;
          },
          (err: unknown) => {
            end();
            metrics.backendErrors.inc({ backend, call: prop, error: err instanceof Error ? err.name : 'unknown' });
            throw err;
          },
        );
      };
    },
  });
}
