/**
 * The CLI as users install it: `npm pack` makes the tarball, `npm install --global` puts it in an
 * empty prefix with the registry out of reach (`--offline`: the package has no dependencies to
 * fetch, dist/ holds everything), and the installed `cmk-guard` checks examples/.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  bin: Record<string, string>;
  files: string[];
  dependencies?: Record<string, string>;
  scripts: Record<string, string>;
};

describe('the installable package', () => {
  it('is publishable, with a bin, a file list, no dependencies to fetch and no install steps', () => {
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ 'cmk-guard': 'dist/cli/index.js' });
    expect(Object.keys(manifest.dependencies ?? {})).toEqual([]);
    for (const step of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack'])
      expect([step, manifest.scripts[step]]).toEqual([step, undefined]);
  });

  it('packs, installs from the tarball into an empty prefix offline, and evaluates examples/', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-install-'));
    try {
      const env = { ...process.env, npm_config_cache: path.join(dir, 'cache'), npm_config_update_notifier: 'false' };
      const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], {
        env,
        maxBuffer: 64 * 1024 * 1024
      });
      const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
      const files = info.files.map(f => f.path);
      for (const needed of [
        'dist/cli/index.js',
        'policies/pack.yaml',
        'policies/key-vault-soft-delete.yaml',
        'action.yml'
      ])
        expect(files).toContain(needed);
      expect(files.some(f => f.startsWith('examples/'))).toBe(true);
      expect(files.filter(f => /^(src|__tests__|node_modules|bench|scripts)\//.test(f))).toEqual([]);

      const prefix = path.join(dir, 'prefix');
      await run(
        'npm',
        [
          'install',
          '--global',
          '--prefix',
          prefix,
          '--offline',
          '--no-audit',
          '--no-fund',
          path.join(dir, info.filename)
        ],
        { env }
      );
      const bin = path.join(prefix, 'bin', 'cmk-guard');
      const version = await run(bin, ['--version'], { env });
      expect(version.stdout).toMatch(
        new RegExp(`^cmk-guard ${manifest.version} \\(rule pack cmk-guard-foundry-tools \\d+\\.\\d+\\.\\d+\\)\\n$`)
      );
      // The examples shipped in the package, from where npm installed it.
      const evaluated = await run(bin, ['evaluate', '--templates', 'examples/*/*.json', '--format', 'json'], {
        env,
        cwd: path.join(prefix, 'lib', 'node_modules', manifest.name)
      }).catch((error: { code: number; stdout: string }) => error);
      // Exit 1: the examples hold noncompliant templates on purpose.
      expect((evaluated as { code?: number }).code).toBe(1);
      const document = JSON.parse(evaluated.stdout) as { summary: { noncompliant: number; definitions: number } };
      expect(document.summary.noncompliant).toBeGreaterThan(0);
      expect(document.summary.definitions).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
