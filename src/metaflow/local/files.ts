/** Small fs helpers for reading a `.metaflow` folder that Metaflow may be writing at the same time. */
import { promises as fs } from 'node:fs';
import { BackendDataError } from '../errors';

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Entries of a folder; a missing folder is empty (a step not reached, a task without logs). */
export async function listDir(path: string): Promise<string[]> {
  try {
    return await fs.readdir(path);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/** Sub-folders only, for folders where Metaflow also keeps plain files. */
export async function listSubdirs(path: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(path, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

export async function readJson<T>(path: string): Promise<T | null> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new BackendDataError(`${path} is not valid JSON`);
  }
}

export async function readFileOrNull(path: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(path);
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

export async function fileMtime(path: string): Promise<number | null> {
  try {
    return (await fs.stat(path)).mtimeMs;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}

export async function fileSize(path: string): Promise<number | null> {
  try {
    return (await fs.stat(path)).size;
  } catch (err) {
    if (isMissing(err)) return null;
    throw err;
  }
}
