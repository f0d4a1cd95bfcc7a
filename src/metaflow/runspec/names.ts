/**
 * What the names and ids inside a run query may look like, and the "did you mean" lookup used
 * when a name is not found.
 */

// Flows are Python classes and steps are methods, so both follow str.isidentifier().
const PYTHON_IDENTIFIER = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

// Scheduler-made run ids look like argo-helloflow-x7k2p.1 or sfn-abc_def; local ones are numbers.
const ID = /^[A-Za-z0-9._-]+$/;

// Metaflow takes the user from $USER or from an email address's local part.
const USER = /^[\p{L}\p{N}._+-]+$/u;

export function isFlowName(s: string): boolean {
  return PYTHON_IDENTIFIER.test(s);
}

export function isStepName(s: string): boolean {
  return PYTHON_IDENTIFIER.test(s);
}

/**
 * Run and task ids. An id made only of dots would step out of a flow's directory in a datastore
 * path rather than name anything, so it is refused even though each character is allowed.
 */
export function isId(s: string): boolean {
  return ID.test(s) && !isOnlyDots(s);
}

export function isOnlyDots(s: string): boolean {
  return /^\.+$/.test(s);
}

export function isUserName(s: string): boolean {
  return USER.test(s);
}

/**
 * The known name the user most likely meant: one differing only in case wins, otherwise the
 * closest within max(1, floor(length / 4)) edits. Case differences are free when measuring the
 * distance, because "helloflw" should still find "HelloFlow"; among equally close names the one
 * whose case matches better wins, then the earlier one in `known`.
 */
export function suggestName(name: string, known: readonly string[]): string | null {
  const folded = name.toLowerCase();
  const caseOnly = known.find((k) => k === name) ?? known.find((k) => k.toLowerCase() === folded);
  if (caseOnly !== undefined) return caseOnly;

  const length = Array.from(name).length;
  const limit = Math.max(1, Math.floor(length / 4));
  let best: { name: string; folded: number; exact: number } | null = null;
  for (const candidate of known) {
    // The distance is at least the length difference, which rules out most of a long list cheaply.
    if (Math.abs(Array.from(candidate).length - length) > limit) continue;
    const distance = damerauLevenshtein(folded, candidate.toLowerCase());
    if (distance > limit) continue;
    const exact = damerauLevenshtein(name, candidate);
    if (best === null || distance < best.folded || (distance === best.folded && exact < best.exact)) {
      best = { name: candidate, folded: distance, exact };
    }
  }
  return best === null ? null : best.name;
}

/**
 * Edit distance where inserting, deleting or substituting a character, or swapping two adjacent
 * ones, costs 1. This is the unrestricted variant (Lowrance–Wagner), so an edit may touch a
 * transposed pair again: "CA" → "ABC" is 2. Works on code points so an emoji counts once.
 */
export function damerauLevenshtein(a: string, b: string): number {
  const s = Array.from(a);
  const t = Array.from(b);
  const infinity = s.length + t.length;
  // d[i + 1][j + 1] is the distance between the first i characters of s and the first j of t;
  // the extra row and column hold `infinity` so transpositions off the edge are never chosen.
  const d: number[][] = Array.from({ length: s.length + 2 }, () => new Array<number>(t.length + 2).fill(0));
  d[0][0] = infinity;
  for (let i = 0; i <= s.length; i += 1) {
    d[i + 1][0] = infinity;
    d[i + 1][1] = i;
  }
  for (let j = 0; j <= t.length; j += 1) {
    d[0][j + 1] = infinity;
    d[1][j + 1] = j;
  }
  const lastRowWith = new Map<string, number>();
  for (let i = 1; i <= s.length; i += 1) {
    let lastColumnMatched = 0;
    for (let j = 1; j <= t.length; j += 1) {
      const k = lastRowWith.get(t[j - 1]) ?? 0;
      const l = lastColumnMatched;
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      if (cost === 0) lastColumnMatched = j;
      d[i + 1][j + 1] = Math.min(
        d[i][j] + cost,
        d[i + 1][j] + 1,
        d[i][j + 1] + 1,
        d[k][l] + (i - k - 1) + 1 + (j - l - 1),
      );
    }
    lastRowWith.set(s[i - 1], i);
  }
  return d[s.length + 1][t.length + 1];
}
