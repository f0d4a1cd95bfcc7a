/**
 * `datetime` values: built from the arguments their `__reduce__` pickles (a packed byte state,
 * or plain ints), and printed like CPython 3.11's C implementation.
 */
import { PyDate, PyDateTime, PyTime, PyTimeDelta, PyTimeZone, PyValue } from './value';

const MAX_DAYS = 999_999_999;
const US_PER_DAY = 86_400_000_000n;

/** datetime's packed state: bytes, or (from Python 2 pickles) a str whose code points are the bytes. */
function stateBytes(value: PyValue | undefined, length: number): Uint8Array | null {
  if (value?.kind === 'bytes' && value.value.length === length) return value.value;
  if (value?.kind === 'str' && value.value.length === length && /^[\0-\xff]*$/.test(value.value)) {
    return Uint8Array.from(value.value, (c) => c.charCodeAt(0));
  }
  return null;
}

function ints(args: PyValue[], min: number, max: number): number[] | null {
  if (args.length < min || args.length > max) return null;
  const out: number[] = [];
  for (const a of args) {
    if (a.kind !== 'int' || a.value < -(2n ** 40n) || a.value > 2n ** 40n) return null;
    out.push(Number(a.value));
  }
  return out;
}

function tzArg(value: PyValue | undefined): PyValue | null | undefined {
  if (value === undefined || value.kind === 'none') return null;
  return value.kind === 'timezone' || value.kind === 'object' ? value : undefined;
}

const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;

export function buildDateTime(args: PyValue[]): PyDateTime | null {
  const state = stateBytes(args[0], 10);
  if (state && args.length <= 2 && inRange(state[2] & 0x7f, 1, 12)) {
    const tzinfo = tzArg(args[1]);
    if (tzinfo === undefined) return null;
    return {
      kind: 'datetime',
      year: state[0] * 256 + state[1],
      month: state[2] & 0x7f,
      day: state[3],
      hour: state[4],
      minute: state[5],
      second: state[6],
      microsecond: (state[7] << 16) | (state[8] << 8) | state[9],
      fold: state[2] >> 7,
      tzinfo,
    };
  }
  const last = args[args.length - 1];
  const tzinfo = args.length === 8 ? tzArg(last) : null;
  const fields = ints(args.length === 8 ? args.slice(0, 7) : args, 3, 7);
  if (!fields || tzinfo === undefined) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0, microsecond = 0] = fields;
  if (!validDate(year, month, day) || !validClock(hour, minute, second, microsecond)) return null;
  return { kind: 'datetime', year, month, day, hour, minute, second, microsecond, fold: 0, tzinfo };
}

export function buildDate(args: PyValue[]): PyDate | null {
  const state = stateBytes(args[0], 4);
  if (state && args.length === 1 && inRange(state[2], 1, 12)) {
    return { kind: 'date', year: state[0] * 256 + state[1], month: state[2], day: state[3] };
  }
  const fields = ints(args, 3, 3);
  if (!fields || !validDate(fields[0], fields[1], fields[2])) return null;
  return { kind: 'date', year: fields[0], month: fields[1], day: fields[2] };
}

export function buildTime(args: PyValue[]): PyTime | null {
  const state = stateBytes(args[0], 6);
  if (state && args.length <= 2 && (state[0] & 0x7f) < 24) {
    const tzinfo = tzArg(args[1]);
    if (tzinfo === undefined) return null;
    return {
      kind: 'time',
      hour: state[0] & 0x7f,
      minute: state[1],
      second: state[2],
      microsecond: (state[3] << 16) | (state[4] << 8) | state[5],
      fold: state[0] >> 7,
      tzinfo,
    };
  }
  const tzinfo = args.length === 5 ? tzArg(args[4]) : null;
  const fields = ints(args.length === 5 ? args.slice(0, 4) : args, 0, 4);
  if (!fields || tzinfo === undefined) return null;
  const [hour = 0, minute = 0, second = 0, microsecond = 0] = fields;
  if (!validClock(hour, minute, second, microsecond)) return null;
  return { kind: 'time', hour, minute, second, microsecond, fold: 0, tzinfo };
}

export function buildTimeDelta(args: PyValue[]): PyTimeDelta | null {
  const fields = ints(args, 0, 3);
  if (!fields) return null;
  const [days = 0n, seconds = 0n, microseconds = 0n] = fields.map((f) => BigInt(f));
  return normalizeTimeDelta(days * US_PER_DAY + seconds * 1_000_000n + microseconds);
}

function normalizeTimeDelta(totalMicroseconds: bigint): PyTimeDelta | null {
  let days = totalMicroseconds / US_PER_DAY;
  let rest = totalMicroseconds % US_PER_DAY;
  if (rest < 0n) {
    rest += US_PER_DAY;
    days -= 1n;
  }
  if (days < -MAX_DAYS || days > MAX_DAYS) return null;
  return { kind: 'timedelta', days: Number(days), seconds: Number(rest / 1_000_000n), microseconds: Number(rest % 1_000_000n) };
}

export function buildTimeZone(args: PyValue[]): PyTimeZone | null {
  const [offset, name] = args;
  if (offset?.kind !== 'timedelta' || args.length > 2) return null;
  if (name !== undefined && name.kind !== 'str') return null;
  const total = offset.days * 86_400 + offset.seconds;
  // Python only accepts offsets strictly inside ±24 hours.
  if (total <= -86_400 || total >= 86_400) return null;
  return { kind: 'timezone', offset, name: name?.value ?? null };
}

function validDate(year: number, month: number, day: number): boolean {
  return inRange(year, 1, 9999) && inRange(month, 1, 12) && inRange(day, 1, daysInMonth(year, month));
}

function validClock(hour: number, minute: number, second: number, microsecond: number): boolean {
  return inRange(hour, 0, 23) && inRange(minute, 0, 59) && inRange(second, 0, 59) && inRange(microsecond, 0, 999_999);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function dateRepr(d: PyDate): string {
  return `datetime.date(${d.year}, ${d.month}, ${d.day})`;
}

/** `datetime.datetime(Y, M, D, h, m[, s[, us]]` — the caller adds fold, tzinfo and `)`. */
export function dateTimeHead(d: PyDateTime): string {
  return `datetime.datetime(${d.year}, ${d.month}, ${d.day}, ${d.hour}, ${d.minute}${clockTail(d.second, d.microsecond)}`;
}

/** `datetime.time(h, m[, s[, us]]` — the caller adds tzinfo, fold and `)`. */
export function timeHead(t: PyTime): string {
  return `datetime.time(${t.hour}, ${t.minute}${clockTail(t.second, t.microsecond)}`;
}

function clockTail(second: number, microsecond: number): string {
  if (microsecond) return `, ${second}, ${microsecond}`;
  return second ? `, ${second}` : '';
}

export function timeDeltaRepr(td: PyTimeDelta): string {
  const parts: string[] = [];
  if (td.days) parts.push(`days=${td.days}`);
  if (td.seconds) parts.push(`seconds=${td.seconds}`);
  if (td.microseconds) parts.push(`microseconds=${td.microseconds}`);
  return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`;
}

function isUtc(tz: PyTimeZone): boolean {
  return tz.name === null && tz.offset.days === 0 && tz.offset.seconds === 0 && tz.offset.microseconds === 0;
}

/** Needs `reprStr` for the name because a zone name is printed with Python's quoting rules. */
export function timeZoneRepr(tz: PyTimeZone, reprStr: (s: string) => string): string {
  if (isUtc(tz)) return 'datetime.timezone.utc';
  const offset = timeDeltaRepr(tz.offset);
  return tz.name === null ? `datetime.timezone(${offset})` : `datetime.timezone(${offset}, ${reprStr(tz.name)})`;
}
