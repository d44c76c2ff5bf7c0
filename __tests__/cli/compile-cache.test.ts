/**
 * The CLI turns on Node's compile cache (src/compileCache.ts) where only this user, in this trust, can write
 * to it: a start then reads back the code V8 compiled for the bundle instead of compiling it again. The cache
 * holds code Node runs, so a folder anyone else may write to, a link, or a CI machine's shared temporary
 * folder is never used.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import nodeModule from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { jest } from '@jest/globals';
import { compileCacheFolder, loadCompiledEagerly, privateFolder } from '../../src/compileCache.js';

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
const posix = uid !== undefined ? it : it.skip;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-compile-cache-test-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('where the compile cache goes', () => {
  it('a folder of the temporary folder named for the user, on a machine that is not CI', () => {
    expect(compileCacheFolder({}, 501, '/tmp')).toBe(path.join('/tmp', 'cmk-guard-compile-cache-501'));
    expect(compileCacheFolder({ CI: 'false' }, 501, '/tmp')).toBe(path.join('/tmp', 'cmk-guard-compile-cache-501'));
    expect(compileCacheFolder({ CI: '' }, 501, '/tmp')).toBe(path.join('/tmp', 'cmk-guard-compile-cache-501'));
  });

  it('nowhere in a GitHub Actions job, whose one run would write it and never read it', () => {
    expect(
      compileCacheFolder({ GITHUB_ACTIONS: 'true', CI: 'true', RUNNER_TEMP: '/runner/_temp' }, 1001, '/tmp')
    ).toBeUndefined();
    expect(compileCacheFolder({ GITHUB_ACTIONS: 'true', RUNNER_TEMP: '/runner/_temp' }, 1001, '/tmp')).toBeUndefined();
  });

  it('nowhere on another CI, when turned off, or where there are no user ids', () => {
    expect(compileCacheFolder({ CI: 'true' }, 501, '/tmp')).toBeUndefined();
    expect(compileCacheFolder({ CI: '1' }, 501, '/tmp')).toBeUndefined();
    expect(compileCacheFolder({ CMK_GUARD_COMPILE_CACHE: 'off' }, 501, '/tmp')).toBeUndefined();
    expect(
      compileCacheFolder({ CMK_GUARD_COMPILE_CACHE: 'off', GITHUB_ACTIONS: 'true', RUNNER_TEMP: '/r' }, 501, '/tmp')
    ).toBeUndefined();
    expect(compileCacheFolder({}, undefined, '/tmp')).toBeUndefined();
  });

  posix('a folder it makes is the user’s alone; one others may write to, a link or a file is refused', () => {
    const made = path.join(dir, 'made');
    expect(privateFolder(made, uid!)).toBe(true);
    expect(fs.statSync(made).mode & 0o777).toBe(0o700);
    expect(privateFolder(made, uid!)).toBe(true);

    const open = path.join(dir, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    expect(privateFolder(open, uid!)).toBe(false);
    fs.chmodSync(open, 0o750);
    expect(privateFolder(open, uid!)).toBe(false);

    const link = path.join(dir, 'link');
    fs.symlinkSync(made, link);
    expect(privateFolder(link, uid!)).toBe(false);

    const file = path.join(dir, 'file');
    fs.writeFileSync(file, '');
    fs.chmodSync(file, 0o600);
    expect(privateFolder(file, uid!)).toBe(false);

    expect(privateFolder(made, uid! + 1)).toBe(false);
    expect(privateFolder(path.join(dir, 'missing', 'deeper'), uid!)).toBe(false);
  });
});

describe('loading with the cache on', () => {
  afterEach(() => jest.restoreAllMocks());

  it('compiles every function of what it loads at once, and lazily again after, even when loading fails', async () => {
    const flags: string[] = [];
    jest.spyOn(v8, 'setFlagsFromString').mockImplementation(flag => void flags.push(flag));
    const seen: string[][] = [];
    await expect(loadCompiledEagerly(async () => (seen.push([...flags]), 'loaded'))).resolves.toBe('loaded');
    await expect(
      loadCompiledEagerly(async () => {
        seen.push([...flags]);
        throw new Error('no such chunk');
      })
    ).rejects.toThrow('no such chunk');
    expect(seen).toEqual([['--no-lazy'], ['--no-lazy', '--lazy', '--no-lazy']]);
    expect(flags).toEqual(['--no-lazy', '--lazy', '--no-lazy', '--lazy']);
  });
});

describe('the built CLI', () => {
  const entry = path.resolve('dist/cli/index.js');
  const cached = fs.existsSync(entry) && uid !== undefined && 'enableCompileCache' in nodeModule;
  const template = path.resolve('examples/foundry-tools-cmk/noncompliant.json');
  // The environment of a run, without this process's CI settings.
  const environment = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
    for (const name of ['CI', 'GITHUB_ACTIONS', 'RUNNER_TEMP', 'CMK_GUARD_COMPILE_CACHE', 'NODE_COMPILE_CACHE'])
      if (!(name in extra)) delete env[name];
    return env;
  };
  const evaluate = (env: NodeJS.ProcessEnv) => {
    const run = spawnSync(process.execPath, [entry, 'evaluate', '--templates', template, '--format', 'json'], {
      env,
      encoding: 'utf8',
      timeout: 120_000
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    return run.stdout;
  };
  const files = (folder: string): string[] =>
    fs.existsSync(folder)
      ? fs
          .readdirSync(folder, { recursive: true, withFileTypes: true })
          .filter(e => e.isFile())
          .map(e => e.name)
      : [];

  (cached ? it : it.skip)(
    'keeps its compiled code in the user’s folder and reads it back, with the same report',
    () => {
      const env = environment({ TMPDIR: dir });
      const first = evaluate(env);
      const folder = path.join(dir, `cmk-guard-compile-cache-${uid}`);
      expect(fs.statSync(folder).mode & 0o777).toBe(0o700);
      expect(files(folder).length).toBeGreaterThan(0);
      expect(evaluate(env)).toBe(first);
    }
  );

  (cached ? it : it.skip)('keeps nothing on CI, a GitHub job included, or in a folder others may write', () => {
    const runnerTemp = path.join(dir, 'runner');
    fs.mkdirSync(runnerTemp);
    const first = evaluate(environment({ TMPDIR: dir, GITHUB_ACTIONS: 'true', CI: 'true', RUNNER_TEMP: runnerTemp }));
    expect(fs.readdirSync(runnerTemp)).toEqual([]);
    expect(fs.existsSync(path.join(dir, `cmk-guard-compile-cache-${uid}`))).toBe(false);

    expect(evaluate(environment({ TMPDIR: dir, CI: 'true' }))).toBe(first);
    expect(fs.existsSync(path.join(dir, `cmk-guard-compile-cache-${uid}`))).toBe(false);

    const shared = path.join(dir, `cmk-guard-compile-cache-${uid}`);
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o777);
    expect(evaluate(environment({ TMPDIR: dir }))).toBe(first);
    expect(files(shared)).toEqual([]);
  });
});
