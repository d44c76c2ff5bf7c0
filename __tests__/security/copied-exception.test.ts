/**
 * An inline exception accepts the findings of the resource it is written on. A pull request that copies an
 * exception the base already has onto another resource (a new account, or one that was compliant) accepts
 * that resource's findings too: the copy must be marked as added by the pull request, not pass as the old one. So
 * must an exception moved onto another resource from one the change removes (or fixes): the total is the same.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { needsAttention } from '../../src/report/comment.js';
import { evaluateRepository } from '../../src/run.js';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

type Template = { resources: Record<string, unknown>[] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-copied-'));
  cpSync(path.resolve('__tests__/fixtures/exceptions/workspace/infra/app.json'), path.join(dir, 'app.json'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const evaluate = (base?: string): Promise<FindingsDocument> =>
  evaluateRepository({ cwd: dir, policies: bundledPolicies(), templates: ['app.json'], ...(base ? { base } : {}) });

const accepted = (document: FindingsDocument) =>
  Object.fromEntries(document.findings.filter(f => f.suppressed).map(f => [f.resource.name, f.suppressed!.new]));

describe('an inline exception copied onto another resource', () => {
  it('is marked as added by the pull request on the resource it was copied onto, and the comment is written', async () => {
    const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as Template;
    const existing = app.resources.find(r => r.name === 'language-main')!;
    // A new account without a key, under the same words the base accepted for another one.
    app.resources.push({ ...existing, name: 'new-account', metadata: existing.metadata });
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(app, null, 2));

    const document = await evaluate('main');
    // The base's templates, expanded, show the entry on language-main already: only the copy is new.
    expect(accepted(document)).toEqual({ 'language-main': false, 'new-account': true });
    expect(needsAttention({ ...document, summary: { ...document.summary, noncompliant: 0, indeterminate: 0 } })).toBe(
      true
    );
  });

  it('moved onto another resource, off one the change removes, is marked as added by the pull request', async () => {
    const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as Template;
    const existing = app.resources.find(r => r.name === 'language-main')!;
    // The account the base accepted is gone; a new one without a key carries the same words.
    app.resources = app.resources.filter(r => r !== existing);
    app.resources.push({ ...existing, name: 'new-account' });
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(app, null, 2));

    const document = await evaluate('main');
    expect(accepted(document)).toEqual({ 'new-account': true });
    expect(needsAttention({ ...document, summary: { ...document.summary, noncompliant: 0, indeterminate: 0 } })).toBe(
      true
    );
  });

  it('moved to another place in the file, or left as it was, is not new', async () => {
    const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as Template;
    app.resources.reverse();
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(app, null, 4));
    expect(accepted(await evaluate('main'))).toEqual({ 'language-main': false });
  });
});

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const EXCEPTION = {
  cmkGuard: { exceptions: [{ rule: 'key-vault-purge-protection', reason: 'Legacy vault, retired in Q1.' }] }
};

/** A vault without purge protection, named `name` as written, with the inline exception when `excepted`. */
const vault = (name: string, excepted: boolean) => ({
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name,
  location: 'westeurope',
  properties: {
    tenantId: '[subscription().tenantId]',
    sku: { family: 'A', name: 'standard' },
    enablePurgeProtection: false,
    enableRbacAuthorization: true
  },
  ...(excepted ? { metadata: EXCEPTION } : {})
});

/** A nested deployment (inner scope) of one vault named by its parameter; `resourceGroup` where it deploys to. */
const nested = (deployment: string, vaultName: string, excepted: boolean, resourceGroup?: string) => ({
  type: 'Microsoft.Resources/deployments',
  apiVersion: '2022-09-01',
  name: deployment,
  ...(resourceGroup ? { resourceGroup } : {}),
  properties: {
    mode: 'Incremental',
    expressionEvaluationOptions: { scope: 'inner' },
    parameters: { vaultName: { value: vaultName } },
    template: {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters: { vaultName: { type: 'string' } },
      resources: [vault("[parameters('vaultName')]", excepted)]
    }
  }
});

const commit = (resources: unknown[], message: string) => {
  writeFileSync(
    path.join(dir, 'app.json'),
    JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources }, null, 2)
  );
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
};

const vaultFindings = (document: FindingsDocument) =>
  document.findings
    .filter(f => f.definition === 'key-vault-purge-protection')
    .map(f => [f.resource.name, f.resource.id.split('/')[4], f.verdict, f.suppressed ? f.suppressed.new : null]);

describe('an inline exception is for the resource its declaration deploys, not for others written alike', () => {
  it('does not accept a vault of the same name and type in the same file that deploys to another resource group', async () => {
    commit([vault('kv-app', true)], 'base: a sandbox vault, accepted');
    git(dir, 'checkout', '-q', '-b', 'pr');
    // A new vault, the same name, in production: no exception is written on it.
    commit([vault('kv-app', true), { ...nested('prod', 'kv-app', false, 'rg-prod') }], 'pr');
    const found = vaultFindings(await evaluate('main'));
    expect(found).toHaveLength(2);
    expect(found.filter(([, , verdict, suppressed]) => verdict === 'noncompliant' && suppressed === null)).toEqual([
      ['kv-app', 'rg-prod', 'noncompliant', null]
    ]);
  });

  it('moved onto another declaration written alike (another deployment of the same nested template) is new', async () => {
    commit([nested('legacy', 'kv-legacy', true), nested('payments', 'kv-payments-prod', false)], 'base');
    git(dir, 'checkout', '-q', '-b', 'pr');
    // The change fixes kv-legacy and moves the exception onto the production vault's declaration.
    const fixed = nested('legacy', 'kv-legacy', false);
    (fixed.properties.template.resources[0].properties as { enablePurgeProtection: boolean }).enablePurgeProtection =
      true;
    commit([fixed, nested('payments', 'kv-payments-prod', true)], 'pr');
    const document = await evaluate('main');
    expect(accepted(document)).toEqual({ 'kv-payments-prod': true });
    // The same with no transition rule selected, which would have expanded the base's templates anyway.
    const alone = await evaluateRepository({
      cwd: dir,
      policies: bundledPolicies(),
      templates: ['app.json'],
      base: 'main',
      selection: { rules: ['key-vault-purge-protection'] }
    });
    expect(alone.notRun?.flatMap(entry => entry.rules)).toContain('cmk-no-key-type-switch');
    expect(accepted(alone)).toEqual({ 'kv-payments-prod': true });
    // And where the templates come from the base's configuration file only (the head's names none).
    const fromBase = await evaluateRepository({
      cwd: dir,
      policies: bundledPolicies(),
      templates: [],
      templatesAtBase: ['app.json'],
      base: 'main'
    });
    expect(accepted(fromBase)).toEqual({ 'kv-payments-prod': true });
    expect(needsAttention({ ...document, summary: { ...document.summary, noncompliant: 0, indeterminate: 0 } })).toBe(
      true
    );
  });

  it('on a copy loop whose count the change raises is new, for the instances the base did not have', async () => {
    const loop = (count: number) => ({
      ...vault("[concat('kv-team-', copyIndex())]", true),
      copy: { name: 'vaults', count }
    });
    commit([loop(1)], 'base');
    git(dir, 'checkout', '-q', '-b', 'pr');
    commit([loop(3)], 'pr');
    expect(accepted(await evaluate('main'))).toEqual({ 'kv-team-0': true, 'kv-team-1': true, 'kv-team-2': true });
  });

  it('in a linked template a change uses once more (for another vault) is new, for the vault it adds', async () => {
    writeFileSync(
      path.join(dir, 'vault.json'),
      JSON.stringify(
        {
          $schema: SCHEMA,
          contentVersion: '1.0.0.0',
          parameters: { vaultName: { type: 'string' } },
          resources: [vault("[parameters('vaultName')]", true)]
        },
        null,
        2
      )
    );
    const use = (deployment: string, vaultName: string) => ({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: deployment,
      properties: {
        mode: 'Incremental',
        templateLink: { relativePath: 'vault.json' },
        parameters: { vaultName: { value: vaultName } }
      }
    });
    commit([use('legacy', 'kv-legacy')], 'base');
    git(dir, 'checkout', '-q', '-b', 'pr');
    commit([use('legacy', 'kv-legacy'), use('payments', 'kv-payments-prod')], 'pr');
    expect(accepted(await evaluate('main'))).toEqual({ 'kv-legacy': false, 'kv-payments-prod': true });
  });
});
