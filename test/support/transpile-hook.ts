/**
 * Runs this checkout's TypeScript in a child process without a build: `node --require
 * <transpileHook()> file.ts`. The hook transpiles each `.ts` file as it loads (TypeScript's
 * `transpileModule`, no type check: `npm test` runs `tsc --noEmit` first) and keeps the output
 * by a digest of the source, so children and later runs share the work. Files load from where
 * they are, so everything they find next to themselves (package.json, manifest.yml, the
 * playground's page and demo data) is found as in production.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Transpiled files, by a digest of their source: shared by every child and later runs. */
const CACHE = join(tmpdir(), 'metaflowbot-transpiled');

const HOOK = `
const { createHash, randomUUID } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const cache = ${JSON.stringify(CACHE)};
mkdirSync(cache, { recursive: true });
let ts = null;
require.extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const cached = join(cache, createHash('sha256').update(filename).update('\\0').update(source).digest('hex') + '.js');
  let output;
  try {
    output = readFileSync(cached, 'utf8');
  } catch {
    ts ??= require(${JSON.stringify(require.resolve('typescript'))});
    const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false };
    output = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    const partial = cached + '.' + randomUUID();
    writeFileSync(partial, output);
    renameSync(partial, cached);
  }
  module._compile(output, filename);
};
`;

let hookFile: string | null = null;

/** The hook's file, for `node --require`. */
export function transpileHook(): string {
  if (hookFile === null) {
    hookFile = join(mkdtempSync(join(tmpdir(), 'metaflowbot-hook-')), 'transpile-hook.js');
    writeFileSync(hookFile, HOOK);
  }
  return hookFile;
}

