import fc from 'fast-check';
import {
  formatRunQuery,
  isFlowName,
  parseRunQuery,
  pathspecOf,
  RunQuery,
  RunQueryError,
  suggestName,
} from '../../src/metaflow/runspec';
import { damerauLevenshtein } from '../../src/metaflow/runspec/names';

function query(fields: Partial<RunQuery> & { flow: string }): RunQuery {
  return { latest: false, tags: [], ...fields };
}

function errorFrom(text: string): RunQueryError {
  try {
    parseRunQuery(text);
  } catch (error) {
    if (error instanceof RunQueryError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(text)} parsed without an error`);
}

describe('parseRunQuery reads every form of the grammar', () => {
  it.each<[string, RunQuery]>([
    ['HelloFlow', query({ flow: 'HelloFlow' })],
    ['HelloFlow/42', query({ flow: 'HelloFlow', run: '42' })],
    ['HelloFlow/42/start', query({ flow: 'HelloFlow', run: '42', step: 'start' })],
    ['HelloFlow/42/start/7', query({ flow: 'HelloFlow', run: '42', step: 'start', task: '7' })],
    ['latest run of HelloFlow', query({ flow: 'HelloFlow', latest: true })],
    ["alice's HelloFlow", query({ flow: 'HelloFlow', user: 'alice' })],
    ["alice's latest run of HelloFlow", query({ flow: 'HelloFlow', user: 'alice', latest: true })],
    ['HelloFlow tagged nightly', query({ flow: 'HelloFlow', tags: ['nightly'] })],
  ])('%s', (text, expected) => {
    expect(parseRunQuery(text)).toStrictEqual(expected);
  });
});

describe('parseRunQuery combines owner, "latest run of" and tags', () => {
  it.each<[string, RunQuery]>([
    ["alice's HelloFlow tagged nightly", query({ flow: 'HelloFlow', user: 'alice', tags: ['nightly'] })],
    ['latest run of HelloFlow tagged nightly', query({ flow: 'HelloFlow', latest: true, tags: ['nightly'] })],
    [
      "alice's latest run of HelloFlow tagged nightly",
      query({ flow: 'HelloFlow', user: 'alice', latest: true, tags: ['nightly'] }),
    ],
    ['latest run of HelloFlow tagged a and b', query({ flow: 'HelloFlow', latest: true, tags: ['a', 'b'] })],
    ['HelloFlow tagged a, b', query({ flow: 'HelloFlow', tags: ['a', 'b'] })],
    ['HelloFlow tagged a,b', query({ flow: 'HelloFlow', tags: ['a', 'b'] })],
    ['HelloFlow tagged a , b', query({ flow: 'HelloFlow', tags: ['a', 'b'] })],
    ['HelloFlow tagged a, b and c', query({ flow: 'HelloFlow', tags: ['a', 'b', 'c'] })],
    ['HelloFlow tagged a, b, and c', query({ flow: 'HelloFlow', tags: ['a', 'b', 'c'] })],
    ['HelloFlow tagged a and b and c', query({ flow: 'HelloFlow', tags: ['a', 'b', 'c'] })],
  ])('%s', (text, expected) => {
    expect(parseRunQuery(text)).toStrictEqual(expected);
  });
});

describe('parseRunQuery reads tags', () => {
  it.each<[string, string[]]>([
    ['HelloFlow tagged team:ml', ['team:ml']],
    ['HelloFlow tagged user:alice and runtime:dev', ['user:alice', 'runtime:dev']],
    ['HelloFlow tagged "nightly build"', ['nightly build']],
    ['HelloFlow tagged “nightly build”', ['nightly build']],
    ['HelloFlow tagged ”nightly build”', ['nightly build']],
    ['HelloFlow tagged "a, b" and c', ['a, b', 'c']],
    ['HelloFlow tagged "and"', ['and']],
    ['HelloFlow tagged tagged', ['tagged']],
    ["HelloFlow tagged it's", ["it's"]],
    ['HelloFlow tagged “say "hi"”', ['say "hi"']],
    ['HelloFlow tagged project/v2', ['project/v2']],
    ['HelloFlow tagged a and a', ['a', 'a']],
  ])('%s', (text, tags) => {
    expect(parseRunQuery(text).tags).toStrictEqual(tags);
  });
});

describe('parseRunQuery matches keywords in any case', () => {
  it.each<[string, RunQuery]>([
    ['LATEST RUN OF HelloFlow', query({ flow: 'HelloFlow', latest: true })],
    ['Latest Run Of HelloFlow', query({ flow: 'HelloFlow', latest: true })],
    ['HelloFlow Tagged nightly', query({ flow: 'HelloFlow', tags: ['nightly'] })],
    ['HelloFlow TAGGED a AND b', query({ flow: 'HelloFlow', tags: ['a', 'b'] })],
    ["ALICE'S HelloFlow", query({ flow: 'HelloFlow', user: 'ALICE' })],
  ])('%s', (text, expected) => {
    expect(parseRunQuery(text)).toStrictEqual(expected);
  });
});

describe('parseRunQuery keeps flow names exact', () => {
  it.each<[string, RunQuery]>([
    ['helloflow', query({ flow: 'helloflow' })],
    ['HELLOFLOW/42', query({ flow: 'HELLOFLOW', run: '42' })],
    ['ÜberFlow', query({ flow: 'ÜberFlow' })],
    ['_PrivateFlow2', query({ flow: '_PrivateFlow2' })],
    // Keywords only act as keywords where the grammar expects them, so flows may share their names.
    ['Latest', query({ flow: 'Latest' })],
    ['latest', query({ flow: 'latest' })],
    ['latest tagged nightly', query({ flow: 'latest', tags: ['nightly'] })],
    ["alice's latest", query({ flow: 'latest', user: 'alice' })],
    ['latest run of Latest', query({ flow: 'Latest', latest: true })],
    ['Tagged', query({ flow: 'Tagged' })],
    ['Tagged tagged x', query({ flow: 'Tagged', tags: ['x'] })],
    ['latest run of run', query({ flow: 'run', latest: true })],
  ])('%s', (text, expected) => {
    expect(parseRunQuery(text)).toStrictEqual(expected);
  });
});

describe('parseRunQuery reads possessives', () => {
  it.each<[string, string]>([
    ["alice's HelloFlow", 'alice'],
    ['alice’s HelloFlow', 'alice'],
    ['alice‘s HelloFlow', 'alice'],
    ["james's HelloFlow", 'james'],
    ["james' HelloFlow", 'james'],
    ['james’ HelloFlow', 'james'],
    ["alice.smith's HelloFlow", 'alice.smith'],
    ["j-doe_2's HelloFlow", 'j-doe_2'],
    ["first.last+ml's HelloFlow", 'first.last+ml'],
    ["12345's HelloFlow", '12345'],
    ["élodie's HelloFlow", 'élodie'],
  ])('%s is by %s', (text, user) => {
    expect(parseRunQuery(text)).toStrictEqual(query({ flow: 'HelloFlow', user }));
  });
});

describe('parseRunQuery reads scheduler-made ids', () => {
  it.each<[string, RunQuery]>([
    ['HelloFlow/argo-helloflow-x7k2p.1', query({ flow: 'HelloFlow', run: 'argo-helloflow-x7k2p.1' })],
    ['HelloFlow/sfn-abc_def', query({ flow: 'HelloFlow', run: 'sfn-abc_def' })],
    ['HelloFlow/1795834910019508', query({ flow: 'HelloFlow', run: '1795834910019508' })],
    [
      'HelloFlow/argo-helloflow-x7k2p.1/train/t-1a2b.3',
      query({ flow: 'HelloFlow', run: 'argo-helloflow-x7k2p.1', step: 'train', task: 't-1a2b.3' }),
    ],
    ['HelloFlow/42/_parameters/1', query({ flow: 'HelloFlow', run: '42', step: '_parameters', task: '1' })],
  ])('%s', (text, expected) => {
    expect(parseRunQuery(text)).toStrictEqual(expected);
  });
});

describe('parseRunQuery undoes Slack formatting and accepts UI paths', () => {
  const run42 = query({ flow: 'HelloFlow', run: '42' });
  const task7 = query({ flow: 'HelloFlow', run: '42', step: 'start', task: '7' });
  it.each<[string, RunQuery]>([
    ['  HelloFlow/42 \n', run42],
    ['\u00a0HelloFlow/42\u00a0', run42],
    ['`HelloFlow/42`', run42],
    ['```HelloFlow/42```', run42],
    ['```\nHelloFlow/42\n```', run42],
    ['<HelloFlow/42>', run42],
    ['<https://mfui.example.com/HelloFlow/42|HelloFlow/42>', run42],
    ['<https://mfui.example.com/HelloFlow/42>', run42],
    ['https://mfui.example.com/HelloFlow/42', run42],
    ['https://mfui.example.com/HelloFlow/42/', run42],
    ['https://mfui.example.com/HelloFlow/42/view/timeline', run42],
    ['<https://mfui.example.com/HelloFlow/42/view/dag?steps=start>', run42],
    ['https://mfui.example.com/HelloFlow/42/start/7?attempt=0#logs', task7],
    ['HelloFlow/42/', run42],
    ['/HelloFlow/42', run42],
    ['/HelloFlow/42/start/7/', task7],
    ['HelloFlow/', query({ flow: 'HelloFlow' })],
    ['latest run of `HelloFlow` tagged `nightly`', query({ flow: 'HelloFlow', latest: true, tags: ['nightly'] })],
  ])('%j', (text, expected) => {
    expect(parseRunQuery(text)).toStrictEqual(expected);
  });
});

describe('parseRunQuery explains every failure', () => {
  it.each<[string, string, number, string]>([
    ['', 'Expected a run query such as HelloFlow/42 or latest run of HelloFlow.', 0, 'a run query'],
    ['   ', 'Expected a run query such as HelloFlow/42 or latest run of HelloFlow.', 3, 'a run query'],
    ['``', 'Expected a run query such as HelloFlow/42 or latest run of HelloFlow.', 2, 'a run query'],
    [
      'latest run of',
      'Expected a flow name after "latest run of" (e.g. "latest run of HelloFlow").',
      13,
      'a flow name',
    ],
    [
      "alice's latest run of",
      'Expected a flow name after "alice\'s latest run of" (e.g. "alice\'s latest run of HelloFlow").',
      21,
      'a flow name',
    ],
    ["alice's", 'Expected a flow name after "alice\'s" (e.g. "alice\'s HelloFlow").', 7, 'a flow name'],
    [
      'Hello-Flow',
      '"Hello-Flow" is not a flow name: flow names are Python class names (letters, digits, _).',
      0,
      'a flow name',
    ],
    [
      'latest run of 2Flow',
      '"2Flow" is not a flow name: flow names are Python class names (letters, digits, _).',
      14,
      'a flow name',
    ],
    ['latest run HelloFlow', 'Expected "of" after "latest run" (e.g. "latest run of HelloFlow").', 11, '"of"'],
    ['latest HelloFlow', 'Expected "run of" after "latest" (e.g. "latest run of HelloFlow").', 7, '"run of"'],
    ['latest of HelloFlow', 'Expected "run of" after "latest" (e.g. "latest run of HelloFlow").', 7, '"run of"'],
    ["'s HelloFlow", 'Expected a user name before "\'s" (e.g. "alice\'s HelloFlow").', 0, 'a user name'],
    [
      "al!ce's HelloFlow",
      '"al!ce" is not a user name: user names are made of letters, digits, ".", "-", "_" and "+".',
      0,
      'a user name',
    ],
    [
      "alice@example.com's HelloFlow",
      '"alice@example.com" is not a user name: use the part before "@" (e.g. "alice\'s HelloFlow").',
      0,
      'a user name',
    ],
    [
      "latest run of alice's HelloFlow",
      'Expected a flow name after "latest run of", not "alice\'s": the user goes first (e.g. "alice\'s latest run of HelloFlow").',
      14,
      'a flow name',
    ],
    [
      '"HelloFlow"',
      'Expected a flow name at the start of the query, not "HelloFlow": only tags can be quoted (e.g. HelloFlow tagged "nightly build").',
      0,
      'a flow name',
    ],
    [', HelloFlow', 'Expected a flow name at the start of the query, not ",".', 0, 'a flow name'],
    ['HelloFlow tagged', 'Expected a tag after "tagged" (e.g. "HelloFlow tagged nightly").', 16, 'a tag'],
    ['HelloFlow tagged and b', 'Expected a tag after "tagged" (e.g. "HelloFlow tagged nightly").', 17, 'a tag'],
    ['HelloFlow tagged a,', 'Expected a tag after "," (e.g. "tagged nightly, team:ml").', 19, 'a tag'],
    ['HelloFlow tagged a,, b', 'Expected a tag after "," (e.g. "tagged nightly, team:ml").', 19, 'a tag'],
    ['HelloFlow tagged a and', 'Expected a tag after "and" (e.g. "tagged nightly and team:ml").', 22, 'a tag'],
    [
      'HelloFlow tagged a b',
      'Unexpected "b" after the tag "a": separate tags with "," or "and" (e.g. "tagged nightly, team:ml"), ' +
        'and quote a tag that contains spaces (e.g. tagged "nightly build").',
      19,
      '"," or "and"',
    ],
    [
      'HelloFlow tagged "nightly build',
      'Expected a closing " to end the tag that starts with "nightly build.',
      31,
      'a closing "',
    ],
    [
      'HelloFlow tagged “nightly build"',
      'Expected a closing ” to end the tag that starts with “nightly build".',
      32,
      'a closing ”',
    ],
    ['HelloFlow tagged ""', 'Expected a tag between the quotes, but "" is empty.', 17, 'a tag'],
    [
      'HelloFlow/42/start/7/x',
      'Unexpected "x" after "HelloFlow/42/start/7": a pathspec has at most four parts (Flow/run/step/task).',
      21,
      'the end of the pathspec',
    ],
    ['HelloFlow//start', 'Expected a run id after "HelloFlow/" (e.g. "HelloFlow/42").', 10, 'a run id'],
    ['HelloFlow/42//7', 'Expected a step name after "HelloFlow/42/" (e.g. "HelloFlow/42/start").', 13, 'a step name'],
    [
      'HelloFlow/42/start//',
      'Expected a task id after "HelloFlow/42/start/" (e.g. "HelloFlow/42/start/7").',
      19,
      'a task id',
    ],
    ['//HelloFlow', 'Expected a flow name after "/" (e.g. "/HelloFlow").', 1, 'a flow name'],
    [
      'https://mfui.example.com/',
      'Expected a flow name after "https://mfui.example.com/" (e.g. "https://mfui.example.com/HelloFlow").',
      25,
      'a flow name',
    ],
    [
      'HelloFlow/4?2',
      '"4?2" is not a run id: run ids are made of letters, digits, ".", "-" and "_".',
      10,
      'a run id',
    ],
    ['HelloFlow/..', '".." is not a run id: a run id cannot be only dots.', 10, 'a run id'],
    [
      'HelloFlow/42/my-step',
      '"my-step" is not a step name: step names are Python function names (letters, digits, _).',
      13,
      'a step name',
    ],
    [
      'HelloFlow/42/start/7:1',
      '"7:1" is not a task id: task ids are made of letters, digits, ".", "-" and "_".',
      19,
      'a task id',
    ],
    [
      "alice's HelloFlow/42",
      '"HelloFlow/42" refers to a specific run, so it cannot be combined with "alice\'s": ' +
        'use either "HelloFlow/42" or "alice\'s HelloFlow".',
      8,
      'a flow name without a run id',
    ],
    [
      'latest run of HelloFlow/42',
      '"HelloFlow/42" refers to a specific run, so it cannot be combined with "latest run of": ' +
        'use either "HelloFlow/42" or "latest run of HelloFlow".',
      14,
      'a flow name without a run id',
    ],
    [
      'HelloFlow/42/start tagged nightly',
      '"HelloFlow/42/start" refers to a specific run, so it cannot be combined with "tagged nightly": ' +
        'use either "HelloFlow/42/start" or "HelloFlow tagged nightly".',
      0,
      'a flow name without a run id',
    ],
    [
      "alice's latest run of HelloFlow/42 tagged a and b",
      '"HelloFlow/42" refers to a specific run, so it cannot be combined with "alice\'s", "latest run of" or ' +
        '"tagged a, b": use either "HelloFlow/42" or "alice\'s latest run of HelloFlow tagged a, b".',
      22,
      'a flow name without a run id',
    ],
    [
      'tagged nightly',
      'Expected a flow name before "tagged" (e.g. "HelloFlow tagged nightly").',
      0,
      'a flow name',
    ],
    ['HelloFlow taged nightly', 'Unexpected "taged" after "HelloFlow": did you mean "tagged"?', 10, '"tagged"'],
    ['HelloFlow tags nightly', 'Unexpected "tags" after "HelloFlow": did you mean "tagged"?', 10, '"tagged"'],
    [
      'lastest run of HelloFlow',
      'Unexpected "run" after "lastest": did you mean "latest run of"?',
      0,
      '"latest run of"',
    ],
    ['HelloFlow 42', 'Unexpected "42" after "HelloFlow": did you mean "HelloFlow/42"?', 10, '"/"'],
    [
      'HelloFlow /42',
      'Unexpected space between "HelloFlow" and "/42": write a pathspec without spaces (e.g. "HelloFlow/42").',
      10,
      'a pathspec without spaces',
    ],
    [
      'HelloFlow/ 42',
      'Unexpected space between "HelloFlow/" and "42": write a pathspec without spaces (e.g. "HelloFlow/42").',
      11,
      'a pathspec without spaces',
    ],
    [
      'HelloFlow/42 please',
      'Unexpected "please" after "HelloFlow/42": expected the end of the query.',
      13,
      'the end of the query',
    ],
    [
      'HelloFlow OtherFlow',
      'Unexpected "OtherFlow" after "HelloFlow": expected "tagged <tag>" or the end of the query.',
      10,
      '"tagged" or the end of the query',
    ],
    [
      'HelloFlow, OtherFlow',
      'Unexpected "," after "HelloFlow": expected "tagged <tag>" or the end of the query.',
      9,
      '"tagged" or the end of the query',
    ],
  ])('%j', (text, message, position, expected) => {
    const error = errorFrom(text);
    expect(error).toBeInstanceOf(RunQueryError);
    expect(error.name).toBe('RunQueryError');
    expect(error.message).toBe(message);
    expect(error.position).toBe(position);
    expect(error.expected).toBe(expected);
  });

  it('reports the leftmost problem when there are several', () => {
    expect(errorFrom('Hello-Flow tagged "open').message).toMatch(/^"Hello-Flow" is not a flow name/);
  });
});

describe('suggestName', () => {
  it.each<[string, string[], string | null]>([
    ['helloflow', ['OtherFlow', 'HelloFlow'], 'HelloFlow'],
    ['HELLOFLOW', ['HelloFlow'], 'HelloFlow'],
    ['HelloFlow', ['HELLOFLOW', 'HelloFlow'], 'HelloFlow'],
    ['HeloFlow', ['OtherFlow', 'HelloFlow'], 'HelloFlow'],
    ['HlelFolw', ['HelloFlow'], null],
    ['Hlelo', ['Hello'], 'Hello'],
    ['helloflw', ['HelloFlow'], 'HelloFlow'],
    ['HelloFlaw', ['HelloFlow2x', 'HelloFlow'], 'HelloFlow'],
    ['helloflaw', ['HelloFlow', 'Helloflow'], 'Helloflow'],
    ['TrainingFlw', ['TrainingFlow'], 'TrainingFlow'],
    // Twelve characters allow three edits; nine allow only two.
    ['TrianingFlwx', ['TrainingFlow'], 'TrainingFlow'],
    ['TrainFlow', ['TrainingFlow'], null],
    ['Ab', ['Ac'], 'Ac'],
    ['Ab', ['Cd'], null],
    ['Foo', ['HelloFlow', 'OtherFlow'], null],
    ['HelloFlow', [], null],
  ])('%s among %j is %s', (name, known, expected) => {
    expect(suggestName(name, known)).toBe(expected);
  });

  it.each<[string, string, number]>([
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    // The unrestricted distance may edit a transposed pair again; the restricted one would say 3.
    ['CA', 'ABC', 2],
    ['🙂a', 'a🙂', 1],
  ])('Damerau-Levenshtein distance from %j to %j is %d', (a, b, distance) => {
    expect(damerauLevenshtein(a, b)).toBe(distance);
    expect(damerauLevenshtein(b, a)).toBe(distance);
  });
});

describe('isFlowName accepts Python identifiers only', () => {
  it.each(['HelloFlow', '_Private', 'Flow2', 'ÜberFlow', '_'])('%j is a flow name', (name) => {
    expect(isFlowName(name)).toBe(true);
  });
  it.each(['', '2Flow', 'Hello-Flow', 'Hello Flow', 'Hello.Flow', "alice's"])('%j is not', (name) => {
    expect(isFlowName(name)).toBe(false);
  });
});

describe('formatRunQuery writes canonical text', () => {
  it.each<[RunQuery, string]>([
    [query({ flow: 'HelloFlow' }), 'HelloFlow'],
    [query({ flow: 'HelloFlow', run: '42' }), 'HelloFlow/42'],
    [query({ flow: 'HelloFlow', run: '42', step: 'start', task: '7' }), 'HelloFlow/42/start/7'],
    [query({ flow: 'HelloFlow', latest: true }), 'latest run of HelloFlow'],
    [query({ flow: 'HelloFlow', user: 'james' }), "james's HelloFlow"],
    [
      query({ flow: 'HelloFlow', user: 'alice', latest: true, tags: ['nightly', 'team:ml'] }),
      "alice's latest run of HelloFlow tagged nightly, team:ml",
    ],
    [query({ flow: 'HelloFlow', tags: ['nightly build'] }), 'HelloFlow tagged "nightly build"'],
    [query({ flow: 'HelloFlow', tags: ['and', 'AND'] }), 'HelloFlow tagged "and", "AND"'],
    [query({ flow: 'HelloFlow', tags: ['a,b'] }), 'HelloFlow tagged "a,b"'],
    [query({ flow: 'HelloFlow', tags: ['say "hi"'] }), 'HelloFlow tagged “say "hi"”'],
    [query({ flow: 'HelloFlow', tags: ['<x>', 'a`b'] }), 'HelloFlow tagged "<x>", "a`b"'],
    [query({ flow: 'HelloFlow', tags: ['x>y', "it's"] }), "HelloFlow tagged x>y, it's"],
  ])('%j as %s', (q, text) => {
    expect(formatRunQuery(q)).toBe(text);
    expect(parseRunQuery(text)).toStrictEqual(q);
  });

  it.each<[string, RunQuery]>([
    ['a flow that is not an identifier', query({ flow: 'Hello-Flow' })],
    ['a run with "latest"', query({ flow: 'HelloFlow', run: '42', latest: true })],
    ['a run with a user', query({ flow: 'HelloFlow', run: '42', user: 'alice' })],
    ['a run with tags', query({ flow: 'HelloFlow', run: '42', tags: ['x'] })],
    ['a step without a run', query({ flow: 'HelloFlow', step: 'start' })],
    ['a task without a step', query({ flow: 'HelloFlow', run: '42', task: '7' })],
    ['a bad user', query({ flow: 'HelloFlow', user: 'a b' })],
    ['an empty tag', query({ flow: 'HelloFlow', tags: [''] })],
    ['a tag with both closing quotes', query({ flow: 'HelloFlow', tags: ['"”'] })],
  ])('refuses %s', (_, q) => {
    expect(() => formatRunQuery(q)).toThrow(RangeError);
  });
});

describe('pathspecOf', () => {
  it.each<[RunQuery, string | null]>([
    [query({ flow: 'HelloFlow' }), null],
    [query({ flow: 'HelloFlow', latest: true, user: 'alice' }), null],
    [query({ flow: 'HelloFlow', run: '42' }), 'HelloFlow/42'],
    [query({ flow: 'HelloFlow', run: '42', step: 'start' }), 'HelloFlow/42/start'],
    [query({ flow: 'HelloFlow', run: '42', step: 'start', task: '7' }), 'HelloFlow/42/start/7'],
  ])('%j is %s', (q, spec) => {
    expect(pathspecOf(q)).toBe(spec);
  });
});

const identifier = fc.oneof(
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/),
  fc.constantFrom('latest', 'Latest', 'tagged', 'TAGGED', 'run', 'of', 'and', 'ÜberFlow', '_'),
);
const id = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/).filter((s) => !/^\.+$/.test(s));
const user = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._+-]{1,12}$/), fc.constantFrom('latest', 'tagged', 'james', 'élodie'));
const tag = fc
  .oneof(
    fc.string({
      unit: fc.constantFrom('a', 'Z', '0', ':', '-', ' ', ',', '"', '“', '”', "'", '’', '`', '<', '>', '|', '/', '\n', 'é'),
      minLength: 1,
      maxLength: 8,
    }),
    fc.constantFrom('and', 'AND', 'tagged', 'latest', 'team:ml', 'https://x/y'),
  )
  .filter((t) => !(t.includes('"') && t.includes('”')));

const specificRun: fc.Arbitrary<RunQuery> = fc
  .tuple(identifier, id, fc.option(fc.tuple(identifier, fc.option(id, { nil: undefined })), { nil: undefined }))
  .map(([flow, run, stepAndTask]) => {
    const q = query({ flow, run });
    if (stepAndTask !== undefined) {
      q.step = stepAndTask[0];
      if (stepAndTask[1] !== undefined) q.task = stepAndTask[1];
    }
    return q;
  });
const runsOfFlow: fc.Arbitrary<RunQuery> = fc
  .record({
    flow: identifier,
    user: fc.option(user, { nil: undefined }),
    latest: fc.boolean(),
    tags: fc.array(tag, { maxLength: 4 }),
  })
  .map(({ user: owner, ...rest }) => (owner === undefined ? rest : { ...rest, user: owner }));

const validQuery = fc.oneof(specificRun, runsOfFlow);

// Characters and fragments that matter to the tokenizer, glued together without spaces.
const queryPiece = fc.constantFrom(
  'latest', 'run', 'of', 'LATEST', 'tagged', 'and', "alice's", 'alice’s', "'s", 'HelloFlow', 'Hello-Flow',
  '42', 'argo-x.1', '..', '/', '//', ',', '"', '“', '”', '<', '>', '|', '`', 'https://ui.example.com/',
  'view', '?', '#', ' ', ' ', ' ', '\u00a0', '\n', 'nightly', 'team:ml', 'é', '🙂', '@', '\ud800',
);
// Whole words in random order, which reach the parser's later stages more often.
const queryWord = fc.constantFrom(
  'latest', 'run', 'of', 'LATEST', 'Run', 'tagged', 'and', 'AND', ',', "alice's", 'james’', 'HelloFlow', 'Latest',
  'HelloFlow/42', 'HelloFlow/42/start/7', '/HelloFlow/', 'https://ui.example.com/HelloFlow/42/view/dag', 'nightly',
  'team:ml', '"nightly build"', '“a, b”', '"', '`HelloFlow`', '<HelloFlow/42|HelloFlow/42>', 'tag', '42',
);
// A valid query with a piece pasted somewhere into it.
const nearlyValid = fc
  .tuple(validQuery, fc.nat(), queryPiece)
  .map(([q, at, piece]) => {
    const text = formatRunQuery(q);
    const cut = at % (text.length + 1);
    return text.slice(0, cut) + piece + text.slice(cut);
  });
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string(),
  fc.array(queryPiece, { maxLength: 14 }).map((pieces) => pieces.join('')),
  fc.array(queryWord, { maxLength: 8 }).map((words) => words.join(' ')),
  nearlyValid,
);

describe('properties', () => {
  it('any text either parses into a query that formats and parses back, or fails with a RunQueryError', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        let parsed: RunQuery;
        try {
          parsed = parseRunQuery(text);
        } catch (error) {
          if (!(error instanceof RunQueryError)) throw error;
          expect(error.position).toBeGreaterThanOrEqual(0);
          expect(error.position).toBeLessThanOrEqual(text.length);
          expect(error.message).not.toBe('');
          expect(error.expected).not.toBe('');
          return;
        }
        expect(parseRunQuery(formatRunQuery(parsed))).toStrictEqual(parsed);
      }),
      { numRuns: 3000 },
    );
  });

  it('every valid query survives formatting and parsing', () => {
    fc.assert(
      fc.property(validQuery, (q) => {
        expect(parseRunQuery(formatRunQuery(q))).toStrictEqual(q);
      }),
      { numRuns: 3000 },
    );
  });
});
