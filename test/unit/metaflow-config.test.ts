import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  describeSettings,
  findLocalRoot,
  MetaflowConfigError,
  resolveMetaflowSettings,
  type ResolveOptions,
} from '../../src/metaflow/config';

let tmp: string;
let home: string;
let project: string;

beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mf-config-')));
  home = path.join(tmp, 'home');
  project = path.join(tmp, 'project');
  fs.mkdirSync(home);
  fs.mkdirSync(project);
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function writeJson(file: string, content: unknown): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** The default config file for the fake home. */
function writeConfig(content: unknown): string {
  return writeJson(path.join(home, '.metaflowconfig', 'config.json'), content);
}

function resolve(env: NodeJS.ProcessEnv = {}, extra: Partial<ResolveOptions> = {}) {
  return resolveMetaflowSettings({ env, cwd: project, homeDir: home, ...extra });
}

function configError(run: () => unknown): MetaflowConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(MetaflowConfigError);
    return err as MetaflowConfigError;
  }
  throw new Error('expected a MetaflowConfigError');
}

const SERVICE = { METAFLOW_DEFAULT_METADATA: 'service', METAFLOW_SERVICE_URL: 'https://mf.example.com/api' };

describe('defaults', () => {
  it('uses local metadata and a local datastore with nothing configured', () => {
    const s = resolve();
    // A stray .metaflow above the temp dir on this machine would be found, as Metaflow would find it.
    const expectedRoot = findLocalRoot(project) ?? path.join(project, '.metaflow');
    expect(s.metadata).toEqual({ kind: 'local', root: expectedRoot });
    expect(s.datastore).toEqual({ kind: 'local', root: expectedRoot });
    expect(s.uiUrl).toBeNull();
    expect(s.user).toBeNull();
    expect(s.configFile).toEqual({ path: path.join(home, '.metaflowconfig', 'config.json'), found: false });
    expect(s.sources.METAFLOW_DEFAULT_METADATA).toBe('default');
    expect(s.sources.METAFLOW_DEFAULT_DATASTORE).toBe('default');
    expect(s.sources.METAFLOW_UI_URL).toBe('default');
  });

  it('falls back to the working directory .metaflow (which need not exist) when none is found upwards', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const nested = path.join(project, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    expect(resolve({}, { cwd: nested }).datastore).toEqual({ kind: 'local', root: path.join(project, '.metaflow') });

    fs.rmSync(path.join(project, '.metaflow'), { recursive: true });
    const s = resolve({}, { cwd: nested });
    // Only checkable when no stray .metaflow sits above the temp dir on this machine.
    if (findLocalRoot(nested) === null) {
      expect(s.datastore).toEqual({ kind: 'local', root: path.join(nested, '.metaflow') });
      expect(s.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL).toBe('default');
    }
  });

});

describe('config file and environment', () => {
  it('takes settings from ~/.metaflowconfig/config.json', () => {
    const file = writeConfig({
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_SERVICE_URL: 'https://file.example.com/api',
      METAFLOW_UI_URL: 'https://ui.example.com',
      METAFLOW_USER: 'alice',
    });
    const s = resolve();
    expect(s.metadata).toEqual({ kind: 'service', url: 'https://file.example.com/api', authKey: null, headers: {} });
    expect(s.uiUrl).toBe('https://ui.example.com');
    expect(s.user).toBe('alice');
    expect(s.configFile).toEqual({ path: file, found: true });
    expect(s.sources.METAFLOW_SERVICE_URL).toBe(`file:${file}`);
    expect(s.sources.METAFLOW_USER).toBe(`file:${file}`);
  });

  it('lets the environment override the file, setting by setting', () => {
    const file = writeConfig({
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_SERVICE_URL: 'https://file.example.com/api',
      METAFLOW_UI_URL: 'https://ui.example.com',
    });
    const s = resolve({ METAFLOW_SERVICE_URL: 'http://env.example.com:8080' });
    expect(s.metadata).toMatchObject({ kind: 'service', url: 'http://env.example.com:8080' });
    expect(s.uiUrl).toBe('https://ui.example.com');
    expect(s.sources.METAFLOW_SERVICE_URL).toBe('env');
    expect(s.sources.METAFLOW_DEFAULT_METADATA).toBe(`file:${file}`);
  });

  it('lets an empty environment variable override the file, as os.environ.get does', () => {
    writeConfig({ METAFLOW_UI_URL: 'https://ui.example.com', METAFLOW_USER: 'alice' });
    const s = resolve({ METAFLOW_UI_URL: '', METAFLOW_USER: '' });
    expect(s.uiUrl).toBeNull();
    expect(s.user).toBeNull();
    expect(s.sources.METAFLOW_UI_URL).toBe('env');
  });

  it('treats a JSON null in the file as not set', () => {
    writeConfig({ METAFLOW_DEFAULT_METADATA: null, METAFLOW_UI_URL: null });
    const s = resolve();
    expect(s.metadata.kind).toBe('local');
    expect(s.uiUrl).toBeNull();
    expect(s.sources.METAFLOW_UI_URL).toBe('default');
  });

  it('reads METAFLOW_HOME/config.json instead of ~/.metaflowconfig', () => {
    writeConfig({ METAFLOW_USER: 'from-default-home' });
    const custom = path.join(tmp, 'custom-home');
    const file = writeJson(path.join(custom, 'config.json'), { METAFLOW_USER: 'from-custom-home' });
    const s = resolve({ METAFLOW_HOME: custom });
    expect(s.user).toBe('from-custom-home');
    expect(s.sources.METAFLOW_USER).toBe(`file:${file}`);
  });

  it('expands ~ in METAFLOW_HOME to the home directory and resolves a relative one against the working directory', () => {
    writeJson(path.join(home, 'mf', 'config.json'), { METAFLOW_USER: 'tilde' });
    expect(resolve({ METAFLOW_HOME: '~/mf' }).user).toBe('tilde');

    writeJson(path.join(project, 'conf', 'config.json'), { METAFLOW_USER: 'relative' });
    expect(resolve({ METAFLOW_HOME: 'conf' }).user).toBe('relative');
  });

  it('reads config_<profile>.json when METAFLOW_PROFILE is set', () => {
    writeConfig({ METAFLOW_USER: 'plain' });
    const file = writeJson(path.join(home, '.metaflowconfig', 'config_prod.json'), { METAFLOW_USER: 'prod' });
    const s = resolve({ METAFLOW_PROFILE: 'prod' });
    expect(s.user).toBe('prod');
    expect(s.configFile).toEqual({ path: file, found: true });
  });

  it('combines METAFLOW_HOME and METAFLOW_PROFILE', () => {
    const custom = path.join(tmp, 'custom-home');
    writeJson(path.join(custom, 'config_dev.json'), { METAFLOW_USER: 'dev' });
    expect(resolve({ METAFLOW_HOME: custom, METAFLOW_PROFILE: 'dev' }).user).toBe('dev');
  });

  it('treats an empty METAFLOW_PROFILE as unset', () => {
    writeConfig({ METAFLOW_USER: 'plain' });
    expect(resolve({ METAFLOW_PROFILE: '' }).user).toBe('plain');
  });

  it('runs without a config file when no profile is asked for', () => {
    expect(resolve({ METAFLOW_HOME: path.join(tmp, 'nowhere') }).configFile.found).toBe(false);
  });
});

describe('local root', () => {
  it('finds the nearest .metaflow folder upwards, skipping files of that name', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const nested = path.join(project, 'flows', 'deep');
    fs.mkdirSync(nested, { recursive: true });
    fs.writeFileSync(path.join(project, 'flows', '.metaflow'), 'not a folder');
    expect(findLocalRoot(nested)).toBe(path.join(project, '.metaflow'));

    const s = resolve({}, { cwd: nested });
    expect(s.datastore).toEqual({ kind: 'local', root: path.join(project, '.metaflow') });
    expect(s.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL).toBe('search');
  });

  it('prefers the nearest of several .metaflow folders', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    fs.mkdirSync(path.join(project, 'sub', '.metaflow'), { recursive: true });
    expect(findLocalRoot(path.join(project, 'sub'))).toBe(path.join(project, 'sub', '.metaflow'));
  });

  it('uses METAFLOW_DATASTORE_SYSROOT_LOCAL as the folder holding .metaflow, without searching', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const elsewhere = path.join(tmp, 'shared');
    const s = resolve({ METAFLOW_DATASTORE_SYSROOT_LOCAL: elsewhere });
    expect(s.datastore).toEqual({ kind: 'local', root: path.join(elsewhere, '.metaflow') });
    expect(s.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL).toBe('env');
  });

  it('resolves a relative METAFLOW_DATASTORE_SYSROOT_LOCAL from the file against the working directory', () => {
    const file = writeConfig({ METAFLOW_DATASTORE_SYSROOT_LOCAL: 'data' });
    const s = resolve();
    expect(s.datastore).toEqual({ kind: 'local', root: path.join(project, 'data', '.metaflow') });
    expect(s.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL).toBe(`file:${file}`);
  });

  it('accepts --root as the folder holding .metaflow', () => {
    const runs = path.join(tmp, 'runs');
    fs.mkdirSync(path.join(runs, '.metaflow'), { recursive: true });
    const s = resolve({ METAFLOW_DATASTORE_SYSROOT_LOCAL: path.join(tmp, 'ignored') }, { localRootOverride: runs });
    expect(s.datastore).toEqual({ kind: 'local', root: path.join(runs, '.metaflow') });
    expect(s.metadata).toEqual({ kind: 'local', root: path.join(runs, '.metaflow') });
    expect(s.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL).toBe('--root');
  });

  it('accepts --root as the .metaflow folder itself, relative to the working directory', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const s = resolve({}, { localRootOverride: '.metaflow' });
    expect(s.datastore).toEqual({ kind: 'local', root: path.join(project, '.metaflow') });
  });

  it('rejects a --root that does not exist, naming the path', () => {
    const missing = path.join(tmp, 'missing');
    const err = configError(() => resolve({}, { localRootOverride: missing }));
    expect(err.setting).toBe('--root');
    expect(err.message).toContain(missing);
    expect(err.message).toContain('does not exist');
    expect(err.message).toContain('the folder that holds .metaflow');
  });

  it('rejects a --root without a .metaflow folder', () => {
    const err = configError(() => resolve({}, { localRootOverride: project }));
    expect(err.message).toContain(`--root ${project} has no .metaflow folder`);
    expect(err.message).toContain('or the .metaflow folder itself');
  });

  it('rejects --root when nothing is read locally', () => {
    const err = configError(() =>
      resolve(
        { ...SERVICE, METAFLOW_DEFAULT_DATASTORE: 's3', METAFLOW_DATASTORE_SYSROOT_S3: 's3://b/p' },
        { localRootOverride: project },
      ),
    );
    expect(err.setting).toBe('--root');
    expect(err.message).toContain('has no effect');
    expect(err.message).toContain('Drop --root');
  });
});

describe('backend combinations', () => {
  it('keeps the local root for blobs and logs with service metadata and a local datastore', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const s = resolve(SERVICE);
    expect(s.metadata.kind).toBe('service');
    expect(s.datastore).toEqual({ kind: 'local', root: path.join(project, '.metaflow') });
    expect(s.sources.METAFLOW_DATASTORE_SYSROOT_LOCAL).toBe('search');
  });

  it('allows local metadata with an s3 datastore, keeping the local root for the metadata', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const s = resolve({ METAFLOW_DEFAULT_DATASTORE: 's3', METAFLOW_DATASTORE_SYSROOT_S3: 's3://bucket/metaflow/' });
    expect(s.metadata).toEqual({ kind: 'local', root: path.join(project, '.metaflow') });
    expect(s.datastore).toEqual({ kind: 's3', root: 's3://bucket/metaflow', endpointUrl: null });
  });

  it('reads the service and s3 settings with nothing local', () => {
    writeConfig({
      METAFLOW_DEFAULT_METADATA: 'service',
      METAFLOW_SERVICE_URL: 'https://mf.example.com/api',
      METAFLOW_SERVICE_AUTH_KEY: 'k-123',
      METAFLOW_DEFAULT_DATASTORE: 's3',
      METAFLOW_DATASTORE_SYSROOT_S3: 's3://bucket/prefix',
      METAFLOW_S3_ENDPOINT_URL: 'http://localhost:9000',
    });
    const s = resolve();
    expect(s.metadata).toEqual({ kind: 'service', url: 'https://mf.example.com/api', authKey: 'k-123', headers: {} });
    expect(s.datastore).toEqual({ kind: 's3', root: 's3://bucket/prefix', endpointUrl: 'http://localhost:9000' });
    expect(s.sources).not.toHaveProperty('METAFLOW_DATASTORE_SYSROOT_LOCAL');
  });
});

describe('service headers', () => {
  it('takes headers from the file as a JSON object', () => {
    writeConfig({ ...SERVICE, METAFLOW_SERVICE_HEADERS: { 'X-Team': 'ml', Authorization: 'Bearer t' } });
    expect(resolve().metadata).toMatchObject({ headers: { 'X-Team': 'ml', Authorization: 'Bearer t' } });
  });

  it('takes headers from the environment as JSON text', () => {
    writeConfig({ METAFLOW_SERVICE_HEADERS: { 'X-Team': 'from-file' } });
    const s = resolve({ ...SERVICE, METAFLOW_SERVICE_HEADERS: '{"X-Team": "from-env"}' });
    expect(s.metadata).toMatchObject({ headers: { 'X-Team': 'from-env' } });
    expect(s.sources.METAFLOW_SERVICE_HEADERS).toBe('env');
  });

  it('takes headers from the file as JSON text too, as Metaflow json.loads any string', () => {
    writeConfig({ ...SERVICE, METAFLOW_SERVICE_HEADERS: '{"X-Team": "ml"}' });
    expect(resolve().metadata).toMatchObject({ headers: { 'X-Team': 'ml' } });
  });

  it('has no headers when unset or empty', () => {
    expect(resolve(SERVICE).metadata).toMatchObject({ headers: {} });
    expect(resolve({ ...SERVICE, METAFLOW_SERVICE_HEADERS: '' }).metadata).toMatchObject({ headers: {} });
  });
});

describe('validation errors', () => {
  it('names the setting, the value and the allowed values for an unknown metadata kind', () => {
    const err = configError(() => resolve({ METAFLOW_DEFAULT_METADATA: 'servce' }));
    expect(err.setting).toBe('METAFLOW_DEFAULT_METADATA');
    expect(err.message).toBe(
      'METAFLOW_DEFAULT_METADATA must be one of local, service; got "servce" from the environment variable ' +
        'METAFLOW_DEFAULT_METADATA. Set it to local or service.',
    );
  });

  it('says which file holds an unknown datastore kind', () => {
    const file = writeConfig({ METAFLOW_DEFAULT_DATASTORE: 'azure' });
    const err = configError(() => resolve());
    expect(err.setting).toBe('METAFLOW_DEFAULT_DATASTORE');
    expect(err.message).toContain('"azure"');
    expect(err.message).toContain(`"METAFLOW_DEFAULT_DATASTORE" in ${file}`);
    expect(err.message).toContain('Set it to local or s3.');
  });

  it('requires METAFLOW_SERVICE_URL for service metadata', () => {
    const err = configError(() => resolve({ METAFLOW_DEFAULT_METADATA: 'service' }));
    expect(err.setting).toBe('METAFLOW_SERVICE_URL');
    expect(err.message).toContain('METAFLOW_SERVICE_URL is required when METAFLOW_DEFAULT_METADATA is service');
    expect(err.message).toContain(path.join(home, '.metaflowconfig', 'config.json'));
  });

  it.each([
    ['METAFLOW_SERVICE_URL', 'localhost:8080', SERVICE],
    ['METAFLOW_SERVICE_URL', 'not a url', SERVICE],
    ['METAFLOW_UI_URL', 'ftp://ui.example.com', {}],
    ['METAFLOW_S3_ENDPOINT_URL', 'minio:9000', { METAFLOW_DEFAULT_DATASTORE: 's3', METAFLOW_DATASTORE_SYSROOT_S3: 's3://b' }],
  ])('rejects a malformed %s (%s)', (setting, bad, base) => {
    const err = configError(() => resolve({ ...base, [setting]: bad }));
    expect(err.setting).toBe(setting);
    expect(err.message).toContain(`${setting} must be an http(s) URL`);
    expect(err.message).toContain(JSON.stringify(bad));
    expect(err.message).toContain('Include the http:// or https:// scheme');
  });

  it('requires METAFLOW_DATASTORE_SYSROOT_S3 for the s3 datastore', () => {
    const err = configError(() => resolve({ METAFLOW_DEFAULT_DATASTORE: 's3' }));
    expect(err.setting).toBe('METAFLOW_DATASTORE_SYSROOT_S3');
    expect(err.message).toContain('is required when METAFLOW_DEFAULT_DATASTORE is s3');
    expect(err.message).toContain('s3://<bucket>/<prefix>');
  });

  it.each(['bucket/prefix', 'https://bucket.s3.amazonaws.com/prefix', 's3://', 's3:///prefix'])(
    'rejects METAFLOW_DATASTORE_SYSROOT_S3 %s',
    (bad) => {
      const err = configError(() => resolve({ METAFLOW_DEFAULT_DATASTORE: 's3', METAFLOW_DATASTORE_SYSROOT_S3: bad }));
      expect(err.setting).toBe('METAFLOW_DATASTORE_SYSROOT_S3');
      expect(err.message).toContain(`got ${JSON.stringify(bad)}`);
      expect(err.message).toContain('s3:// scheme');
    },
  );

  it('rejects a non-string value in the file for a string setting', () => {
    const file = writeConfig({ METAFLOW_USER: 1234 });
    const err = configError(() => resolve());
    expect(err.setting).toBe('METAFLOW_USER');
    expect(err.message).toContain('must be a string, not a number; got 1234');
    expect(err.message).toContain(file);
  });

  it('masks the auth key when it is rejected', () => {
    writeConfig({ ...SERVICE, METAFLOW_SERVICE_AUTH_KEY: 987654321 });
    const err = configError(() => resolve());
    expect(err.setting).toBe('METAFLOW_SERVICE_AUTH_KEY');
    expect(err.message).toContain('got ***');
    expect(err.message).not.toContain('987654321');
  });

  it('rejects headers that are not valid JSON without showing them', () => {
    const err = configError(() => resolve({ ...SERVICE, METAFLOW_SERVICE_HEADERS: '{"Authorization": Bearer s3cr3t}' }));
    expect(err.setting).toBe('METAFLOW_SERVICE_HEADERS');
    expect(err.message).toContain('is not valid JSON (line 1, column 19: unexpected character');
    expect(err.message).toContain('got *** from the environment variable METAFLOW_SERVICE_HEADERS');
    expect(err.message).toContain('JSON object of header names to string values');
    expect(err.message).not.toContain('s3cr3t');
  });

  it.each([
    ['an array', ['s3cr3t'], 'must be a JSON object, not an array'],
    ['a number value', { 'X-Token': 12345 }, 'but "X-Token" is a number'],
    ['a nested object', { 'X-Token': { v: 's3cr3t' } }, 'but "X-Token" is an object'],
  ])('rejects headers holding %s without showing them', (_what, value, problem) => {
    writeConfig({ ...SERVICE, METAFLOW_SERVICE_HEADERS: value });
    const err = configError(() => resolve());
    expect(err.message).toContain(problem);
    expect(err.message).toContain('got ***');
    expect(err.message).not.toMatch(/s3cr3t|12345/);
  });

  it('names the file and the JSON problem for an invalid config file, without quoting it', () => {
    const file = writeConfig('{\n  "METAFLOW_SERVICE_AUTH_KEY": s3cr3t\n}');
    const err = configError(() => resolve());
    expect(err.setting).toBe('METAFLOW_HOME');
    expect(err.message).toBe(
      `The Metaflow config file ${file} is not valid JSON: line 2, column 32: unexpected character ` +
        '(strings need double quotes). Fix the file, or point METAFLOW_HOME elsewhere.',
    );
  });

  it('reports a trailing comma and an empty file by position', () => {
    writeConfig('{"METAFLOW_USER": "a",\n}');
    expect(configError(() => resolve()).message).toContain('line 2, column 1: expected a double-quoted property name');
    writeConfig('');
    expect(configError(() => resolve()).message).toContain('line 1, column 1: unexpected end of input');
  });

  it('rejects a config file that is not a JSON object', () => {
    const file = writeConfig('["METAFLOW_USER"]');
    const err = configError(() => resolve());
    expect(err.message).toContain(`The Metaflow config file ${file} must hold a JSON object`);
    expect(err.message).toContain('it holds an array');
  });

  it('rejects an unreadable config file, naming it', () => {
    const file = path.join(home, '.metaflowconfig', 'config.json');
    fs.mkdirSync(file, { recursive: true });
    const err = configError(() => resolve());
    expect(err.setting).toBe('METAFLOW_HOME');
    expect(err.message).toContain(`Cannot read the Metaflow config file ${file}`);
    expect(err.message).toContain('point METAFLOW_HOME elsewhere');
  });

  it('rejects a METAFLOW_PROFILE whose file does not exist, as Metaflow does', () => {
    writeConfig({ METAFLOW_USER: 'plain' });
    const err = configError(() => resolve({ METAFLOW_PROFILE: 'staging' }));
    expect(err.setting).toBe('METAFLOW_PROFILE');
    expect(err.message).toContain('METAFLOW_PROFILE is "staging"');
    expect(err.message).toContain(path.join(home, '.metaflowconfig', 'config_staging.json'));
    expect(err.message).toContain('does not exist');
    expect(err.message).toContain('unset METAFLOW_PROFILE');
  });
});

describe('describeSettings', () => {
  it('prints one line per setting with its source, masking secrets', () => {
    const file = writeConfig({
      METAFLOW_SERVICE_AUTH_KEY: 'k-s3cr3t',
      METAFLOW_SERVICE_HEADERS: { 'X-Team': 'ml-s3cr3t', Authorization: 'Bearer s3cr3t' },
      METAFLOW_DEFAULT_DATASTORE: 's3',
      METAFLOW_DATASTORE_SYSROOT_S3: 's3://bucket/prefix',
      METAFLOW_UI_URL: 'https://admin:s3cr3t@ui.example.com/',
    });
    const s = resolve({ ...SERVICE, METAFLOW_USER: 'bob' });
    const text = describeSettings(s);
    expect(text).not.toContain('s3cr3t');
    expect(text.split('\n')).toEqual([
      `Metaflow config file: ${file}`,
      'METAFLOW_DEFAULT_METADATA: service (environment)',
      'METAFLOW_SERVICE_URL: https://mf.example.com/api (environment)',
      `METAFLOW_SERVICE_AUTH_KEY: *** (${file})`,
      `METAFLOW_SERVICE_HEADERS: X-Team: ***, Authorization: *** (${file})`,
      `METAFLOW_DEFAULT_DATASTORE: s3 (${file})`,
      `METAFLOW_DATASTORE_SYSROOT_S3: s3://bucket/prefix (${file})`,
      'METAFLOW_S3_ENDPOINT_URL: not set (default)',
      `METAFLOW_UI_URL: https://admin:***@ui.example.com/ (${file})`,
      'METAFLOW_USER: bob (environment)',
    ]);
  });

  it('shows the local root as the folder holding .metaflow, and a missing config file', () => {
    fs.mkdirSync(path.join(project, '.metaflow'));
    const text = describeSettings(resolve());
    expect(text).toContain(`Metaflow config file: ${path.join(home, '.metaflowconfig', 'config.json')} (not found)`);
    expect(text).toContain(
      `METAFLOW_DATASTORE_SYSROOT_LOCAL: ${project} (reads ${path.join(project, '.metaflow')}) ` +
        '(found searching up from the working directory)',
    );
    expect(text).toContain('METAFLOW_USER: not set (default)');
  });

  it('never lists secret values among the sources', () => {
    writeConfig({ ...SERVICE, METAFLOW_SERVICE_AUTH_KEY: 'k-s3cr3t', METAFLOW_SERVICE_HEADERS: { A: 's3cr3t' } });
    expect(JSON.stringify(resolve().sources)).not.toContain('s3cr3t');
  });
});
