import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_NODE, azureSdkNodeWarning, commands } from '../../src/commands/registry.js';
import { load as loadYaml } from 'js-yaml';
import { runCli } from '../../src/commands/index.js';
import { VERSION } from '../../src/version.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { cwd: process.cwd(), env: {}, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }
  };
}

describe('cmk-guard CLI', () => {
  it("prints the version from package.json and the bundled pack's version", async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const t = io();
    expect(await runCli(['--version'], t.io)).toBe(0);
    const pack = loadYaml(readFileSync('policies/pack.yaml', 'utf8')) as { name: string; version: string };
    expect(t.out.join('')).toBe(`cmk-guard ${pkg.version} (rule pack ${pack.name} ${pack.version})\n`);
  });

  it('lists every command in --help', async () => {
    const t = io();
    expect(await runCli(['--help'], t.io)).toBe(0);
    const help = t.out.join('');
    for (const name of ['evaluate', 'compile', 'expand', 'check-definitions', 'demo']) {
      expect(help).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('with no command, prints help and exits 2', async () => {
    const t = io();
    expect(await runCli([], t.io)).toBe(2);
    expect(t.out.join('')).toContain('Usage: cmk-guard <command>');
  });

  it('shows each command its own help', async () => {
    const t = io();
    expect(await runCli(['evaluate', '--help'], t.io)).toBe(0);
    expect(t.out.join('')).toContain('--fail-on SEVERITY');
    const h = io();
    expect(await runCli(['help', 'evaluate'], h.io)).toBe(0);
    expect(h.out.join('')).toBe(t.out.join(''));
  });

  it('says which Node.js the commands that use the Azure SDK need, when started on an older one', () => {
    expect(azureSdkNodeWarning('plan', {}, '20.20.2')).toBe(
      'plan talks to Azure through the Azure SDK for JavaScript, which needs Node.js 22 or later; this is Node.js 20.20.2, which it does not support. Run cmk-guard with Node.js 22 or 24.'
    );
    expect(azureSdkNodeWarning('deploy', {}, 'v18.19.0')).toContain('this is Node.js 18.19.0');
    expect(azureSdkNodeWarning('compliance', {}, '20.0.0')).toMatch(/^compliance talks to Azure/);
    expect(azureSdkNodeWarning('evaluate', { scope: '/subscriptions/x' }, '20.20.2')).toMatch(
      /^evaluate --scope talks to Azure/
    );
    expect(azureSdkNodeWarning('baseline', { scope: '/subscriptions/x' }, '21.7.3')).toMatch(/^baseline --scope/);
    // Offline commands, and any command on a Node the SDK supports, say nothing.
    expect(azureSdkNodeWarning('evaluate', { templates: ['x'] }, '20.20.2')).toBeNull();
    expect(azureSdkNodeWarning('compile', { scope: '/subscriptions/x' }, '20.20.2')).toBeNull();
    expect(azureSdkNodeWarning('plan', {}, '22.0.0')).toBeNull();
    expect(azureSdkNodeWarning('deploy', {}, '24.11.1')).toBeNull();
  });

  it('on a Node.js older than package.json allows, says which it needs and runs nothing', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${CLI_NODE}`);
    const t = io();
    expect(await runCli(['evaluate', '-t', 'examples/*/*.json'], { ...t.io, nodeVersion: '18.19.0' })).toBe(2);
    expect(t.out).toEqual([]);
    expect(t.err.join('')).toBe(
      'cmk-guard needs Node.js 20 or later (22 or later for the commands that talk to Azure); this is Node.js 18.19.0. Install Node.js 22 or 24.\n'
    );
  });

  it('warns before plan runs on Node.js 20, then runs it', async () => {
    const t = io();
    expect(await runCli(['plan', '--scope', 'not-a-scope'], { ...t.io, nodeVersion: '20.20.2' })).toBe(2);
    const lines = t.err.join('').split('\n');
    expect(lines[0]).toBe(`cmk-guard: warning: ${azureSdkNodeWarning('plan', {}, '20.20.2')}`);
    expect(lines[1]).toMatch(/^cmk-guard: --scope is 'not-a-scope', which is not an Azure scope/);
  });

  it('runs offline commands on Node.js 20 without a word about it', async () => {
    const t = io();
    const code = await runCli(['rules'], { ...t.io, nodeVersion: '20.20.2' });
    expect(code).toBe(0);
    expect(t.err.join('')).toBe('');
  });

  it('refuses an unknown flag with exit 2 instead of ignoring it', async () => {
    const t = io();
    expect(await runCli(['evaluate', '--templtes', 'x'], t.io)).toBe(2);
    expect(t.err.join('')).toContain("Unknown option '--templtes'");
    expect(t.err.join('')).toContain("Run 'cmk-guard evaluate --help'");
  });

  it('refuses an unknown command with exit 2', async () => {
    const t = io();
    expect(await runCli(['evalute'], t.io)).toBe(2);
    expect(t.err.join('')).toContain("unknown command 'evalute'");
  });

  it('refuses a bad option value with exit 2 and a sentence', async () => {
    const t = io();
    expect(await runCli(['evaluate', '--resources', 'x.json', '--format', 'xml'], t.io)).toBe(2);
    expect(t.err.join('')).toContain('--format must be one of text, compact, json, sarif, junit');
  });

  it('says what is missing when there is nothing to evaluate', async () => {
    const t = io();
    expect(await runCli(['evaluate'], t.io)).toBe(2);
    expect(t.err.join('')).toContain('nothing to evaluate');
  });

  it.each(commands.map(c => [c.name]))('%s --help has a Usage line and an example', async name => {
    const t = io();
    expect(await runCli([name, '--help'], t.io)).toBe(0);
    const help = t.out.join('');
    expect(help.startsWith(`Usage: cmk-guard ${name}`)).toBe(true);
    expect(help).toMatch(new RegExp(`\\nExamples?:\\n(  .*\\n)*?  cmk-guard ${name}\\b`));
  });

  it('compile --check gives the same answer from any working folder', async () => {
    const policies = path.resolve('policies');
    const out = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-compiled-'));
    try {
      const quiet = { env: {}, stdout: () => undefined, stderr: () => undefined };
      expect(await runCli(['compile', '--policies', policies, '--out', out], { ...quiet, cwd: process.cwd() })).toBe(0);
      for (const cwd of [process.cwd(), os.tmpdir(), policies]) {
        const printed: string[] = [];
        const code = await runCli(['compile', '--policies', policies, '--out', out, '--check'], {
          cwd,
          env: {},
          stdout: text => printed.push(text),
          stderr: text => printed.push(text)
        });
        expect([cwd, code]).toEqual([cwd, 0]);
        expect(printed.join('')).toMatch(/compiled files in .* are up to date/);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
