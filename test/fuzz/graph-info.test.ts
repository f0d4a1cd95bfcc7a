/**
 * What the decoder hands on from a `_graph_info` pickle: the graph reader must accept any value
 * (a corrupt or foreign artifact) and answer a graph or null, never throw. Step names are
 * Python identifiers, so `constructor`, `toString` or `__proto__` are names a flow may use or a
 * broken artifact may point at, and must not reach Object.prototype.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseGraphInfo } from '../../src/metaflow/graph';
import { decodePickle, pyToJs } from '../../src/metaflow/pickle';
import { LOCAL_ROOT } from '../support/fixtures';
import { artifactPickle, taskArtifacts } from '../unit/pickle/helpers';

/** The graph of a real branching run, as the client reads it. */
function realGraphInfo(): Record<string, unknown> {
  const sha = taskArtifacts('BranchFlow', firstRun('BranchFlow'), '_parameters', '0')._graph_info;
  return pyToJs(decodePickle(artifactPickle('BranchFlow', sha))) as Record<string, unknown>;
}

function firstRun(flow: string): string {
  return readdirSync(join(LOCAL_ROOT, flow)).filter((d) => /^\d+$/.test(d))[0];
}

const PROTOTYPE_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', '__defineGetter__', 'isPrototypeOf'];
const stepName = fc.oneof(fc.constantFrom('start', 'end', 'a', 'b', 'join', ...PROTOTYPE_NAMES), fc.string({ maxLength: 6 }));

const node = fc.record(
  {
    type: fc.oneof(fc.constantFrom('start', 'linear', 'split', 'join', 'foreach', 'end'), fc.anything()),
    next: fc.oneof(fc.array(stepName, { maxLength: 3 }), fc.anything()),
    doc: fc.oneof(fc.string(), fc.anything()),
  },
  { requiredKeys: [] },
);

const structure: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, stepName, fc.array(tie('tree'), { maxLength: 4 }), fc.anything()),
})).tree;

/** An object with the given entries as own data properties, `__proto__` included (as pyToJs makes them). */
function own(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const graphInfo = fc.record(
  {
    steps: fc.oneof(fc.array(fc.tuple(stepName, node), { maxLength: 6 }).map(own), fc.anything()),
    start_step: fc.oneof(stepName, fc.anything()),
    end_step: fc.oneof(stepName, fc.anything()),
    graph_structure: structure,
    parameters: fc.oneof(fc.array(fc.oneof(fc.string(), fc.record({ name: fc.anything() }))), fc.anything()),
    constants: fc.anything(),
  },
  { requiredKeys: [] },
);

/** The real graph with one of its names swapped for another, possibly a prototype member's. */
const mutatedReal = fc.tuple(fc.constant(realGraphInfo()), stepName, fc.nat()).map(([info, name, at]) => {
  const text = JSON.stringify(info);
  const names = [...new Set([...text.matchAll(/"(start|end|a|b|join)"/g)].map((m) => m[1]))];
  const from = names[at % names.length];
  return JSON.parse(text.split(`"${from}"`).join(JSON.stringify(name))) as unknown;
});

function checkGraph(info: unknown): void {
  const graph = parseGraphInfo(info);
  if (graph === null) return;
  for (const name of graph.order) expect(Object.hasOwn(graph.nodes, name)).toBe(true);
  for (const step of Object.values(graph.nodes)) {
    expect(typeof step.type).toBe('string');
    expect(step.next.every((n) => typeof n === 'string')).toBe(true);
  }
  expect(typeof graph.startStep).toBe('string');
  expect(typeof graph.endStep).toBe('string');
}

it('reads the real graph', () => {
  const graph = parseGraphInfo(realGraphInfo());
  expect(graph?.order.length).toBeGreaterThan(2);
});

it('answers any value with a graph whose steps are its own, or null', () => {
  fc.assert(fc.property(fc.oneof(graphInfo, fc.anything()), checkGraph), { numRuns: 2000 });
});

it('answers the real graph with renamed steps, prototype names included, with a graph or null', () => {
  fc.assert(fc.property(mutatedReal, checkGraph), { numRuns: 500 });
});

it.each(PROTOTYPE_NAMES)('follows a step named %s like any other', (name) => {
  const info = own([
    ['steps', own([['start', { type: 'start', next: [name] }], [name, { type: 'linear', next: ['end'] }], ['end', { type: 'end', next: [] }]])],
    ['start_step', 'start'],
    ['end_step', 'end'],
  ]);
  expect(parseGraphInfo(info)?.order).toEqual(['start', name, 'end']);
});

it.each(PROTOTYPE_NAMES)('ignores a missing step named %s', (name) => {
  const info = { steps: { start: { type: 'start', next: [name] }, end: { type: 'end', next: [] } }, start_step: name, graph_structure: ['start', name, 'end'] };
  expect(parseGraphInfo(info)?.order).toEqual(['start', 'end']);
});
