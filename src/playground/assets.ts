/**
 * The page and the demo data are not TypeScript, so tsc leaves them in src/playground: that is
 * beside this file when it runs from src/ (ts-jest), and three folders up from dist/src/playground.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function playgroundDir(): string {
  for (const dir of [__dirname, join(__dirname, '..', '..', '..', 'src', 'playground')]) {
    if (existsSync(join(dir, 'web', 'index.html'))) return dir;
  }
  throw new Error('The playground page (src/playground/web) is missing from this installation: run it from a clone of the repository.');
}

/** The browser page: HTML, CSS and the scripts it loads. */
export function webDir(): string {
  return join(playgroundDir(), 'web');
}

/** A few small flows, for a machine that has no `.metaflow` of its own. */
export function demoRoot(): string {
  return join(playgroundDir(), 'demo', '.metaflow');
}
