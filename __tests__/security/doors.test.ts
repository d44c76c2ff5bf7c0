/**
 * The doors added after the boundary was drawn — cmk-guard.yaml and `--config`, the paths the
 * configuration names, `--baseline`, definitions as az and the portal export them, Bicep files,
 * their modules and load…() files and `.bicepparam` files, inline exceptions — keep to it: an
 * absolute path, `..` or a symbolic link that leads out of the repository is refused unread, at the
 * file (and line) that named it, and the outside file's text never reaches a message.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { findConfigFile, loadConfig } from '../../src/config/load.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';
import { installFakeBicep, type FakeBicep } from '../support/fake-bicep.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SECRET = 'SECRET=hunter2';
const bicepFixtures = path.resolve('__tests__/fixtures/sources/bicep/classic');
const PURGE_DEFINITION = path.join(
  bundledPolicies(),
  'compiled',
  'policyDefinitions',
  'key-vault-purge-protection.json'
);

let outside: string;
let repo: string;
beforeEach(() => {
  outside = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-doors-'));
  repo = path.join(outside, 'repo');
  mkdirSync(path.join(repo, 'infra'), { recursive: true });
  // Files a runner has outside the checkout; each holds the secret, in the shape the door reads.
  writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(outside, 'cmk-guard.yaml'), `templates: ['${SECRET}']\n`);
  writeFileSync(path.join(outside, 'baseline.json'), `{"findings": [], "x": "${SECRET}"}`);
  writeFileSync(
    path.join(outside, 'definitions.json'),
    readFileSync(PURGE_DEFINITION, 'utf8').replace('"displayName": "', `"displayName": "${SECRET} `)
  );
  writeFileSync(path.join(outside, 'outside.bicep'), `// ${SECRET}\n`);
  writeFileSync(path.join(repo, 'infra', 'main.json'), template([vault('kv')]));
});
afterEach(() => rmSync(outside, { recursive: true, force: true }));

function vault(name: string, extra: object = {}): object {
  return {
    type: 'Microsoft.KeyVault/vaults',
    apiVersion: '2023-07-01',
    name,
    location: 'westus',
    properties: {},
    ...extra
  };
}

function template(resources: object[]): string {
  return JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources }, null, 2);
}

async function cli(args: string[], cwd = repo, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { cwd, env, stdout: t => void out.push(t), stderr: t => void err.push(t) });
  const text = out.join('') + err.join('');
  return { code, out: out.join(''), err: err.join(''), text };
}

describe('cmk-guard.yaml and --config', () => {
  const evaluate = ['evaluate', '-t', 'infra/main.json', '--definitions', PURGE_DEFINITION, '--fail-on', 'never'];

  it('--config naming a file outside the repository (absolute, or with ..) is refused unread (exit 2)', async () => {
    for (const named of [path.join(outside, 'cmk-guard.yaml'), '../cmk-guard.yaml']) {
      const run = await cli([...evaluate, '--config', named]);
      expect([named, run.code]).toEqual([named, 2]);
      expect(run.err).toMatch(
        /does not read the configuration file .*cmk-guard\.yaml: it is outside the repository \(.*repo\)/
      );
      expect(run.text).not.toContain(SECRET);
    }
    // Not even whether it exists is said.
    expect(() => findConfigFile(repo, '../missing.yaml')).toThrow(/it is outside the repository/);
  });

  it('a cmk-guard.yaml that is a symbolic link out of the repository is refused, found or named', async () => {
    symlinkSync(path.join(outside, 'cmk-guard.yaml'), path.join(repo, 'cmk-guard.yaml'));
    for (const args of [evaluate, [...evaluate, '--config', 'cmk-guard.yaml']]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.err).toMatch(
        /cmk-guard\.yaml: cmk-guard does not read the configuration file .*: it leads outside the repository through a symbolic link/
      );
      expect(run.text).not.toContain(SECRET);
    }
  });

  it('a configuration file inside the repository (a link that stays inside too) is read, and --root widens it', async () => {
    mkdirSync(path.join(repo, 'ci'));
    writeFileSync(path.join(repo, 'ci', 'guard.yaml'), 'fail-on: never\n');
    symlinkSync(path.join(repo, 'ci', 'guard.yaml'), path.join(repo, 'cmk-guard.yaml'));
    expect(findConfigFile(repo, undefined, repo)).toBe(path.join(repo, 'cmk-guard.yaml'));
    expect((await cli(evaluate)).code).toBe(0);
    expect(findConfigFile(repo, '../cmk-guard.yaml', outside)).toBe(path.join(outside, 'cmk-guard.yaml'));
  });

  it('every path the file names that leads out is a mistake at its line; the file is not used', async () => {
    const text = [
      'templates:',
      '  - infra/*.json',
      `  - ${outside}/*.json`,
      'definitions: [../definitions.json]',
      'policies: ../../policies',
      'parameters: [infra/../../x.json]',
      `resources: ['${outside}/snapshot.json']`,
      'baseline: ../baseline.json',
      ''
    ].join('\n');
    writeFileSync(path.join(repo, 'cmk-guard.yaml'), text);
    let thrown: unknown;
    try {
      loadConfig(path.join(repo, 'cmk-guard.yaml'), repo, repo);
    } catch (error) {
      thrown = error;
    }
    const errors = (thrown as { errors: { message: string; location: { line: number } }[] }).errors;
    expect(errors.map(e => [e.location.line, e.message.replace(/ \(.*\)/, '')])).toEqual([
      [
        3,
        `\`templates\` names ${outside}/*.json, and cmk-guard does not read the templates there: it is outside the repository; keep the files it reads inside the repository.`
      ],
      [
        4,
        '`definitions` names ../definitions.json, and cmk-guard does not read the definitions path there: it is outside the repository; keep the files it reads inside the repository.'
      ],
      [5, expect.stringMatching(/^`policies` names \.\.\/\.\.\/policies, and cmk-guard does not read the rule folder/)],
      [6, expect.stringMatching(/^`parameters` names infra\/\.\.\/\.\.\/x\.json/)],
      [
        7,
        expect.stringMatching(/^`resources` names .*snapshot\.json, and cmk-guard does not read the resource snapshot/)
      ],
      [
        8,
        expect.stringMatching(/^`baseline` names \.\.\/baseline\.json, and cmk-guard does not read the baseline there/)
      ]
    ]);
    const run = await cli(['evaluate', '--definitions', PURGE_DEFINITION]);
    expect(run.code).toBe(2);
    expect(run.err).toContain('cmk-guard.yaml:3:');
    expect(run.text).not.toContain(SECRET);
  });

  it('a path through a folder that links out is refused too', () => {
    symlinkSync(outside, path.join(repo, 'up'));
    writeFileSync(path.join(repo, 'cmk-guard.yaml'), 'baseline: up/baseline.json\n');
    expect(() => loadConfig(path.join(repo, 'cmk-guard.yaml'), repo, repo)).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^`baseline` names up\/baseline\.json, .*through a symbolic link/) as string,
        location: { file: 'cmk-guard.yaml', line: 1, column: 11 }
      })
    );
  });
});

describe('--baseline', () => {
  async function run(baseline: string) {
    return evaluateRepository({
      cwd: repo,
      templates: ['infra/main.json'],
      definitions: [PURGE_DEFINITION],
      baseline
    });
  }

  it('a baseline outside the repository (absolute, .., a symbolic link) is its error, unread; findings still come', async () => {
    symlinkSync(path.join(outside, 'baseline.json'), path.join(repo, 'baseline.json'));
    const cases: [string, RegExp][] = [
      [path.join(outside, 'baseline.json'), /it is outside the repository/],
      ['../baseline.json', /it is outside the repository/],
      ['baseline.json', /it leads outside the repository through a symbolic link/]
    ];
    for (const [named, reason] of cases) {
      const document = await run(named);
      expect(document.errors).toEqual([
        {
          // Shown relative to the working folder when inside it, else absolute.
          file: named.startsWith('..') ? path.resolve(repo, named) : named,
          line: null,
          column: null,
          message: expect.stringMatching(
            new RegExp(`^cmk-guard does not read the baseline .*: ${reason.source}`)
          ) as string
        }
      ]);
      expect(JSON.stringify(document)).not.toContain(SECRET);
      // Every finding is still reported (as new: nothing was accepted).
      expect(document.summary.noncompliant).toBe(1);
      expect(document.baseline).toBeUndefined();
    }
  });

  it('a baseline that is not JSON is an error at its line that quotes one character, never the text', async () => {
    writeFileSync(path.join(repo, 'baseline.json'), `{"findings": []}\n${SECRET}\n`);
    const document = await run('baseline.json');
    expect(document.errors).toEqual([
      {
        file: 'baseline.json',
        line: 2,
        column: 1,
        message:
          "the baseline is not valid JSON: unexpected 'S'; give a findings document written by `cmk-guard baseline --out FILE`."
      }
    ]);
  });

  it('a baseline of the wrong shapes (null runs, results, fingerprints named like Object members) accepts nothing and does not crash', async () => {
    const shapes = [
      { runs: [null, 1, 'x', { results: null }, { results: [null, 1, { partialFingerprints: 'x' }] }] },
      { runs: [{ results: [{ partialFingerprints: { toString: 'x', constructor: 1 } }] }] },
      { findings: [null, 1, { definition: 'x', resource: { type: 't', name: 'n', file: { toString: 1 } } }] }
    ];
    for (const shape of shapes) {
      writeFileSync(path.join(repo, 'baseline.json'), JSON.stringify(shape));
      const document = await run('baseline.json');
      expect(document.errors ?? []).toEqual([]);
      expect(document.baseline).toMatchObject({ entries: 0, matched: 0 });
    }
  });
});

describe('definitions as az and the portal export them', () => {
  it('a definitions file or folder outside the repository is refused unread', async () => {
    for (const named of [path.join(outside, 'definitions.json'), '../definitions.json']) {
      const document = await evaluateRepository({
        cwd: repo,
        templates: ['infra/main.json'],
        definitions: [PURGE_DEFINITION, named]
      });
      expect(document.summary.noncompliant).toBe(1);
      expect(document.errors).toHaveLength(1);
      expect(document.errors?.[0]).toMatchObject({
        file: named.startsWith('..') ? path.resolve(repo, named) : named,
        message: expect.stringMatching(/^cmk-guard does not read the definitions path .*: it is outside the repository/)
      });
      expect(JSON.stringify(document)).not.toContain(SECRET);
    }
  });

  it('in an export folder, a symbolic link that leads out is that file’s error; one that stays inside is read', async () => {
    const folder = path.join(repo, 'export');
    mkdirSync(path.join(folder, 'definitions'), { recursive: true });
    writeFileSync(path.join(folder, 'definitions', 'purge.json'), readFileSync(PURGE_DEFINITION, 'utf8'));
    symlinkSync(path.join(outside, 'definitions.json'), path.join(folder, 'definitions', 'leak.json'));
    symlinkSync(path.join(folder, 'definitions', 'purge.json'), path.join(folder, 'same.json'));
    // A link to a folder is not walked.
    symlinkSync(outside, path.join(folder, 'up'));
    const document = await evaluateRepository({ cwd: repo, templates: ['infra/main.json'], definitions: ['export'] });
    expect(document.errors).toEqual([
      {
        file: 'export/definitions/leak.json',
        line: null,
        column: null,
        message: expect.stringMatching(
          /^cmk-guard does not read the definition file .*leak\.json: it leads outside the repository through a symbolic link/
        ) as string
      }
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    // purge.json and the link to it: the definition is read (twice), the vault found noncompliant.
    expect(document.summary.noncompliant).toBeGreaterThanOrEqual(1);
  });
});

describe('Bicep files, modules, load…() files and .bicepparam files', () => {
  let fake: FakeBicep;
  beforeEach(() => {
    fake = installFakeBicep('bicep');
  });
  afterEach(() => fake.dispose());

  async function bicep(main: string, name = 'main.bicep', args: string[] = []) {
    writeFileSync(path.join(repo, 'infra', name), main);
    const run = await cli(
      ['evaluate', '-t', `infra/${name}`, '--definitions', PURGE_DEFINITION, '-f', 'json', ...args],
      repo,
      fake.env
    );
    const document = run.out ? (JSON.parse(run.out) as FindingsDocument) : null;
    return { ...run, document };
  }

  it('a module outside the repository (.., absolute, through a link) is refused at its line, before the CLI runs', async () => {
    symlinkSync(path.join(outside, 'outside.bicep'), path.join(repo, 'infra', 'linked.bicep'));
    for (const target of ['../../outside.bicep', path.join(outside, 'outside.bicep'), 'linked.bicep']) {
      const text = `param location string = 'westus'\n\nmodule m '${target}' = {\n  name: 'm'\n}\n`;
      const run = await bicep(text);
      expect([target, run.code]).toEqual([target, 2]);
      expect(run.document?.errors?.[0]).toMatchObject({
        file: 'infra/main.bicep',
        line: 3,
        message: expect.stringMatching(
          /^cmk-guard does not read the Bicep file .*: it (is|leads) outside the repository/
        )
      });
      expect(run.text).not.toContain(SECRET);
    }
    expect(fake.calls()).toEqual([]);
  });

  it('a load…() file that is a symbolic link out, or an absolute path, is refused at its line', async () => {
    symlinkSync(path.join(outside, 'secret.txt'), path.join(repo, 'infra', 'notes.txt'));
    for (const load of ["loadTextContent('notes.txt')", `loadFileAsBase64('${path.join(outside, 'secret.txt')}')`]) {
      const run = await bicep(`var a = 1\nvar x = ${load}\n`);
      expect([load, run.code]).toEqual([load, 2]);
      expect(run.document?.errors?.[0]).toMatchObject({ file: 'infra/main.bicep', line: 2 });
      expect(run.document?.errors?.[0].message).toMatch(/loads, .*outside the repository/);
      expect(run.text).not.toContain(SECRET);
    }
    expect(fake.calls()).toEqual([]);
  });

  it('a .bicepparam whose `using` leads out is refused at its line, named as a template or as parameters', async () => {
    const text = `// values\nusing '../../outside.bicep'\n\nparam a = 1\n`;
    const asTemplate = await bicep(text, 'dev.bicepparam');
    expect(asTemplate.code).toBe(2);
    expect(asTemplate.document?.errors?.[0]).toMatchObject({
      file: 'infra/dev.bicepparam',
      line: 2,
      message: expect.stringMatching(
        /^cmk-guard does not read the Bicep file .*outside\.bicep: it is outside the repository/
      )
    });
    // A template the (fake) CLI compiles, with the parameter file named for it.
    for (const file of ['main.bicep', 'main.json'])
      writeFileSync(path.join(repo, 'infra', file), readFileSync(path.join(bicepFixtures, file)));
    const asParameters = await cli(
      ['evaluate', '-t', 'infra/main.bicep', '-p', 'infra/dev.bicepparam', '--definitions', PURGE_DEFINITION],
      repo,
      fake.env
    );
    expect(asParameters.code).toBe(2);
    expect(asParameters.text).toMatch(/infra\/dev\.bicepparam:2:\d+: cmk-guard does not read the Bicep file/);
    expect(asTemplate.text + asParameters.text).not.toContain(SECRET);
  });

  it('a .bicep template that is itself a symbolic link out is refused unread', async () => {
    symlinkSync(path.join(outside, 'outside.bicep'), path.join(repo, 'infra', 'main.bicep'));
    const run = await cli(['evaluate', '-t', 'infra/main.bicep', '--definitions', PURGE_DEFINITION], repo, fake.env);
    expect(run.code).toBe(2);
    expect(run.text).toMatch(/main\.bicep.*through a symbolic link/);
    expect(run.text).not.toContain(SECRET);
    expect(fake.calls()).toEqual([]);
  });
});

describe('inline exceptions (metadata.cmkGuard in a template)', () => {
  const inline = (entry: string) =>
    `{"$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "kv", "location": "westus", "properties": {}, "metadata": {"cmkGuard": ${entry}}}]}`;

  it('keys named like Object members are mistakes at their line, never a way to accept a finding', async () => {
    for (const entry of [
      '{"exceptions": [{"rule": "key-vault-purge-protection", "reason": "r", "__proto__": {"owner": "x"}}]}',
      '{"__proto__": {"exceptions": [{"rule": "key-vault-purge-protection", "reason": "r"}]}}',
      '{"exceptions": {"constructor": [{"rule": "key-vault-purge-protection", "reason": "r"}]}}'
    ]) {
      writeFileSync(path.join(repo, 'infra', 'main.json'), inline(entry));
      const document = await evaluateRepository({
        cwd: repo,
        templates: ['infra/main.json'],
        definitions: [PURGE_DEFINITION]
      });
      expect([entry, document.summary.noncompliant]).toEqual([entry, 1]);
      expect(document.errors?.[0]).toMatchObject({ file: 'infra/main.json', line: 1 });
      expect(({} as { owner?: unknown }).owner).toBeUndefined();
    }
  });

  it('metadata of any other shape is passed over: no crash, no exception', async () => {
    for (const entry of ['null', '[]', '"x"', '1', '{"exceptions": null}', '{"exceptions": [null, 1]}']) {
      writeFileSync(path.join(repo, 'infra', 'main.json'), inline(entry));
      const document = await evaluateRepository({
        cwd: repo,
        templates: ['infra/main.json'],
        definitions: [PURGE_DEFINITION]
      });
      expect([entry, document.summary.noncompliant]).toEqual([entry, 1]);
      expect(document.exceptions).toBeUndefined();
    }
  });
});
