/**
 * The bundled pack proves itself on its bundled examples: each rule's folder, evaluated by the same
 * pipeline the action and `npm start` run, gives exactly the findings listed here: every
 * non-compliant and indeterminate finding, with the template line of the value at fault.
 * Transition rules get their base from `examples/<rule>/base/`, and once more from a real git
 * history (`base: 'HEAD~1'`), which must agree.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, FindingsDocument, Verdict } from '../../src/model/finding.js';
import { evaluateRepository } from '../../src/run.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const policies = path.join(repo, 'policies');
const examples = path.join(repo, 'examples');

/** One finding as a reviewer sees it: which rule, on what, and where in the template. */
interface Row {
  rule: string;
  resource: string;
  verdict: Verdict;
  /** Relative to the rule's example folder. */
  file: string;
  line: number;
}

/**
 * Every non-compliant and indeterminate finding of the whole pack on each rule's folder. Lines were
 * read off the JSON: the line of the property whose value breaks the rule, or, when the property
 * is missing, of the object that should hold it.
 */
const expected: Record<string, Row[]> = {
  'foundry-tools-cmk': [
    // "keySource": "Microsoft.CognitiveServices"
    {
      rule: 'foundry-tools-cmk',
      resource: 'speech-microsoft-managed-key',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 18
    },
    // "properties": { "publicNetworkAccess": "Disabled" }, no encryption at all
    {
      rule: 'foundry-tools-cmk',
      resource: 'ai-services-no-encryption',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 29
    }
  ],
  'foundry-tools-cmk-identity': [
    // the account has no "identity": the resource object itself
    {
      rule: 'foundry-tools-cmk-identity',
      resource: 'face-cmk-without-identity',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 5
    },
    // a user-assigned identity, and "keyVaultProperties" without identityClientId
    {
      rule: 'foundry-tools-cmk-identity',
      resource: 'translator-user-assigned-without-client-id',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 38
    }
  ],
  'key-vault-soft-delete': [
    // "enableSoftDelete": "[parameters('softDelete')]", whose default is false
    {
      rule: 'key-vault-soft-delete',
      resource: 'kv-soft-delete-off',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 16
    }
  ],
  'key-vault-purge-protection': [
    // one copy loop, two vaults, both from "enablePurgeProtection": false
    {
      rule: 'key-vault-purge-protection',
      resource: 'kv-purge-off-westeurope',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 17
    },
    {
      rule: 'key-vault-purge-protection',
      resource: 'kv-purge-off-northeurope',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 17
    },
    // "properties" without enablePurgeProtection
    {
      rule: 'key-vault-purge-protection',
      resource: 'kv-purge-unset',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 26
    }
  ],
  'key-vault-key-access': [
    // "keyVaultUri" names the vault whose access policy lacks unwrapKey
    {
      rule: 'key-vault-key-access',
      resource: 'docintel-without-unwrap',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 36
    },
    // "keyvaulturi" names a vault with no entry for the storage account's identity
    {
      rule: 'key-vault-key-access',
      resource: 'stnogrant',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 54
    }
  ],
  'ai-hub-cmk': [
    // "status": "[parameters('encryptionStatus')]", whose default is Disabled
    {
      rule: 'ai-hub-cmk',
      resource: 'hub-microsoft-managed-key',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 18
    }
  ],
  'ai-hub-hbi': [
    // "hbiWorkspace": false
    { rule: 'ai-hub-hbi', resource: 'hub-not-hbi', verdict: 'noncompliant', file: 'noncompliant.json', line: 13 }
  ],
  'dependent-storage-cmk': [
    // "keySource": "Microsoft.Storage"
    {
      rule: 'dependent-storage-cmk',
      resource: 'sthubmicrosoftkeys',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 14
    }
  ],
  'cmk-key-same-vault': [
    // "keyVaultUri": "https://kv-other-team.vault.azure.net/" (base: kv-team-keys)
    {
      rule: 'cmk-key-same-vault',
      resource: 'oai-key-moved',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 22
    },
    // "keyvaulturi": "https://kv-other-team.vault.azure.net/" (base: kv-team-keys)
    {
      rule: 'cmk-key-same-vault',
      resource: 'stkeymoved',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 44
    }
  ],
  'cmk-no-key-type-switch': [
    // "keySource": "Microsoft.CognitiveServices" (base: Microsoft.KeyVault)
    {
      rule: 'cmk-no-key-type-switch',
      resource: 'foundry-cmk-to-mmk',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 19
    },
    // "status": "Disabled" (base: Enabled)
    {
      rule: 'cmk-no-key-type-switch',
      resource: 'hub-cmk-dropped',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 35
    },
    // The same head states break the policy rules too: Azure Policy sees them without the base.
    {
      rule: 'foundry-tools-cmk',
      resource: 'foundry-cmk-to-mmk',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 19
    },
    {
      rule: 'ai-hub-cmk',
      resource: 'hub-cmk-dropped',
      verdict: 'noncompliant',
      file: 'noncompliant.json',
      line: 35
    }
  ]
};

const transitionRules = new Set(['cmk-key-same-vault', 'cmk-no-key-type-switch']);

function ruleFolders(): string[] {
  return readdirSync(examples, { withFileTypes: true })
    .filter(entry => entry.isDirectory())
    .map(entry => entry.name)
    .sort();
}

async function evaluateFolder(rule: string): Promise<FindingsDocument> {
  const hasBase = existsSync(path.join(examples, rule, 'base'));
  return evaluateRepository({
    cwd: repo,
    policies: 'policies',
    templates: [`examples/${rule}/*.json`],
    baseTemplates: hasBase ? [`examples/${rule}/base/*.json`] : undefined,
    baseRequired: true
  });
}

/** A finding as a row, its file relative to `folder` (a path below the workspace). */
function asRow(finding: Finding, folder: string): Row {
  const file = finding.resource.file ?? '(none)';
  return {
    rule: finding.definition,
    resource: finding.resource.name,
    verdict: finding.verdict,
    file: file.startsWith(`${folder}/`) ? file.slice(folder.length + 1) : file,
    line: finding.resource.line ?? -1
  };
}

const order = (a: Row, b: Row) =>
  `${a.rule}|${a.resource}|${a.file}`.localeCompare(`${b.rule}|${b.resource}|${b.file}`);

/** The rows of what is wrong or undecided, without lines: which findings there are. */
function faults(document: FindingsDocument, folder: string): Omit<Row, 'line'>[] {
  return document.findings
    .filter(f => f.verdict !== 'compliant')
    .map(f => asRow(f, folder))
    .sort(order)
    .map(({ rule, resource, verdict, file }) => ({ rule, resource, verdict, file }));
}

const documents = new Map<string, FindingsDocument>();
async function folderDocument(rule: string): Promise<FindingsDocument> {
  let document = documents.get(rule);
  if (!document) {
    document = await evaluateFolder(rule);
    documents.set(rule, document);
  }
  return document;
}

describe('the bundled examples', () => {
  it('have a folder for every rule of the pack and a table entry for every folder', () => {
    const rules = readdirSync(policies)
      .filter(f => f.endsWith('.yaml') && f !== 'pack.yaml')
      .map(f => f.replace(/\.yaml$/, ''))
      .sort();
    expect(ruleFolders()).toEqual(rules);
    expect(Object.keys(expected).sort()).toEqual(rules);
    for (const rule of rules) {
      expect(existsSync(path.join(examples, rule, 'compliant.json'))).toBe(true);
      expect(existsSync(path.join(examples, rule, 'noncompliant.json'))).toBe(true);
      expect(existsSync(path.join(examples, rule, 'base'))).toBe(transitionRules.has(rule));
    }
  });

  describe.each(Object.keys(expected).sort())('%s', rule => {
    const folder = `examples/${rule}`;

    it('expands every template with no error and nothing skipped', async () => {
      const document = await folderDocument(rule);
      expect(document.errors).toEqual([]);
      expect(document.skipped).toEqual([]);
      expect(document.summary.resources).toBeGreaterThan(0);
    });

    it('gives exactly the listed non-compliant and indeterminate findings', async () => {
      const document = await folderDocument(rule);
      const want = expected[rule]
        .map(({ rule: r, resource, verdict, file }) => ({ rule: r, resource, verdict, file }))
        .sort((a, b) => order({ ...a, line: 0 }, { ...b, line: 0 }));
      expect(faults(document, folder)).toEqual(want);
    });

    it('flags its own non-compliant example and finds its compliant example compliant', async () => {
      const document = await folderDocument(rule);
      const own = document.findings.filter(f => f.definition === rule);
      const inFile = (name: string) => own.filter(f => f.resource.file === `${folder}/${name}`);
      expect(inFile('compliant.json').filter(f => f.verdict !== 'compliant')).toEqual([]);
      expect(inFile('compliant.json').filter(f => f.verdict === 'compliant').length).toBeGreaterThan(0);
      expect(inFile('noncompliant.json').filter(f => f.verdict === 'noncompliant').length).toBeGreaterThan(0);
    });

    const rows = expected[rule];
    for (const row of rows) {
      const title = `points ${row.rule} on ${row.resource} at ${row.file}:${row.line}`;
      const check = async () => {
        const document = await folderDocument(rule);
        const found = document.findings
          .filter(f => f.definition === row.rule && f.resource.name === row.resource && f.verdict === row.verdict)
          .map(f => asRow(f, folder));
        expect(found).toHaveLength(1);
        expect(found[0].line).toBe(row.line);
      };
      it(title, check);
    }
  });

  it('gives the same findings when every folder is evaluated at once, as `npm start` does', async () => {
    const together = await evaluateRepository({
      cwd: repo,
      policies: 'policies',
      templates: ['examples/*/*.json'],
      baseTemplates: ['examples/*/base/*.json'],
      baseRequired: true
    });
    const separately: Finding[] = [];
    for (const rule of ruleFolders()) separately.push(...(await folderDocument(rule)).findings);
    const key = (f: Finding) =>
      [f.definition, f.resource.name, f.verdict, f.resource.file, f.resource.line, f.resource.column].join('|');
    expect(together.findings.map(key).sort()).toEqual(separately.map(key).sort());
    expect(together.errors).toEqual([]);
  });
});

/** The environment without variables that would point git at another repository than the temporary one. */
function gitEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY']) delete env[name];
  return env;
}

describe('transition rules with the base read from git', () => {
  let work: string;
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      [
        '-c',
        'user.name=cmk-guard tests',
        '-c',
        'user.email=tests@cmk-guard.invalid',
        '-c',
        'commit.gpgsign=false',
        ...args
      ],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: gitEnvironment() }
    );

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-pack-'));
    cpSync(policies, path.join(work, 'policies'), { recursive: true });
    git('init', '--quiet');
    // First commit: the transition examples as they were before the change (their base/ files).
    for (const rule of transitionRules) {
      const target = path.join(work, 'examples', rule);
      mkdirSync(target, { recursive: true });
      for (const file of readdirSync(path.join(examples, rule, 'base'))) {
        cpSync(path.join(examples, rule, 'base', file), path.join(target, file));
      }
    }
    git('add', '--all');
    git('commit', '--quiet', '-m', 'base');
    // Second commit: the same files as the pull request leaves them.
    for (const rule of transitionRules) {
      for (const file of ['compliant.json', 'noncompliant.json']) {
        cpSync(path.join(examples, rule, file), path.join(work, 'examples', rule, file));
      }
    }
    git('add', '--all');
    git('commit', '--quiet', '-m', 'head');
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('commits what the examples hold: the head is the working tree, HEAD~1 the base', () => {
    const base = git('show', 'HEAD~1:examples/cmk-key-same-vault/noncompliant.json').toString();
    expect(base).toBe(readFileSync(path.join(examples, 'cmk-key-same-vault', 'base', 'noncompliant.json'), 'utf8'));
    expect(git('status', '--porcelain').toString()).toBe('');
  });

  it.each([...transitionRules])('%s: base HEAD~1 gives the findings base/ gives', async rule => {
    const fromGit = await evaluateRepository({
      cwd: work,
      policies: 'policies',
      templates: [`examples/${rule}/*.json`],
      base: 'HEAD~1',
      baseRequired: true
    });
    const fromFolder = await folderDocument(rule);
    const transitions = (document: FindingsDocument) =>
      document.findings
        .filter(f => transitionRules.has(f.definition))
        .map(f => ({ ...asRow(f, `examples/${rule}`), column: f.resource.column, message: f.message }))
        .sort(order);
    expect(fromGit.errors).toEqual([]);
    expect(fromGit.skipped).toEqual([]);
    const viaGit = transitions(fromGit);
    expect(viaGit.length).toBeGreaterThan(0);
    expect(viaGit).toEqual(transitions(fromFolder));
    // …and they are the listed ones, lines included.
    const listed = expected[rule].filter(r => transitionRules.has(r.rule)).sort(order);
    expect(viaGit.filter(r => r.verdict !== 'compliant').map(({ column: _c, message: _m, ...r }) => r)).toEqual(listed);
  });

  it('finds every pair compliant when the base is the head itself', async () => {
    const document = await evaluateRepository({
      cwd: work,
      policies: 'policies',
      templates: ['examples/*/*.json'],
      base: 'HEAD',
      baseRequired: true
    });
    const transitions = document.findings.filter(f => transitionRules.has(f.definition));
    expect(transitions.length).toBeGreaterThan(0);
    expect(transitions.filter(f => f.verdict !== 'compliant')).toEqual([]);
  });
});
