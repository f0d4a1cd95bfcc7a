/**
 * Lua scripts for everything that reads and then writes Redis state: a script runs
 * atomically, so replicas never interleave inside one. Each takes the key prefix as ARGV[1]
 * and derives its keys from it, which needs one Redis (or a primary with replicas), not
 * Redis Cluster. `keys.ts` names the same keys for TypeScript.
 *
 * Outbox layout, where `id` is a notification key and `runId` its channel and run (both JSON):
 * - `n:<id>` hash: the notification;
 * - `run:<runId>:open` zset (by enqueue seq): the run's unfinished items; the first is its head;
 * - `run:<runId>:ids` set: all the run's items, for pruning;
 * - `outbox:due` zset: heads only, scored by when they may be claimed (`dueAt` while
 *   pending, `leaseUntil` in flight), so one range query finds due and expired items alike;
 * - `outbox:open` zset (by seq): all unfinished items; `outbox:counts` hash: items per status;
 * - `outbox:runs` zset: each run scored by its newest enqueue; `outbox:runmsg` hash: its first post.
 *
 * Answers under way: `answer:<viewId>` hash (the answer and its owner), and `answers:leases`
 * zset of view ids scored by lease end. Posting turns: `turn:<channel>`, a key that expires.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Script {
  lua: string;
  sha: string;
}

const PRELUDE = `
local P = ARGV[1]
local function nkey(id) return P .. ':n:' .. id end
local function runOpenKey(runId) return P .. ':run:' .. runId .. ':open' end
local function runIdsKey(runId) return P .. ':run:' .. runId .. ':ids' end
local COUNTS = P .. ':outbox:counts'
local DUE = P .. ':outbox:due'
local OPEN = P .. ':outbox:open'
local RUNS = P .. ':outbox:runs'
local RUNMSG = P .. ':outbox:runmsg'
local function count(status, by) redis.call('HINCRBY', COUNTS, status, by) end
-- The item is finished: out of the unfinished sets, and the next item of its run becomes due.
local function finish(id, runId, from, to)
  count(from, -1)
  count(to, 1)
  redis.call('ZREM', DUE, id)
  redis.call('ZREM', OPEN, id)
  local runOpen = runOpenKey(runId)
  redis.call('ZREM', runOpen, id)
  local head = redis.call('ZRANGE', runOpen, 0, 0)[1]
  if head then redis.call('ZADD', DUE, 'NX', redis.call('HGET', nkey(head), 'dueAt'), head) end
end
`;

function script(body: string): Script {
  const lua = PRELUDE + body;
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** ARGV: prefix, id, runId, channel, run, transition, payload, now. */
export const ENQUEUE = script(`
local id, runId, now = ARGV[2], ARGV[3], ARGV[8]
local n = nkey(id)
if redis.call('EXISTS', n) == 1 then return 0 end
local seq = redis.call('INCR', P .. ':outbox:seq')
redis.call('HSET', n, 'runId', runId, 'channel', ARGV[4], 'run', ARGV[5], 'transition', ARGV[6], 'payload', ARGV[7],
  'status', 'pending', 'attempts', 0, 'createdAt', now, 'dueAt', now, 'seq', seq)
count('pending', 1)
redis.call('ZADD', OPEN, seq, id)
redis.call('SADD', runIdsKey(runId), id)
redis.call('ZADD', RUNS, 'GT', now, runId)
local runOpen = runOpenKey(runId)
redis.call('ZADD', runOpen, seq, id)
if redis.call('ZRANGE', runOpen, 0, 0)[1] == id then redis.call('ZADD', DUE, now, id) end
return 1
`);

/** ARGV: prefix, owner, limit, now, leaseUntil. Returns each claimed item as HGETALL does. */
export const CLAIM = script(`
local owner, leaseUntil = ARGV[2], ARGV[5]
local claimed = {}
for i, id in ipairs(redis.call('ZRANGEBYSCORE', DUE, '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local n = nkey(id)
  if redis.call('HGET', n, 'status') == 'pending' then
    count('pending', -1)
    count('inflight', 1)
  end
  redis.call('HSET', n, 'status', 'inflight', 'owner', owner, 'leaseUntil', leaseUntil)
  redis.call('HINCRBY', n, 'attempts', 1)
  redis.call('ZADD', DUE, leaseUntil, id)
  claimed[i] = redis.call('HGETALL', n)
end
return claimed
`);

/** ARGV: prefix, id, posted channel, posted ts, now. Returns -1 for an unknown id. */
export const MARK_POSTED = script(`
local id = ARGV[2]
local n = nkey(id)
local status = redis.call('HGET', n, 'status')
if not status then return -1 end
if status == 'posted' then return 0 end
redis.call('HSET', n, 'status', 'posted', 'postedChannel', ARGV[3], 'postedTs', ARGV[4], 'postedAt', ARGV[5])
redis.call('HDEL', n, 'owner', 'leaseUntil')
local runId = redis.call('HGET', n, 'runId')
redis.call('HSETNX', RUNMSG, runId, cjson.encode({ARGV[3], ARGV[4]}))
finish(id, runId, status, 'posted')
return 1
`);

/** ARGV: prefix, id, error, retry time or '' to give up. Returns -1 for an unknown id. */
export const MARK_FAILED = script(`
local id, retryAt = ARGV[2], ARGV[4]
local n = nkey(id)
local status = redis.call('HGET', n, 'status')
if not status then return -1 end
if status ~= 'inflight' then return 0 end
redis.call('HDEL', n, 'owner', 'leaseUntil')
if retryAt == '' then
  redis.call('HSET', n, 'status', 'abandoned', 'error', ARGV[3])
  finish(id, redis.call('HGET', n, 'runId'), 'inflight', 'abandoned')
else
  redis.call('HSET', n, 'status', 'pending', 'error', ARGV[3], 'dueAt', retryAt)
  count('inflight', -1)
  count('pending', 1)
  redis.call('ZADD', DUE, retryAt, id)
end
return 1
`);

/**
 * ARGV: prefix, owner, now. Ends now the leases `owner` holds; returns how many. An item in
 * flight is always the head of its run, so the heads due later are all there is to look at.
 */
export const RELEASE_CLAIMS = script(`
local owner, now = ARGV[2], ARGV[3]
local released = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', DUE, '(' .. now, '+inf')) do
  local n = nkey(id)
  local held = redis.call('HMGET', n, 'status', 'owner')
  if held[1] == 'inflight' and held[2] == owner then
    redis.call('HSET', n, 'leaseUntil', now)
    redis.call('ZADD', DUE, now, id)
    released = released + 1
  end
end
return released
`);

/** ARGV: prefix, channel, interval ms. 0: the turn is taken; else the ms until it is free. */
export const TAKE_POST_TURN = script(`
local key = P .. ':turn:' .. ARGV[2]
if redis.call('SET', key, '1', 'NX', 'PX', ARGV[3]) then return 0 end
return math.max(redis.call('PTTL', key), 1)
`);

/** ARGV: prefix, channel, ms. Extends the turn to at least ms from now. */
export const HOLD_POST_TURN = script(`
local key = P .. ':turn:' .. ARGV[2]
if redis.call('PTTL', key) < tonumber(ARGV[3]) then redis.call('SET', key, '1', 'PX', ARGV[3]) end
return 0
`);

/** ARGV: prefix, before. Returns how many items went. */
export const PRUNE = script(`
local removed = 0
for _, runId in ipairs(redis.call('ZRANGEBYSCORE', RUNS, '-inf', '(' .. ARGV[2])) do
  if redis.call('EXISTS', runOpenKey(runId)) == 0 then
    local ids = runIdsKey(runId)
    for _, id in ipairs(redis.call('SMEMBERS', ids)) do
      count(redis.call('HGET', nkey(id), 'status'), -1)
      redis.call('DEL', nkey(id))
      removed = removed + 1
    end
    redis.call('DEL', ids)
    redis.call('HDEL', RUNMSG, runId)
    redis.call('ZREM', RUNS, runId)
  end
end
return removed
`);

/**
 * ARGV: prefix, owner, now, leaseUntil, limit. Returns each answer taken as HGETALL does.
 * Every expired answer is read so the oldest go first: few are ever expired at once.
 */
export const TAKE_OVER_ANSWERS = script(`
local owner, leaseUntil = ARGV[2], ARGV[4]
local LEASES = P .. ':answers:leases'
local function akey(viewId) return P .. ':answer:' .. viewId end
local expired = {}
for i, viewId in ipairs(redis.call('ZRANGEBYSCORE', LEASES, '-inf', '(' .. ARGV[3])) do
  expired[i] = {viewId, tonumber(redis.call('HGET', akey(viewId), 'createdAt'))}
end
table.sort(expired, function(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  return a[1] < b[1]
end)
local taken = {}
for i = 1, math.min(tonumber(ARGV[5]), #expired) do
  local viewId = expired[i][1]
  redis.call('HSET', akey(viewId), 'owner', owner)
  redis.call('ZADD', LEASES, leaseUntil, viewId)
  taken[i] = redis.call('HGETALL', akey(viewId))
end
return taken
`);

/** ARGV: prefix, owner, view id. Deletes the answer only if `owner` holds it. */
export const RELEASE_ANSWER = script(`
local key = P .. ':answer:' .. ARGV[3]
if redis.call('HGET', key, 'owner') ~= ARGV[2] then return 0 end
redis.call('DEL', key)
redis.call('ZREM', P .. ':answers:leases', ARGV[3])
return 1
`);

/** ARGV: prefix, owner, lease until, view ids…. Extends the leases `owner` still holds; returns how many. */
export const RENEW_ANSWERS = script(`
local renewed = 0
for i = 4, #ARGV do
  if redis.call('HGET', P .. ':answer:' .. ARGV[i], 'owner') == ARGV[2] then
    redis.call('ZADD', P .. ':answers:leases', ARGV[3], ARGV[i])
    renewed = renewed + 1
  end
end
return renewed
`);

/** ARGV: prefix, channel, flow. Subscription fields are JSON arrays starting with channel and flow. */
export const UNSUBSCRIBE = script(`
local key = P .. ':subscriptions'
local removed = 0
for _, field in ipairs(redis.call('HKEYS', key)) do
  local same = cjson.decode(field)
  if same[1] == ARGV[2] and same[2] == ARGV[3] then
    redis.call('HDEL', key, field)
    removed = removed + 1
  end
end
return removed
`);

/** ARGV: prefix, owner, ttl ms. Compare-and-renew: 1 if owner held the lock and still does. */
export const RENEW_LEADERSHIP = script(`
local key = P .. ':leader'
if redis.call('GET', key) == ARGV[2] then return redis.call('PEXPIRE', key, ARGV[3]) end
return 0
`);

/** ARGV: prefix, owner. Compare-and-delete, so a late release cannot free a successor's lock. */
export const RELEASE_LEADERSHIP = script(`
local key = P .. ':leader'
if redis.call('GET', key) == ARGV[2] then return redis.call('DEL', key) end
return 0
`);

/** EVALSHA, sending the script itself only when this Redis has not cached it yet. */
export async function runScript(redis: Redis, s: Script, prefix: string, args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, 0, prefix, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(s.lua, 0, prefix, ...args);
  }
}
