/**
 * Every artifact of the ArtifactsFlow fixture run, previewed from its real blob, against the
 * repr real Python computed (EXPECTED.json: first 200 characters, full length, sha256).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../support/fixtures';
import { previewPickle } from '../../../src/metaflow/pickle';
import { artifactPickle, pythonHead, pythonLength } from './helpers';

interface ExpectedArtifact {
  type: string;
  repr: string;
  repr_len: number;
  repr_sha256: string;
  sha: string;
}

const expected = JSON.parse(readFileSync(join(FIXTURES, 'metaflow-local', 'EXPECTED.json'), 'utf8')) as {
  artifacts: { ArtifactsFlow: Record<string, Record<string, Record<string, Record<string, ExpectedArtifact>>>> };
};

const artifacts: [string, ExpectedArtifact][] = [];
for (const [run, steps] of Object.entries(expected.artifacts.ArtifactsFlow)) {
  for (const [step, tasks] of Object.entries(steps)) {
    for (const [task, byName] of Object.entries(tasks)) {
      for (const [name, artifact] of Object.entries(byName)) artifacts.push([`${run}/${step}/${task}/${name}`, artifact]);
    }
  }
}

/**
 * The artifacts shown in our own format rather than Python's repr: a DataFrame's repr is
 * pandas' table layout, and Point's repr comes from a class the reader does not have.
 */
const OWN_FORMAT: Record<string, string> = {
  pandas_df: 'DataFrame 3 rows × 3 columns: a, b, c',
  custom_obj: '<__main__.Point object: x, y, label>',
};

/** Arrays are previewed with their shape and dtype first, then numpy's repr, which Python printed. */
const ARRAY_HEAD: Record<string, string> = {
  numpy_arr: 'shape=(3, 4) dtype=float64:\n',
};

const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

describe('previews of the ArtifactsFlow artifacts', () => {
  it('cover every artifact of the fixture run', () => {
    expect(artifacts).toHaveLength(91);
    expect(new Set(artifacts.map(([path]) => nameOf(path))).size).toBe(43);
  });

  const exact = artifacts.filter(([path]) => !(nameOf(path) in OWN_FORMAT));
  it.each(exact)('%s reproduces Python repr() exactly', (path, artifact) => {
    const preview = previewPickle(artifactPickle('ArtifactsFlow', artifact.sha), 64 * 1024 * 1024);
    const head = ARRAY_HEAD[nameOf(path)] ?? '';
    expect(preview.truncated).toBe(false);
    expect(preview.text.slice(0, head.length)).toBe(head);
    const repr = preview.text.slice(head.length);
    expect(pythonHead(repr, 200)).toBe(artifact.repr);
    expect(preview.length).toBe(head.length + artifact.repr_len);
    expect(pythonLength(repr)).toBe(artifact.repr_len);
    expect(createHash('sha256').update(repr, 'utf8').digest('hex')).toBe(artifact.repr_sha256);
    expect(preview.typeName).toBe(artifact.type);
  });

  it('states the shape and dtype of every array', () => {
    const arrays = artifacts.filter(([, artifact]) => artifact.type === 'numpy.ndarray');
    expect(arrays.length).toBeGreaterThan(0);
    expect(arrays.every(([path]) => nameOf(path) in ARRAY_HEAD)).toBe(true);
  });

  const own = artifacts.filter(([path]) => nameOf(path) in OWN_FORMAT);
  it.each(own)('%s is summarised in our own format, with Python type name', (path, artifact) => {
    const preview = previewPickle(artifactPickle('ArtifactsFlow', artifact.sha));
    expect(preview.text).toBe(OWN_FORMAT[nameOf(path)]);
    expect(preview.length).toBe(OWN_FORMAT[nameOf(path)].length);
    expect(preview.typeName).toBe(artifact.type);
  });

  it('cuts a long preview with … at the maximum length and keeps the full length', () => {
    const blob = artifacts.find(([path]) => nameOf(path) === 'blob_5mb')?.[1] as ExpectedArtifact;
    const preview = previewPickle(artifactPickle('ArtifactsFlow', blob.sha), 200);
    expect(preview.truncated).toBe(true);
    expect(preview.text).toBe(`${pythonHead(blob.repr, 199)}…`);
    expect(preview.length).toBe(blob.repr_len);
  });

  it('counts characters as Python does, not UTF-16 units', () => {
    const unicode = artifacts.find(([path]) => nameOf(path) === 'unicode_str')?.[1] as ExpectedArtifact;
    const preview = previewPickle(artifactPickle('ArtifactsFlow', unicode.sha), 16);
    expect(preview.length).toBe(unicode.repr_len);
    expect(pythonLength(preview.text)).toBe(16);
    expect(preview.text).toBe(`${pythonHead(unicode.repr, 15)}…`);
  });
});
