/**
 * One cache for the client. What never changes (finished runs' steps and tasks, artifacts by
 * sha, finished tasks' logs) stays until evicted by size; lists and running runs expire within
 * seconds. Identical concurrent reads share one load.
 */
import { LRUCache } from 'lru-cache';

export type Lifetime = 'forever' | { ttlMs: number } | 'none';

export interface CacheOptions {
  maxBytes?: number;
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

interface Entry {
  value: unknown;
}

/** A rough size in bytes, good enough to bound the cache by memory. */
export function estimateSize(value: unknown): number {
  if (value === null || value === undefined) return 8;
  if (typeof value === 'string') return 2 * value.length + 16;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (Buffer.isBuffer(value)) return value.length + 16;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + estimateSize(v), 16);
  if (value instanceof Map) {
    let n = 16;
    for (const [k, v] of value) n += estimateSize(k) + estimateSize(v);
    return n;
  }
  if (typeof value === 'object') {
    let n = 16;
    for (const [k, v] of Object.entries(value)) n += 2 * k.length + estimateSize(v);
    return n;
  }
  return 16;
}

export class ClientCache {
  private readonly lru: LRUCache<string, Entry>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private hits = 0;
  private misses = 0;

  constructor(opts: CacheOptions = {}) {
    const now = opts.now;
    this.lru = new LRUCache<string, Entry>({
      maxSize: opts.maxBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (entry, key) => Math.max(1, estimateSize(entry.value) + 2 * key.length),
      // An injected clock is read at every check: lru-cache would otherwise reuse a reading for
      // a millisecond of real time, and miss a jump of the clock made just before.
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  /**
   * The cached value for `key`, or the result of `load`, kept as long as `lifetime(value)`
   * says. Concurrent calls for one key while it loads share that load.
   */
  async get<T>(key: string, load: () => Promise<T>, lifetime: (value: T) => Lifetime): Promise<T> {
    const hit = this.lru.get(key);
    if (hit) {
      this.hits += 1;
      return hit.value as T;
    }
    const pending = this.inflight.get(key);
    if (pending) {
      this.hits += 1;
      return pending as Promise<T>;
    }
    this.misses += 1;
    const promise = load().then(
      (value) => {
        this.inflight.delete(key);
        const life = lifetime(value);
        if (life === 'forever') this.lru.set(key, { value }, { ttl: 0 });
        else if (life !== 'none') this.lru.set(key, { value }, { ttl: life.ttlMs });
        return value;
      },
      (err: unknown) => {
        this.inflight.delete(key);
        throw err;
      },
    );
    this.inflight.set(key, promise);
    return promise;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.lru.size, bytes: this.lru.calculatedSize };
  }

  clear(): void {
    this.lru.clear();
  }
}
