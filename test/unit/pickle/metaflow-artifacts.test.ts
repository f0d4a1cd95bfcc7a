/** Metaflow's own artifacts read through the decoder: `_exception`, `_graph_info`, `_foreach_stack`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expected, FIXTURES } from '../../support/fixtures';
import { decodePickle, exceptionFromPickle, previewPickle, pyToJs } from '../../../src/metaflow/pickle';
import { artifactPickle, taskArtifacts } from './helpers';

const FAIL_RUN = '1795835906791541';
const FOREACH_RUN = '1795835892295200';
const ARTIFACTS_RUN = '1795835921266226';

/** EXPECTED.json's JSON rendering of a value (`$dict`, `$tuple`) → what pyToJs gives. */
function plain(rendered: unknown): unknown {
  if (Array.isArray(rendered)) return rendered.map(plain);
  if (rendered && typeof rendered === 'object') {
    const tagged = rendered as { $dict?: [string, unknown][]; $tuple?: unknown[] };
    if (tagged.$dict) return Object.fromEntries(tagged.$dict.map(([k, v]) => [k, plain(v)]));
    if (tagged.$tuple) return tagged.$tuple.map(plain);
  }
  return rendered;
}

describe('the _exception artifact', () => {
  const failed = taskArtifacts('FailFlow', FAIL_RUN, 'explode', '2');
  const failedTask = expected()
    .runs.find((r) => r.flow === 'FailFlow')
    ?.steps.find((s) => s.step === 'explode')?.tasks[0];

  it('of the failed task gives the exception type, message and traceback', () => {
    const exception = exceptionFromPickle(artifactPickle('FailFlow', failed._exception));
    expect(exception).not.toBeNull();
    expect({ type: exception?.type, message: exception?.message }).toEqual(failedTask?.exception);
    expect(exception?.stacktrace).toMatch(/^Traceback \(most recent call last\):\n/);
    expect(exception?.stacktrace).toMatch(/ValueError: boom: intentional failure for fixtures\n$/);
  });

  it('previews like MetaflowExceptionWrapper.__repr__, which returns the traceback', () => {
    const bytes = artifactPickle('FailFlow', failed._exception);
    const preview = previewPickle(bytes, 100_000);
    expect(preview.typeName).toBe('metaflow.exception.MetaflowExceptionWrapper');
    expect(preview.text).toBe(exceptionFromPickle(bytes)?.stacktrace);
  });

  it('is None in a task that succeeded', () => {
    const ok = taskArtifacts('FailFlow', FAIL_RUN, 'start', '1');
    expect(exceptionFromPickle(artifactPickle('FailFlow', ok._exception))).toBeNull();
  });
});

describe('the _graph_info artifact, as plain data', () => {
  it('equals the graph Python read', () => {
    const sha = taskArtifacts('ArtifactsFlow', ARTIFACTS_RUN, 'start', '1')._graph_info;
    const truth = JSON.parse(readFileSync(join(FIXTURES, 'metaflow-local', 'EXPECTED.json'), 'utf8')).artifacts.ArtifactsFlow[ARTIFACTS_RUN].start['1']._graph_info;
    expect(pyToJs(decodePickle(artifactPickle('ArtifactsFlow', sha)))).toEqual(plain(truth.value));
  });

  it('gives the structure of a foreach flow', () => {
    const sha = taskArtifacts('ForeachFlow', FOREACH_RUN, 'start', '1')._graph_info;
    const graph = pyToJs(decodePickle(artifactPickle('ForeachFlow', sha))) as Record<string, unknown>;
    expect(graph.graph_structure).toEqual(['start', [['process']], 'join', 'end']);
    expect((graph.steps as Record<string, { type: string; foreach_artifact: string }>).start).toMatchObject({ type: 'split-foreach', foreach_artifact: 'items' });
  });
});

describe('the _foreach_stack artifact', () => {
  const run = expected().runs.find((r) => r.flow === 'ForeachFlow');
  const processTasks = run?.steps.find((s) => s.step === 'process')?.tasks ?? [];

  it('holds one ForeachFrame per enclosing foreach, with the task index', () => {
    expect(processTasks).toHaveLength(5);
    for (const task of processTasks) {
      const sha = taskArtifacts('ForeachFlow', FOREACH_RUN, 'process', task.task_id)._foreach_stack;
      const stack = pyToJs(decodePickle(artifactPickle('ForeachFlow', sha))) as Record<string, unknown>[];
      expect(stack).toHaveLength(1);
      expect(stack[0]).toMatchObject({ __class__: '__main__.ForeachFrame', step: 'process', var: 'items', num_splits: 5, index: task.index });
    }
  });

  it('previews as the named tuple repr', () => {
    const sha = taskArtifacts('ForeachFlow', FOREACH_RUN, 'process', '3')._foreach_stack;
    expect(previewPickle(artifactPickle('ForeachFlow', sha)).text).toBe("[ForeachFrame(step='process', var='items', num_splits=5, index=1, value='banana')]");
  });

  it('is empty again after the join', () => {
    const sha = taskArtifacts('ForeachFlow', FOREACH_RUN, 'join', '7')._foreach_stack;
    expect(pyToJs(decodePickle(artifactPickle('ForeachFlow', sha)))).toEqual([]);
  });
});
