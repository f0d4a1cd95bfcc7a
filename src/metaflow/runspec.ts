/**
 * Run queries: the text users type to point the bot at flows, runs, steps and tasks, e.g.
 * `/metaflow inspect HelloFlow/42` or `/metaflow inspect alice's latest run of HelloFlow tagged nightly`.
 *
 * Grammar (EBNF). Words are separated by whitespace; keywords match in any case.
 *
 *   query      = [ owner ] [ latest ] target [ tags ] ;
 *   owner      = user , apostrophe , [ "s" ] ;          (* one word: alice's  alice’s  james'  james's *)
 *   apostrophe = "'" | "’" | "‘" ;
 *   latest     = "latest" , "run" , "of" ;
 *   target     = ( [ "/" ] , pathspec , [ "/" ] | ui-link ) ;         (* one word, no spaces *)
 *   pathspec   = flow , [ "/" , run , [ "/" , step , [ "/" , task ] ] ] ;
 *   ui-link    = ( "http://" | "https://" ) , host , "/" ,
 *                ( pathspec | flow , "/" , run , "/view/" , page ) , [ "/" ] ,
 *                [ "?" , query-string ] , [ "#" , fragment ] ;
 *   tags       = "tagged" , tag , { ( "," , [ "and" ] | "and" ) , tag } ;
 *   tag        = bare-tag | '"' , { char - '"' } , '"' | ( "“" | "”" ) , { char - "”" } , "”" ;
 *
 *   flow, step = a Python identifier (case-sensitive) ;
 *   run, task  = letters, digits, ".", "-", "_" ; not only dots ;
 *   user       = letters, digits, ".", "-", "_", "+" ;
 *   bare-tag   = a word other than "and", not starting with "<" ;
 *   word       = characters up to whitespace, "`", ",", '"', "“" or "”" ;
 *
 * Beyond the grammar:
 * - `HelloFlow` means the flow's runs and `latest run of HelloFlow` only its newest run.
 * - A target with a run id already picks one run, so it takes no owner, "latest run of" or tags.
 * - "latest" is a keyword only when "run" follows it and "tagged" only after the target, so flows
 *   named Latest or Tagged still work.
 * - Several tags: `tagged a, b`, `tagged a and b`, `tagged a, b and c` or `tagged a, b, and c`;
 *   the canonical form is `tagged a, b`. A tag with spaces, commas or quotes, or the tag "and",
 *   is written in quotes.
 * - Slack formatting is undone: backticks separate words like spaces, and a Slack link
 *   `<target>` or `<target|label>` is read as its label if it has one, else as its target.
 * - In a UI link, `/view/<page>` after the run (the UI's DAG and timeline pages) is ignored,
 *   as are the query string and fragment; the UI is taken to be served at the root of its host.
 * - Every failure is a RunQueryError whose message says, for a Slack user, what was expected
 *   where; `position` indexes the original text.
 */

import { canBeQuoted, quoted, readsAsOneWord, tokenize, type Token, type WordToken } from './runspec/lexer';
import { isFlowName, isId, isOnlyDots, isStepName, isUserName, suggestName } from './runspec/names';

export { isFlowName, suggestName } from './runspec/names';

export interface RunQuery {
  flow: string;
  /** A specific run id. */
  run?: string;
  step?: string;
  task?: string;
  /** From "<user>'s ...". */
  user?: string;
  /** "latest run of ..." asks for the newest run only; a plain flow asks for its runs. */
  latest: boolean;
  /** From "tagged ..."; a run must carry every one of them. */
  tags: string[];
}

export class RunQueryError extends Error {
  override readonly name = 'RunQueryError';

  constructor(
    message: string,
    /** Index into the query text where `expected` was expected. */
    readonly position: number,
    /** A short phrase naming what would have been valid at `position`, e.g. `a flow name`. */
    readonly expected: string,
  ) {
    super(message);
  }
}

export function parseRunQuery(text: string): RunQuery {
  return new Parser(text).parse();
}

/** Canonical text for `q`, which `parseRunQuery` turns back into an equal query. */
export function formatRunQuery(q: RunQuery): string {
  const problem = whyInvalid(q);
  if (problem !== null) throw new RangeError(`Cannot format run query ${JSON.stringify(q)}: ${problem}.`);
  if (q.run !== undefined) return pathspec(q.flow, q.run, q.step, q.task);
  const words: string[] = [];
  if (q.user !== undefined) words.push(`${q.user}'s`);
  if (q.latest) words.push('latest run of');
  words.push(q.flow);
  if (q.tags.length > 0) words.push(formatTags(q.tags));
  return words.join(' ');
}

/** `Flow/run[/step[/task]]` when `q` names a specific run, else null. */
export function pathspecOf(q: RunQuery): string | null {
  return q.run === undefined ? null : pathspec(q.flow, q.run, q.step, q.task);
}

function pathspec(flow: string, run: string, step?: string, task?: string): string {
  if (step === undefined) return `${flow}/${run}`;
  return task === undefined ? `${flow}/${run}/${step}` : `${flow}/${run}/${step}/${task}`;
}

function formatTags(tags: readonly string[]): string {
  const written = tags.map((tag) => (readsAsOneWord(tag) && !isKeyword(tag, 'and') ? tag : quoted(tag)));
  return `tagged ${written.join(', ')}`;
}

function whyInvalid(q: RunQuery): string | null {
  if (!isFlowName(q.flow)) return `${JSON.stringify(q.flow)} is not a flow name`;
  if (q.run !== undefined && !isId(q.run)) return `${JSON.stringify(q.run)} is not a run id`;
  if (q.step !== undefined && q.run === undefined) return 'a step needs a run';
  if (q.step !== undefined && !isStepName(q.step)) return `${JSON.stringify(q.step)} is not a step name`;
  if (q.task !== undefined && q.step === undefined) return 'a task needs a step';
  if (q.task !== undefined && !isId(q.task)) return `${JSON.stringify(q.task)} is not a task id`;
  if (q.user !== undefined && !isUserName(q.user)) return `${JSON.stringify(q.user)} is not a user name`;
  for (const tag of q.tags) {
    if (tag === '') return 'a tag is empty';
    if (!canBeQuoted(tag)) return `${JSON.stringify(tag)} holds both " and ”, so it cannot be quoted`;
  }
  if (q.run !== undefined && (q.latest || q.user !== undefined || q.tags.length > 0)) {
    return 'a specific run takes no user, "latest" or tags';
  }
  return null;
}

function isKeyword(word: string, keyword: string): boolean {
  return word.toLowerCase() === keyword;
}

function isKeywordToken(token: Token, keyword: string): token is WordToken {
  return token.kind === 'word' && isKeyword(token.text, keyword);
}

const POSSESSIVE = /^(.*?)['’‘]s?$/iu;

/** The user in a word such as `alice's` or `james'`, or null if the word is not possessive. */
function possessor(word: string): string | null {
  const match = POSSESSIVE.exec(word);
  return match === null ? null : match[1];
}

/** How a token appears in a message. */
function shown(token: Token): string {
  switch (token.kind) {
    case 'word':
      return `"${token.text}"`;
    case 'quoted':
      return token.source;
    case 'comma':
      return '","';
    case 'end':
      return 'the end of the query';
  }
}

function orList(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

interface Owner {
  readonly user: string;
  readonly word: WordToken;
}

interface Target {
  readonly word: WordToken;
  readonly flow: string;
  readonly run?: string;
  readonly step?: string;
  readonly task?: string;
}

interface Segment {
  readonly text: string;
  readonly start: number;
}

interface PathPart {
  readonly noun: string;
  readonly sample: string;
  /** Why `s` cannot be this part, or null if it can. */
  readonly problem: (s: string) => string | null;
}

const PATH_PARTS: readonly PathPart[] = [
  {
    noun: 'a flow name',
    sample: 'HelloFlow',
    problem: (s) =>
      isFlowName(s)
        ? null
        : `"${s}" is not a flow name: flow names are Python class names (letters, digits, _).`,
  },
  { noun: 'a run id', sample: '42', problem: (s) => idProblem(s, 'run') },
  {
    noun: 'a step name',
    sample: 'start',
    problem: (s) =>
      isStepName(s)
        ? null
        : `"${s}" is not a step name: step names are Python function names (letters, digits, _).`,
  },
  { noun: 'a task id', sample: '7', problem: (s) => idProblem(s, 'task') },
];

function idProblem(s: string, kind: 'run' | 'task'): string | null {
  if (isId(s)) return null;
  if (isOnlyDots(s)) return `"${s}" is not a ${kind} id: a ${kind} id cannot be only dots.`;
  return `"${s}" is not a ${kind} id: ${kind} ids are made of letters, digits, ".", "-" and "_".`;
}

const UI_LINK = /^https?:\/\/[^/?#]*/i;

class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): RunQuery {
    if (this.peek().kind === 'end') {
      throw new RunQueryError(
        'Expected a run query such as HelloFlow/42 or latest run of HelloFlow.',
        this.peek().start,
        'a run query',
      );
    }
    const owner = this.parseOwner();
    const latest = this.parseLatest(owner);
    const lead = [owner?.word.text, latest ? 'latest run of' : undefined]
      .filter((words) => words !== undefined)
      .join(' ');
    const target = this.parseTarget(lead);
    const tags = isKeywordToken(this.peek(), 'tagged') ? this.parseTags() : [];
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.unexpectedAfterTarget(rest, target);
    checkSpecificRun(target, owner, latest, tags);

    const query: RunQuery = { flow: target.flow, latest, tags };
    if (target.run !== undefined) query.run = target.run;
    if (target.step !== undefined) query.step = target.step;
    if (target.task !== undefined) query.task = target.task;
    if (owner !== null) query.user = owner.user;
    return query;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private parseOwner(): Owner | null {
    const word = this.peek();
    if (word.kind !== 'word') return null;
    const user = possessor(word.text);
    if (user === null) return null;
    if (user === '') {
      throw new RunQueryError(
        `Expected a user name before "${word.text}" (e.g. "alice's HelloFlow").`,
        word.start,
        'a user name',
      );
    }
    if (!isUserName(user)) {
      const rule = user.includes('@')
        ? 'use the part before "@" (e.g. "alice\'s HelloFlow")'
        : 'user names are made of letters, digits, ".", "-", "_" and "+"';
      throw new RunQueryError(`"${user}" is not a user name: ${rule}.`, word.start, 'a user name');
    }
    this.advance();
    return { user, word };
  }

  private parseLatest(owner: Owner | null): boolean {
    if (!isKeywordToken(this.peek(), 'latest') || !isKeywordToken(this.peek(1), 'run')) return false;
    this.advance();
    this.advance();
    const of = this.peek();
    if (!isKeywordToken(of, 'of')) {
      const example = `${owner === null ? '' : `${owner.word.text} `}latest run of HelloFlow`;
      throw new RunQueryError(`Expected "of" after "latest run" (e.g. "${example}").`, of.start, '"of"');
    }
    this.advance();
    return true;
  }

  /** `lead` is the words before the target, for messages. */
  private parseTarget(lead: string): Target {
    const token = this.advance();
    const where = lead === '' ? 'at the start of the query' : `after "${lead}"`;
    const fail = (message: string): RunQueryError => new RunQueryError(message, token.start, 'a flow name');
    if (token.kind === 'end' || (token.kind === 'word' && token.text === '')) {
      const example = lead === '' ? 'HelloFlow/42' : `${lead} HelloFlow`;
      throw fail(`Expected a flow name ${where} (e.g. "${example}").`);
    }
    if (token.kind === 'comma') throw fail(`Expected a flow name ${where}, not ",".`);
    if (token.kind === 'quoted') {
      throw fail(
        `Expected a flow name ${where}, not ${token.source}: ` +
          'only tags can be quoted (e.g. HelloFlow tagged "nightly build").',
      );
    }
    const misplacedUser = token.text.includes('/') ? null : possessor(token.text);
    if (misplacedUser !== null && misplacedUser !== '') {
      throw fail(
        `Expected a flow name ${where}, not "${token.text}": ` +
          `the user goes first (e.g. "${token.text} latest run of HelloFlow").`,
      );
    }
    return this.parsePath(token);
  }

  private parsePath(word: WordToken): Target {
    const segments = pathSegments(word);
    if (segments.length > PATH_PARTS.length) {
      const extra = segments[PATH_PARTS.length];
      const before = word.text.slice(0, extra.start - word.start - 1);
      throw new RunQueryError(
        `Unexpected "${extra.text}" after "${before}": ` +
          'a pathspec has at most four parts (Flow/run/step/task).',
        extra.start,
        'the end of the pathspec',
      );
    }
    const values = segments.map((segment, i) => {
      const part = PATH_PARTS[i];
      if (segment.text === '') {
        const before = word.text.slice(0, segment.start - word.start);
        const example = before.endsWith('/') ? before + part.sample : `${before}/${part.sample}`;
        const message = `Expected ${part.noun} after "${before}" (e.g. "${example}").`;
        throw new RunQueryError(message, segment.start, part.noun);
      }
      const problem = part.problem(segment.text);
      if (problem !== null) throw new RunQueryError(problem, segment.start, part.noun);
      return segment.text;
    });
    const [flow, ...rest] = values;
    const [run, step, task]: (string | undefined)[] = rest;
    return { word, flow, run, step, task };
  }

  private parseTags(): string[] {
    this.advance();
    let last = this.peek();
    const tags = [this.parseTag('tagged', 'HelloFlow tagged nightly')];
    for (;;) {
      let separator: string;
      if (this.peek().kind === 'comma') {
        this.advance();
        separator = ',';
        if (isKeywordToken(this.peek(), 'and')) {
          this.advance();
          separator = 'and';
        }
      } else if (isKeywordToken(this.peek(), 'and')) {
        this.advance();
        separator = 'and';
      } else {
        break;
      }
      last = this.peek();
      tags.push(this.parseTag(separator, `tagged nightly${separator === ',' ? ',' : ' and'} team:ml`));
    }
    const rest = this.peek();
    if (rest.kind !== 'end') {
      throw new RunQueryError(
        `Unexpected ${shown(rest)} after the tag ${shown(last)}: ` +
          'separate tags with "," or "and" (e.g. "tagged nightly, team:ml"), ' +
          'and quote a tag that contains spaces (e.g. tagged "nightly build").',
        rest.start,
        '"," or "and"',
      );
    }
    return tags;
  }

  private parseTag(after: string, example: string): string {
    const token = this.peek();
    if (token.kind === 'word' && token.text !== '' && !isKeyword(token.text, 'and')) {
      this.advance();
      return token.text;
    }
    if (token.kind === 'quoted') {
      if (!token.closed) {
        throw new RunQueryError(
          `Expected a closing ${token.closer} to end the tag that starts with ${token.source.trimEnd()}.`,
          this.source.length,
          `a closing ${token.closer}`,
        );
      }
      if (token.text === '') {
        const message = `Expected a tag between the quotes, but ${token.source} is empty.`;
        throw new RunQueryError(message, token.start, 'a tag');
      }
      this.advance();
      return token.text;
    }
    throw new RunQueryError(`Expected a tag after "${after}" (e.g. "${example}").`, token.start, 'a tag');
  }

  /** Explains why `next` cannot follow the target, guessing at the likeliest slip first. */
  private unexpectedAfterTarget(next: Token, target: Target): RunQueryError {
    const word = target.word.text;
    if (isKeyword(word, 'latest')) {
      const message = 'Expected "run of" after "latest" (e.g. "latest run of HelloFlow").';
      return new RunQueryError(message, next.start, '"run of"');
    }
    if (isKeyword(word, 'tagged')) {
      const message = 'Expected a flow name before "tagged" (e.g. "HelloFlow tagged nightly").';
      return new RunQueryError(message, target.word.start, 'a flow name');
    }
    if (next.kind === 'word' && (next.text.startsWith('/') || word.endsWith('/'))) {
      const message =
        `Unexpected space between "${word}" and "${next.text}": ` +
        'write a pathspec without spaces (e.g. "HelloFlow/42").';
      return new RunQueryError(message, next.start, 'a pathspec without spaces');
    }
    const unexpected = `Unexpected ${shown(next)} after "${word}"`;
    if (target.run !== undefined) {
      return new RunQueryError(`${unexpected}: expected the end of the query.`, next.start, 'the end of the query');
    }
    if (next.kind === 'word') {
      if (suggestName(next.text, ['tagged']) !== null || /^tags?$/i.test(next.text)) {
        return new RunQueryError(`${unexpected}: did you mean "tagged"?`, next.start, '"tagged"');
      }
      if (isKeyword(next.text, 'run') && suggestName(word, ['latest']) !== null) {
        return new RunQueryError(`${unexpected}: did you mean "latest run of"?`, target.word.start, '"latest run of"');
      }
      if (isId(next.text) && /\d/.test(next.text)) {
        return new RunQueryError(`${unexpected}: did you mean "${word}/${next.text}"?`, next.start, '"/"');
      }
    }
    const message = `${unexpected}: expected "tagged <tag>" or the end of the query.`;
    return new RunQueryError(message, next.start, '"tagged" or the end of the query');
  }
}

/**
 * The "/"-separated parts of a target word with their positions in the query. A leading and a
 * trailing "/" are dropped because the UI's paths start with one and copied paths often end
 * with one.
 */
function pathSegments(word: WordToken): Segment[] {
  const link = UI_LINK.exec(word.text);
  const from = link === null ? 0 : link[0].length;
  const queryOrFragment = link === null ? -1 : word.text.slice(from).search(/[?#]/);
  const to = queryOrFragment === -1 ? word.text.length : from + queryOrFragment;

  const segments: Segment[] = [];
  let start = from;
  for (;;) {
    const slash = word.text.indexOf('/', start);
    const end = slash === -1 || slash > to ? to : slash;
    segments.push({ text: word.text.slice(start, end), start: word.start + start });
    if (end === to) break;
    start = end + 1;
  }
  if (segments.length > 1 && segments[0].text === '') segments.shift();
  if (segments.length > 1 && segments[segments.length - 1].text === '') segments.pop();
  if (link !== null && segments.length === 4 && segments[2].text === 'view') segments.splice(2);
  return segments;
}

function checkSpecificRun(target: Target, owner: Owner | null, latest: boolean, tags: string[]): void {
  if (target.run === undefined) return;
  const extras: string[] = [];
  if (owner !== null) extras.push(`"${owner.word.text}"`);
  if (latest) extras.push('"latest run of"');
  if (tags.length > 0) extras.push(`"${formatTags(tags)}"`);
  if (extras.length === 0) return;
  const spec = pathspec(target.flow, target.run, target.step, target.task);
  const alternative: RunQuery = { flow: target.flow, latest, tags };
  if (owner !== null) alternative.user = owner.user;
  throw new RunQueryError(
    `"${spec}" refers to a specific run, so it cannot be combined with ${orList(extras)}: ` +
      `use either "${spec}" or "${formatRunQuery(alternative)}".`,
    target.word.start,
    'a flow name without a run id',
  );
}
