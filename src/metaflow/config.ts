/**
 * Metaflow's own configuration, read the way Metaflow 2.x reads it (`metaflow_config_funcs.py`):
 * each setting `METAFLOW_X` comes from the environment, else from `$METAFLOW_HOME/config.json`
 * (or `config_<METAFLOW_PROFILE>.json`), else a built-in default. A team that already set up
 * Metaflow therefore configures nothing again for the bot.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MetaflowSettings {
  metadata:
    | { kind: 'local'; root: string /* the .metaflow folder whose _meta holds the metadata */ }
    | { kind: 'service'; url: string; authKey: string | null; headers: Record<string, string> };
  datastore:
    | { kind: 'local'; root: string /* absolute path of the .metaflow folder */ }
    | { kind: 's3'; root: string /* s3://bucket/prefix, no trailing slash */; endpointUrl: string | null };
  uiUrl: string | null;
  /** METAFLOW_USER, which Metaflow prefers over the login name for new runs. */
  user: string | null;
  /** The config file for this METAFLOW_HOME and METAFLOW_PROFILE, and whether it exists. */
  configFile: { path: string; found: boolean };
  /**
   * Where each value came from, for `metaflowbot show --config`-style diagnostics:
   * 'env' | 'file:<path>' | 'default' | 'search' | '--root'. Secrets never appear here.
   */
  sources: Record<string, string>;
}

/** A setting that cannot be used; the message names it, the bad value (secrets as "***") and the fix. */
export class MetaflowConfigError extends Error {
  constructor(readonly setting: string, message: string) {
    super(message);
    this.name = 'MetaflowConfigError';
  }
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  homeDir?: string;
  /** `--root`: a folder holding `.metaflow`, or the `.metaflow` folder itself. */
  localRootOverride?: string | null;
}

const LOCAL_DIR = '.metaflow';
const SECRETS = new Set(['METAFLOW_SERVICE_AUTH_KEY', 'METAFLOW_SERVICE_HEADERS']);

type Source = 'env' | `file:${string}` | 'default' | 'search' | '--root';

interface Raw {
  name: string;
  /** undefined when neither the environment nor the file sets it. */
  value: unknown;
  source: Source;
}

export function resolveMetaflowSettings(opts: ResolveOptions = {}): MetaflowSettings {
  const env = opts.env ?? process.env;
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const homeDir = opts.homeDir ?? os.homedir();

  const configFile = locateConfigFile(env, cwd, homeDir);
  const fileValues = readConfigFile(configFile);
  const sources: Record<string, string> = {};
  const read = (name: string): Raw => {
    const raw = lookup(name, env, configFile.path, fileValues);
    sources[name] = raw.source;
    return raw;
  };

  const metadataKind = choice(read('METAFLOW_DEFAULT_METADATA'), ['local', 'service'], 'local');
  const datastoreKind = choice(read('METAFLOW_DEFAULT_DATASTORE'), ['local', 's3'], 'local');

  let localRootCache: string | undefined;
  const localRoot = (): string => {
    if (localRootCache === undefined) {
      const resolved = resolveLocalRoot(read, cwd, opts.localRootOverride);
      sources.METAFLOW_DATASTORE_SYSROOT_LOCAL = resolved.source;
      localRootCache = resolved.root;
    }
    return localRootCache;
  };

  let metadata: MetaflowSettings['metadata'];
  if (metadataKind === 'service') {
    const urlRaw = read('METAFLOW_SERVICE_URL');
    const url = httpUrl(urlRaw, 'https://metaflow.example.com/api');
    if (url === null) {
      throw new MetaflowConfigError(
        urlRaw.name,
        `METAFLOW_SERVICE_URL is required when METAFLOW_DEFAULT_METADATA is service ` +
          `(${describeOrigin('METAFLOW_DEFAULT_METADATA', sources.METAFLOW_DEFAULT_METADATA)}), but it is not set. ` +
          `Set it to the metadata service's URL in the environment or in ${configFile.path}.`,
      );
    }
    metadata = {
      kind: 'service',
      url,
      authKey: text(read('METAFLOW_SERVICE_AUTH_KEY')),
      headers: headers(read('METAFLOW_SERVICE_HEADERS')),
    };
  } else {
    metadata = { kind: 'local', root: localRoot() };
  }

  let datastore: MetaflowSettings['datastore'];
  if (datastoreKind === 's3') {
    const rootRaw = read('METAFLOW_DATASTORE_SYSROOT_S3');
    const root = text(rootRaw);
    if (root === null) {
      throw new MetaflowConfigError(
        rootRaw.name,
        `METAFLOW_DATASTORE_SYSROOT_S3 is required when METAFLOW_DEFAULT_DATASTORE is s3 ` +
          `(${describeOrigin('METAFLOW_DEFAULT_DATASTORE', sources.METAFLOW_DEFAULT_DATASTORE)}), but it is not set. ` +
          `Set it to s3://<bucket>/<prefix> in the environment or in ${configFile.path}.`,
      );
    }
    if (!/^s3:\/\/[^/]+/.test(root)) {
      throw invalid(
        rootRaw,
        'must be an S3 URL such as s3://my-bucket/metaflow',
        'Write it with the s3:// scheme followed by the bucket and prefix.',
      );
    }
    datastore = {
      kind: 's3',
      // Metaflow joins keys onto the root with os.path.join, so a trailing slash names the same keys.
      root: root.replace(/\/+$/, ''),
      endpointUrl: httpUrl(read('METAFLOW_S3_ENDPOINT_URL'), 'https://s3.us-west-2.amazonaws.com'),
    };
  } else {
    datastore = { kind: 'local', root: localRoot() };
  }

  if (opts.localRootOverride != null && localRootCache === undefined) {
    throw new MetaflowConfigError(
      '--root',
      `--root ${opts.localRootOverride} has no effect: METAFLOW_DEFAULT_METADATA is service ` +
        `(${describeOrigin('METAFLOW_DEFAULT_METADATA', sources.METAFLOW_DEFAULT_METADATA)}) and ` +
        `METAFLOW_DEFAULT_DATASTORE is s3 (${describeOrigin('METAFLOW_DEFAULT_DATASTORE', sources.METAFLOW_DEFAULT_DATASTORE)}), ` +
        `so nothing is read from a local .metaflow folder. Drop --root, or set one of them to local.`,
    );
  }

  return {
    metadata,
    datastore,
    uiUrl: httpUrl(read('METAFLOW_UI_URL'), 'https://metaflow-ui.example.com'),
    user: text(read('METAFLOW_USER')),
    configFile: { path: configFile.path, found: fileValues !== null },
    sources,
  };
}

/** Nearest `.metaflow` folder at or above `startDir`, searched as Metaflow's local datastore does. */
export function findLocalRoot(startDir: string): string | null {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, LOCAL_DIR);
    if (isDirectory(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** One line per setting, secrets masked, each with where its value came from. */
export function describeSettings(s: MetaflowSettings): string {
  const lines = [
    `Metaflow config file: ${s.configFile.path}${s.configFile.found ? '' : ' (not found)'}`,
  ];
  const add = (name: string, value: string): void => {
    const source = s.sources[name];
    lines.push(`${name}: ${value}${source ? ` (${describeSource(source)})` : ''}`);
  };
  add('METAFLOW_DEFAULT_METADATA', s.metadata.kind);
  if (s.metadata.kind === 'service') {
    add('METAFLOW_SERVICE_URL', displayUrl(s.metadata.url));
    add('METAFLOW_SERVICE_AUTH_KEY', s.metadata.authKey === null ? 'not set' : '***');
    const names = Object.keys(s.metadata.headers);
    add('METAFLOW_SERVICE_HEADERS', names.length ? names.map((n) => `${n}: ***`).join(', ') : 'none');
  }
  add('METAFLOW_DEFAULT_DATASTORE', s.datastore.kind);
  const localRoot = s.datastore.kind === 'local' ? s.datastore.root : s.metadata.kind === 'local' ? s.metadata.root : null;
  if (localRoot !== null) {
    // The setting names the folder that holds .metaflow; show both so the value can be copied as is.
    add('METAFLOW_DATASTORE_SYSROOT_LOCAL', `${path.dirname(localRoot)} (reads ${localRoot})`);
  }
  if (s.datastore.kind === 's3') {
    add('METAFLOW_DATASTORE_SYSROOT_S3', s.datastore.root);
    add('METAFLOW_S3_ENDPOINT_URL', s.datastore.endpointUrl === null ? 'not set' : displayUrl(s.datastore.endpointUrl));
  }
  add('METAFLOW_UI_URL', s.uiUrl === null ? 'not set' : displayUrl(s.uiUrl));
  add('METAFLOW_USER', s.user ?? 'not set');
  return lines.join('\n');
}

interface ConfigFile {
  path: string;
  profile: string | null;
  /** METAFLOW_HOME as given, for messages. */
  home: string;
}

function locateConfigFile(env: NodeJS.ProcessEnv, cwd: string, homeDir: string): ConfigFile {
  const home = env.METAFLOW_HOME ?? '~/.metaflowconfig';
  // Metaflow treats an empty METAFLOW_PROFILE as unset (`if profile:`).
  const profile = env.METAFLOW_PROFILE ? env.METAFLOW_PROFILE : null;
  const file = path.join(home, profile ? `config_${profile}.json` : 'config.json');
  return { path: path.resolve(cwd, expandUser(file, homeDir)), profile, home };
}

/** Python's os.path.expanduser for the current user; `~name` forms are left alone. */
function expandUser(p: string, homeDir: string): string {
  if (p === '~') return homeDir;
  if (p.startsWith('~/') || p.startsWith(`~${path.sep}`)) return path.join(homeDir, p.slice(2));
  return p;
}

function readConfigFile(file: ConfigFile): Record<string, unknown> | null {
  let textContent: string;
  try {
    textContent = fs.readFileSync(file.path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      if (file.profile === null) return null;
      // Metaflow raises here too ("Unable to locate METAFLOW_PROFILE"), rather than running unconfigured.
      throw new MetaflowConfigError(
        'METAFLOW_PROFILE',
        `METAFLOW_PROFILE is ${JSON.stringify(file.profile)}, but its config file ${file.path} does not exist ` +
          `(METAFLOW_HOME is ${JSON.stringify(file.home)}). Create that file, fix METAFLOW_PROFILE or METAFLOW_HOME, ` +
          `or unset METAFLOW_PROFILE to use config.json.`,
      );
    }
    throw new MetaflowConfigError(
      'METAFLOW_HOME',
      `Cannot read the Metaflow config file ${file.path}: ${(err as Error).message}. ` +
        `Make it a readable file, or point METAFLOW_HOME${file.profile ? '/METAFLOW_PROFILE' : ''} elsewhere.`,
    );
  }
  const parsed = parseJson(textContent);
  if (!parsed.ok) {
    throw new MetaflowConfigError(
      'METAFLOW_HOME',
      `The Metaflow config file ${file.path} is not valid JSON: ${parsed.error}. ` +
        `Fix the file, or point METAFLOW_HOME${file.profile ? '/METAFLOW_PROFILE' : ''} elsewhere.`,
    );
  }
  if (!isPlainObject(parsed.value)) {
    throw new MetaflowConfigError(
      'METAFLOW_HOME',
      `The Metaflow config file ${file.path} must hold a JSON object such as ` +
        `{"METAFLOW_DEFAULT_METADATA": "service"}, but it holds ${jsonKind(parsed.value)}. Fix the file.`,
    );
  }
  return parsed.value;
}

function lookup(name: string, env: NodeJS.ProcessEnv, filePath: string, fileValues: Record<string, unknown> | null): Raw {
  // Present-but-empty still wins over the file: Metaflow uses os.environ.get(name, <file value>).
  const fromEnv = env[name];
  if (fromEnv !== undefined) return { name, value: fromEnv, source: 'env' };
  // A JSON null is read as "not set" rather than as the text "None" Metaflow would make of it.
  if (fileValues && Object.hasOwn(fileValues, name) && fileValues[name] !== null) {
    return { name, value: fileValues[name], source: `file:${filePath}` };
  }
  return { name, value: undefined, source: 'default' };
}

function resolveLocalRoot(
  read: (name: string) => Raw,
  cwd: string,
  override: string | null | undefined,
): { root: string; source: Source } {
  if (override != null) return { root: rootFromOption(path.resolve(cwd, override)), source: '--root' };
  const raw = read('METAFLOW_DATASTORE_SYSROOT_LOCAL');
  const configured = text(raw);
  // Like Metaflow, a configured root is used as is: it may not exist yet (Metaflow creates it on first run).
  if (configured !== null) return { root: path.resolve(cwd, configured, LOCAL_DIR), source: raw.source };
  const found = findLocalRoot(cwd);
  return found ? { root: found, source: 'search' } : { root: path.join(cwd, LOCAL_DIR), source: 'default' };
}

function rootFromOption(given: string): string {
  const inside = path.join(given, LOCAL_DIR);
  if (isDirectory(inside)) return inside;
  if (path.basename(given) === LOCAL_DIR && isDirectory(given)) return given;
  if (!fs.existsSync(given)) {
    throw new MetaflowConfigError(
      '--root',
      `--root ${given} does not exist. Pass the folder that holds .metaflow (where the flows were run), or the .metaflow folder itself.`,
    );
  }
  throw new MetaflowConfigError(
    '--root',
    `--root ${given} has no .metaflow folder. Pass the folder that holds .metaflow (where the flows were run), or the .metaflow folder itself.`,
  );
}

function choice<T extends string>(raw: Raw, allowed: readonly T[], fallback: T): T {
  if (raw.value === undefined) return fallback;
  if (typeof raw.value === 'string' && (allowed as readonly string[]).includes(raw.value)) return raw.value as T;
  throw invalid(raw, `must be one of ${allowed.join(', ')}`, `Set it to ${allowed.join(' or ')}.`);
}

/** A string setting; empty counts as not set, as Metaflow's truthiness checks do. */
function text(raw: Raw): string | null {
  if (raw.value === undefined) return null;
  if (typeof raw.value !== 'string') {
    throw invalid(raw, `must be a string, not ${jsonKind(raw.value)}`, 'Write the value in double quotes.');
  }
  return raw.value === '' ? null : raw.value;
}

function httpUrl(raw: Raw, example: string): string | null {
  const value = text(raw);
  if (value === null) return null;
  const url = URL.canParse(value) ? new URL(value) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(raw, `must be an http(s) URL such as ${example}`, 'Include the http:// or https:// scheme and the host.');
  }
  return value;
}

function headers(raw: Raw): Record<string, string> {
  if (raw.value === undefined || raw.value === '') return {};
  const fix = 'Write it as a JSON object of header names to string values, e.g. {"X-Team": "…"}.';
  let value: unknown = raw.value;
  // Metaflow json.loads a string from either place; the file may also hold the object itself.
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    if (!parsed.ok) throw invalid(raw, `is not valid JSON (${parsed.error})`, fix);
    value = parsed.value;
  }
  if (!isPlainObject(value)) throw invalid(raw, `must be a JSON object, not ${jsonKind(value)}`, fix);
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(raw, `must map each header to a string, but "${name}" is ${jsonKind(v)}`, fix);
  }
  return { ...(value as Record<string, string>) };
}

function invalid(raw: Raw, problem: string, fix: string): MetaflowConfigError {
  const shown = SECRETS.has(raw.name) ? '***' : JSON.stringify(raw.value);
  return new MetaflowConfigError(
    raw.name,
    `${raw.name} ${problem}; got ${shown} from ${describeOrigin(raw.name, raw.source)}. ${fix}`,
  );
}

function describeOrigin(name: string, source: string): string {
  if (source === 'env') return `the environment variable ${name}`;
  if (source.startsWith('file:')) return `"${name}" in ${source.slice('file:'.length)}`;
  return 'the default';
}

function describeSource(source: string): string {
  if (source === 'env') return 'environment';
  if (source.startsWith('file:')) return source.slice('file:'.length);
  if (source === 'search') return 'found searching up from the working directory';
  return source;
}

/** A URL's password is as secret as the auth key. */
function displayUrl(value: string): string {
  const url = new URL(value);
  if (!url.password) return value;
  url.password = '***';
  return url.href;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseJson(source: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch {
    return { ok: false, error: describeJsonError(source) };
  }
}

class JsonSyntaxError {
  constructor(readonly offset: number, readonly reason: string) {}
}

/**
 * Where and why `source` is not JSON. V8's own message may quote the text around the error,
 * and that text can be an auth key or a header value, so the position is found by this strict
 * scan instead and only the line, column and reason are reported.
 */
function describeJsonError(source: string): string {
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonSyntaxError(i, i >= source.length ? 'unexpected end of input' : reason);
  };
  const skipSpace = (): void => {
    while (i < source.length && ' \t\n\r'.includes(source[i])) i++;
  };
  const expect = (char: string, reason: string): void => {
    skipSpace();
    if (source[i] !== char) fail(reason);
    i++;
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= source.length) fail('unterminated string');
      const c = source[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const next = source[i + 1];
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) i += 6;
        else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else fail('invalid escape in string');
      } else if (c < ' ') {
        fail('control character in string');
      } else {
        i++;
      }
    }
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    skipSpace();
    const c = source[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (source[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (source[i] !== '"') fail('expected a double-quoted property name');
        string();
        expect(':', "expected ':' after a property name");
        value();
        skipSpace();
        if (source[i] === ',') i++;
        else return expect('}', "expected ',' or '}' after a property value");
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (source[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipSpace();
        if (source[i] === ',') i++;
        else return expect(']', "expected ',' or ']' after an array element");
      }
    }
    if (c === '"') return string();
    number.lastIndex = i;
    const match = number.exec(source);
    if (match) {
      i += match[0].length;
      return;
    }
    const literal = ['true', 'false', 'null'].find((word) => source.startsWith(word, i));
    if (literal) {
      i += literal.length;
      return;
    }
    fail(/^[A-Za-z']$/.test(c) ? 'unexpected character (strings need double quotes)' : 'unexpected character');
  };
  try {
    value();
    skipSpace();
    if (i < source.length) fail('unexpected text after the JSON value');
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const before = source.slice(0, err.offset);
    const line = before.split('\n').length;
    const column = err.offset - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${err.reason}`;
  }
  return 'not valid JSON';
}
