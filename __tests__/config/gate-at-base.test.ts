/**
 * On a pull request, the settings of cmk-guard.yaml that decide whether the run fails are taken as the base has
 * them wherever the change says otherwise (config/settings.ts `gateAtBase`). These are the cases the end-to-end
 * tests in __tests__/security/gate-settings.test.ts leave out, each checked on what `resolveSettings` gives.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareSettings, resolveSettings, type GivenSettings, type Resolved } from '../../src/config/settings.js';
import { commitFiles, git, initRepository } from '../support/git.js';

const DEFAULTS = { bundledPolicies: 'policies', packWithDefinitions: false, templates: ['**/*.json'] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-gate-at-base-'));
  initRepository(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Commits `base` (path to text), then writes `change` over it (null removes a file) and resolves against the base. */
async function resolveOver(
  base: Record<string, string>,
  change: Record<string, string | null>,
  given: Omit<GivenSettings, 'gateBase'> = {},
  gateBase = commitFiles(dir, 'base', base)
): Promise<Resolved> {
  for (const [file, text] of Object.entries(change)) {
    if (text === null) git(dir, 'rm', '-q', file);
    else {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  }
  await prepareSettings(given, dir);
  return resolveSettings({ ...given, gateBase }, dir, DEFAULTS);
}

const pinned = (resolved: Resolved) => (resolved.request.pinned ?? []).map(p => `${p.file}: ${p.reason}`);

describe('what a pull request cannot loosen, where the end-to-end tests do not reach', () => {
  it('compares nothing with `config: none`: no file is read, here or at the base', async () => {
    const resolved = await resolveOver(
      { 'cmk-guard.yaml': 'fail-on: note\n' },
      { 'cmk-guard.yaml': 'fail-on: never\n' },
      {
        config: 'none'
      }
    );
    expect(resolved.config).toBeNull();
    expect(resolved.failOn).toBe('error');
    expect(resolved.request).not.toHaveProperty('pinned');
  });

  it('compares nothing when the base cannot be read and the change has no file of its own', async () => {
    const resolved = await resolveOver({}, {}, {}, '0123456789abcdef0123456789abcdef01234567');
    expect(resolved.config).toBeNull();
    expect(resolved.request).not.toHaveProperty('pinned');
  });

  it('takes the change’s file when the base’s is broken: a broken file decided nothing', async () => {
    const resolved = await resolveOver(
      { 'cmk-guard.yaml': 'fail-on: [not, a, threshold]\n' },
      { 'cmk-guard.yaml': 'fail-on: never\nskip-rules: [foundry-tools-cmk]\n' }
    );
    expect(resolved.failOn).toBe('never');
    expect(resolved.request.selection.skipRules).toEqual(['foundry-tools-cmk']);
    expect(resolved.request).not.toHaveProperty('pinned');
  });

  it('takes `policies: none` as a change from no `policies` at all', async () => {
    const resolved = await resolveOver(
      { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\n' },
      { 'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: none\n' }
    );
    expect(resolved.request.policies).toEqual(['policies']);
    expect(pinned(resolved)).toEqual([
      "cmk-guard.yaml: `policies` is none in this change and not set at the base: the base's applies until the change is merged."
    ]);
  });

  it('applies no baseline when the change removes the base’s baseline file, and says so', async () => {
    const resolved = await resolveOver(
      { 'cmk-guard.yaml': 'baseline: old/baseline.json\n', 'old/baseline.json': '{}\n' },
      { 'cmk-guard.yaml': 'baseline: new/baseline.json\n', 'new/baseline.json': '{}\n', 'old/baseline.json': null }
    );
    expect(resolved.request).not.toHaveProperty('baseline');
    expect(pinned(resolved)).toEqual([
      'cmk-guard.yaml: `baseline` is "new/baseline.json" in this change and "old/baseline.json" at the base: the base\'s applies until the change is merged (this change removes "old/baseline.json": no baseline applies).'
    ]);
  });

  it('names the snapshots the base’s `resources` still reads and those the change removes', async () => {
    const snapshots = {
      'snap/a.json': '{"value": []}\n',
      'snap/b.json': '{"value": []}\n',
      'snap/c.json': '{"value": []}\n'
    };
    const base = { 'cmk-guard.yaml': 'resources: ["snap/a.json", "snap/b.json", "snap/c.json"]\n', ...snapshots };
    const resolved = await resolveOver(base, { 'cmk-guard.yaml': 'resources: []\n', 'snap/b.json': null });
    expect(resolved.request.resources).toEqual(['snap/a.json', 'snap/c.json']);
    expect(pinned(resolved)).toEqual([
      'cmk-guard.yaml: `resources` leaves out "snap/a.json", "snap/b.json", "snap/c.json" in this change, which the base names: "snap/a.json", "snap/c.json" are evaluated too until the change is merged; this change removes "snap/b.json".'
    ]);
    rmSync(path.join(dir, 'snap', 'c.json'));
    const one = resolveSettings({ gateBase: git(dir, 'rev-parse', 'HEAD') }, dir, DEFAULTS);
    expect(one.request.resources).toEqual(['snap/a.json']);
    expect(pinned(one)).toEqual([
      'cmk-guard.yaml: `resources` leaves out "snap/a.json", "snap/b.json", "snap/c.json" in this change, which the base names: "snap/a.json" is evaluated too until the change is merged; this change removes "snap/b.json", "snap/c.json".'
    ]);
  });

  it('compares `overrides` whatever their order, and takes none from a base that has none', async () => {
    const two = [
      'overrides:',
      '  foundry-tools-cmk:',
      '    severity: note',
      '  key-vault-soft-delete:',
      '    effect: Disabled',
      ''
    ];
    const reordered = [two[0], two[3], two[4], two[1], two[2], ''];
    const same = await resolveOver({ 'cmk-guard.yaml': two.join('\n') }, { 'cmk-guard.yaml': reordered.join('\n') });
    expect(same.request).not.toHaveProperty('pinned');
    expect(same.request.overrides.map(o => o.name).sort()).toEqual(['foundry-tools-cmk', 'key-vault-soft-delete']);

    git(dir, 'checkout', '-q', '--', '.');
    const none = await resolveOver({ 'cmk-guard.yaml': '{}\n' }, { 'cmk-guard.yaml': two.join('\n') });
    expect(none.request.overrides).toEqual([]);
    expect(pinned(none)).toEqual([
      "cmk-guard.yaml: `overrides` differ from the base's in this change: the base's apply until the change is merged."
    ]);
  });
});
