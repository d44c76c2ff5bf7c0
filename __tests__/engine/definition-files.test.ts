import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';

const fixtures = path.resolve('__tests__/fixtures/engine/definition-files');
const examples = path.resolve('examples');

async function cli(args: string[], cwd = fixtures) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { cwd, env: {}, stdout: t => out.push(t), stderr: t => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

async function evaluate(definitions: string[]) {
  const run = await cli([
    'evaluate',
    // The templates are the repository's examples, outside the fixture folder the command runs in.
    '--root',
    path.resolve('.'),
    ...definitions.flatMap(d => ['--definitions', d]),
    '-t',
    path.join(examples, 'key-vault-soft-delete/*.json'),
    '-t',
    path.join(examples, 'key-vault-purge-protection/*.json'),
    '-f',
    'json'
  ]);
  return { ...run, document: run.out ? (JSON.parse(run.out) as FindingsDocument) : null };
}

function verdicts(document: FindingsDocument | null) {
  return [
    ...new Set(
      document?.findings
        .filter(f => f.verdict !== 'compliant')
        .map(f => `${f.definition} ${f.effect} ${f.verdict} ${f.resource.name}`)
    )
  ].sort();
}

describe('policy definitions as az and the portal export them', () => {
  it('evaluates every definition in the list `az policy definition list` writes', async () => {
    const run = await evaluate(['az-definition-list.json']);
    expect(run.err).toBe('');
    expect(run.document?.summary.definitions).toBe(2);
    // 1e66c121 also flags vaults that leave enableSoftDelete out (policies/README.md, soft-delete-default-on).
    expect(verdicts(run.document)).toEqual([
      '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53 Audit noncompliant kv-purge-off-northeurope',
      '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53 Audit noncompliant kv-purge-off-westeurope',
      '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53 Audit noncompliant kv-purge-unset',
      '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53 Audit noncompliant kv-soft-delete-off',
      '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d Audit noncompliant kv-purge-off-northeurope',
      '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d Audit noncompliant kv-purge-off-westeurope',
      '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d Audit noncompliant kv-purge-protected',
      '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d Audit noncompliant kv-purge-unset',
      '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d Audit noncompliant kv-soft-delete-off'
    ]);
  });

  it('evaluates an initiative from `az policy set-definition list` through its members, with its parameter values', async () => {
    const run = await evaluate(['az-definition-list.json', 'az-set-definition-list.json']);
    expect(run.err).toBe('');
    // softDelete takes the initiative's vaultEffect (default Deny); purgeProtection is given Audit.
    expect(verdicts(run.document)).toEqual([
      'kv-cmk-example/purgeProtection Audit noncompliant kv-purge-off-northeurope',
      'kv-cmk-example/purgeProtection Audit noncompliant kv-purge-off-westeurope',
      'kv-cmk-example/purgeProtection Audit noncompliant kv-purge-unset',
      'kv-cmk-example/purgeProtection Audit noncompliant kv-soft-delete-off',
      'kv-cmk-example/softDelete Deny noncompliant kv-purge-off-northeurope',
      'kv-cmk-example/softDelete Deny noncompliant kv-purge-off-westeurope',
      'kv-cmk-example/softDelete Deny noncompliant kv-purge-protected',
      'kv-cmk-example/softDelete Deny noncompliant kv-purge-unset',
      'kv-cmk-example/softDelete Deny noncompliant kv-soft-delete-off'
    ]);
    // Definitions an initiative uses are evaluated through it, not again on their own.
    expect(run.document?.summary.definitions).toBe(2);
  });

  it('reads the portal export: definitions, initiatives, and assignments counted as skipped', async () => {
    const run = await evaluate(['portal']);
    expect(run.err).toBe('');
    expect(verdicts(run.document)).toEqual([
      'kv-soft-delete-only/softDelete Deny noncompliant kv-purge-off-northeurope',
      'kv-soft-delete-only/softDelete Deny noncompliant kv-purge-off-westeurope',
      'kv-soft-delete-only/softDelete Deny noncompliant kv-purge-protected',
      'kv-soft-delete-only/softDelete Deny noncompliant kv-purge-unset',
      'kv-soft-delete-only/softDelete Deny noncompliant kv-soft-delete-off'
    ]);
    expect(run.document?.skipped).toEqual([
      {
        file: 'portal/policies/Key vaults should have soft delete enabled_1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d/assign.soft-delete.json',
        reason: 'a policy assignment'
      }
    ]);
  });

  it('refuses an initiative whose member definition was not given, naming it and how to get it', async () => {
    const run = await evaluate(['az-set-definition-list.json']);
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      "cmk-guard: az-set-definition-list.json: the initiative 'kv-cmk-example' uses /providers/Microsoft.Authorization/policyDefinitions/1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d (as 'softDelete'), which is not among the definitions given; give it with --definitions too (az policy definition show --name 1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d writes it), or leave the initiative out.\n"
    );
  });

  it('refuses a definitions path that holds no definition, instead of checking nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-defs-'));
    try {
      writeFileSync(path.join(dir, 'empty.json'), '[]\n');
      const run = await cli(['evaluate', '--definitions', 'empty.json', '-t', path.join(examples, '*/*.json')], dir);
      expect(run.code).toBe(2);
      expect(run.err).toBe(
        'cmk-guard: empty.json: holds no policy definition or initiative; give a definition file or folder, or the output of az policy definition list.\n'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an initiative member can be chosen with --rules by <initiative>/<reference>', async () => {
    const run = await cli([
      'evaluate',
      '--root',
      path.resolve('.'),
      '--definitions',
      'az-definition-list.json',
      '--definitions',
      'az-set-definition-list.json',
      '--rules',
      'kv-cmk-example/soft*',
      '-t',
      path.join(examples, 'key-vault-soft-delete/*.json'),
      '-f',
      'compact'
    ]);
    expect(run.out.split('\n')[0]).toMatch(/noncompliant\.json:\d+:\d+: error kv-cmk-example\/softDelete: /);
  });
});

describe('cmk-guard check-definitions', () => {
  it('checks the list az writes, as a file', async () => {
    const run = await cli(['check-definitions', 'az-definition-list.json']);
    expect([run.code, run.out]).toEqual([0, 'checked 2 definitions: 2 loaded, 0 unsupported, 0 invalid, 0 warnings\n']);
  });

  it('checks initiatives for members that are missing', async () => {
    const run = await cli(['check-definitions', 'az-set-definition-list.json']);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /^az-set-definition-list\.json: invalid: the initiative 'kv-cmk-example' uses .*softDelete/m
    );
    expect(run.out).toContain('checked 1 initiative: 2 problems\n');
  });

  it('checks the portal export folder', async () => {
    const run = await cli(['check-definitions', 'portal']);
    expect([run.code, run.out]).toEqual([
      0,
      'skipped 1 JSON item that are not policy definitions\nchecked 1 initiative: 0 problems\nchecked 1 definitions: 1 loaded, 0 unsupported, 0 invalid, 0 warnings\n'
    ]);
  });

  it('is an error (exit 2) when nothing it was given is a definition', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-defs-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), '{"name": "x"}\n');
      const run = await cli(['check-definitions', '.'], dir);
      expect(run.code).toBe(2);
      expect(run.err).toBe(
        'cmk-guard: . holds no policy definition; give a definition file or folder, or the output of az policy definition list.\n'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
