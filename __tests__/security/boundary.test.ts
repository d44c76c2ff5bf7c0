/**
 * The repository is the boundary: whatever a pull request writes — a linked template's
 * `relativePath`, a parameter file, a symbolic link among the templates, rules, definitions or
 * snapshots — is read only when it resolves, after symbolic links, inside the repository root (the
 * workspace in the action, the current folder or `--root` on the command line). Anything else is
 * refused with the file and line that named it, and its text never reaches a message.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';
import { escapeReason, realPath, resolveInside } from '../../src/sources/boundary.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SECRET = 'SECRET=hunter2';
const PURGE_DEFINITION = path.join(
  bundledPolicies(),
  'compiled',
  'policyDefinitions',
  'key-vault-purge-protection.json'
);

let outside: string;
let repo: string;
beforeEach(() => {
  outside = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-boundary-'));
  repo = path.join(outside, 'repo');
  mkdirSync(path.join(repo, 'infra'), { recursive: true });
  writeFileSync(path.join(outside, 'secret.json'), `{"$schema": "${SCHEMA}", "resources": [], "x": "${SECRET}"}`);
  writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
});
afterEach(() => rmSync(outside, { recursive: true, force: true }));

function vault(name: string): object {
  return { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name, location: 'westus', properties: {} };
}

function linking(relativePath: string): string {
  return JSON.stringify(
    {
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        vault('kv'),
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'linked',
          properties: { mode: 'Incremental', templateLink: { relativePath } }
        }
      ]
    },
    null,
    2
  );
}

/** The line of `relativePath` in the text `linking` writes. */
function lineOfRelativePath(text: string): number {
  return text.split('\n').findIndex(line => line.includes('"relativePath"')) + 1;
}

async function evaluate(extra: Parameters<typeof evaluateRepository>[0] extends infer R ? Partial<R> : never) {
  return evaluateRepository({ cwd: repo, definitions: [PURGE_DEFINITION], ...extra });
}

describe("the repository's .git folder, where a checkout keeps its credentials", () => {
  it('is not read as a linked template, nor through a symbolic link among the templates, and its text is never quoted', async () => {
    // actions/checkout writes its token into .git/config (persist-credentials); a template, a parameter file or a
    // rule never lives there.
    mkdirSync(path.join(repo, '.git'));
    writeFileSync(path.join(repo, '.git', 'config'), `[http]\n\textraheader = AUTHORIZATION: basic ${SECRET}\n`);
    writeFileSync(path.join(repo, '.git', 'x.json'), `{"$schema": "${SCHEMA}", "resources": [], "x": "${SECRET}"}`);
    for (const relativePath of ['../.git/config', '../.git/x.json', '../.GIT/x.json']) {
      const text = linking(relativePath);
      writeFileSync(path.join(repo, 'infra', 'main.json'), text);
      const document = await evaluate({ templates: ['infra/main.json'] });
      expect(document.errors).toEqual([
        {
          file: 'infra/main.json',
          line: lineOfRelativePath(text),
          column: expect.any(Number),
          message: expect.stringMatching(
            /^cmk-guard does not read the linked template .*: it is inside the repository's \.git folder, where a checkout keeps its credentials/
          ) as string
        }
      ]);
      expect(JSON.stringify(document)).not.toContain('hunter2');
    }
    writeFileSync(path.join(repo, 'infra', 'main.json'), linking('linked.json'));
    symlinkSync(path.join(repo, '.git', 'x.json'), path.join(repo, 'infra', 'linked.json'));
    const linked = await evaluate({ templates: ['infra/main.json'] });
    expect(linked.errors?.[0].message).toMatch(/inside the repository's \.git folder/);
    expect(JSON.stringify(linked)).not.toContain('hunter2');
  });
});

describe('the issue: a linked template that climbs out of the repository', () => {
  it('relativePath "../../../../../../../../etc/passwd" is refused at its line, and /etc/passwd is never quoted', async () => {
    const text = linking('../../../../../../../../etc/passwd');
    writeFileSync(path.join(repo, 'infra', 'main.json'), text);
    const document = await evaluate({ templates: ['infra/main.json'] });
    expect(document.errors).toEqual([
      {
        file: 'infra/main.json',
        line: lineOfRelativePath(text),
        column: expect.any(Number),
        message: expect.stringMatching(
          /^cmk-guard does not read the linked template \/etc\/passwd: it is outside the repository/
        )
      }
    ]);
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n')[0];
    expect(JSON.stringify(document)).not.toContain(passwd);
    expect(JSON.stringify(document)).not.toContain('root:');
  });

  it.each([
    ['an absolute path', () => path.join(outside, 'secret.json')],
    ['../ out of the repository', () => '../../secret.json'],
    ['a file that does not exist out there', () => '../../missing.json']
  ])('%s is refused the same way', async (_name, relative) => {
    const text = linking(relative());
    writeFileSync(path.join(repo, 'infra', 'main.json'), text);
    const document = await evaluate({ templates: ['infra/main.json'] });
    expect(document.errors?.map(e => [e.file, e.line, e.message.replace(/ \/.*: it/, ' X: it')])).toEqual([
      ['infra/main.json', lineOfRelativePath(text), expect.stringContaining('the linked template X: it is outside')]
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
  });

  it('a linked template that is a symbolic link out, or sits under a folder that links out, is refused unread', async () => {
    mkdirSync(path.join(repo, 'infra', 'modules'));
    symlinkSync(path.join(outside, 'secret.json'), path.join(repo, 'infra', 'modules', 'vault.json'));
    symlinkSync(outside, path.join(repo, 'infra', 'elsewhere'));
    for (const relative of ['modules/vault.json', 'elsewhere/secret.json', 'elsewhere/missing.json']) {
      writeFileSync(path.join(repo, 'infra', 'main.json'), linking(relative));
      const document = await evaluate({ templates: ['infra/main.json'] });
      expect(document.errors?.map(e => e.message)).toEqual([
        expect.stringMatching(/the linked template .*: it leads outside the repository through a symbolic link/)
      ]);
      expect(JSON.stringify(document)).not.toContain(SECRET);
      // The link's target is not named either.
      expect(JSON.stringify(document.errors)).not.toContain(outside + path.sep + 'secret');
    }
  });

  it('a linked template inside the repository, through a link that stays inside, is read', async () => {
    mkdirSync(path.join(repo, 'shared'));
    writeFileSync(
      path.join(repo, 'shared', 'vault.json'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault('linked-kv')] })
    );
    symlinkSync(path.join(repo, 'shared'), path.join(repo, 'infra', 'modules'));
    writeFileSync(path.join(repo, 'infra', 'main.json'), linking('modules/vault.json'));
    const document = await evaluate({ templates: ['infra/main.json'] });
    expect(document.errors).toEqual([]);
    expect(document.findings.map(f => [f.resource.name, f.verdict]).sort()).toEqual([
      ['kv', 'noncompliant'],
      ['linked-kv', 'noncompliant']
    ]);
  });
});

/**
 * "the child deployment URI is a combination of the parent and relativePath": a relative URI reference,
 * resolved against the URI the template is published at, so `\\` is `/`, `%61` is `a` and a query string
 * is not part of the file; climbing above the published folder, or starting at the host's root, names no
 * file of the repository.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#use-relative-path-for-linked-templates
 */
describe('relativePath is resolved as ARM resolves it, against the parent template’s URI', () => {
  beforeEach(() => {
    mkdirSync(path.join(repo, 'infra', 'nested'));
    writeFileSync(
      path.join(repo, 'infra', 'nested', 'vault.json'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault('linked-kv')] })
    );
  });

  it.each([
    ['a backslash separates segments', 'nested\\vault.json'],
    ['a percent-encoded letter is that letter', 'nested/v%61ult.json'],
    ['dot segments are resolved', './nested/../nested/vault.json'],
    ['a query string is not part of the file', 'nested/vault.json?sv=2024&sig=x']
  ])('%s: %s', async (_name, relativePath) => {
    writeFileSync(path.join(repo, 'infra', 'main.json'), linking(relativePath));
    const document = await evaluate({ templates: ['infra/main.json'] });
    expect(document.errors).toEqual([]);
    expect(document.findings.map(f => f.resource.name).sort()).toEqual(['kv', 'linked-kv']);
  });

  it('a file whose name holds %41 literally is not what relativePath "%41.json" names', async () => {
    writeFileSync(
      path.join(repo, 'infra', '%41.json'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault('literal-kv')] })
    );
    const text = linking('%41.json');
    writeFileSync(path.join(repo, 'infra', 'main.json'), text);
    const document = await evaluate({ templates: ['infra/main.json'] });
    expect(document.errors?.map(e => [e.line, e.message])).toEqual([
      [
        lineOfRelativePath(text),
        expect.stringMatching(/^The linked template '%41\.json' \(infra\/A\.json in the repository\) does not exist/)
      ]
    ]);
  });

  it.each([
    ['backslashes that climb out', '..\\..\\secret.json'],
    ['encoded dot segments that climb out', '%2e%2e/%2e%2e/secret.json'],
    ['a path from the host’s root', '/infra/nested/vault.json']
  ])('%s are refused at the line, unread', async (_name, relativePath) => {
    const text = linking(relativePath);
    writeFileSync(path.join(repo, 'infra', 'main.json'), text);
    const document = await evaluate({ templates: ['infra/main.json'] });
    expect(document.errors?.map(e => [e.file, e.line, e.message.replace(/ \/.*: it/, ' X: it')])).toEqual([
      ['infra/main.json', lineOfRelativePath(text), expect.stringContaining('the linked template X: it is outside')]
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    expect(document.findings.map(f => f.resource.name)).not.toContain('linked-kv');
  });
});

describe('every other door stays inside the root', () => {
  beforeEach(() => {
    writeFileSync(
      path.join(repo, 'infra', 'main.json'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault('kv')] })
    );
  });
  const refused = (what: string) =>
    expect.stringMatching(new RegExp(`does not read ${what} .*: it (is outside|leads outside)`));

  it('definitions, rule folders, snapshots and parameter files named outside the root are refused; the rest is evaluated', async () => {
    const document = await evaluate({
      templates: ['infra/main.json'],
      definitions: [PURGE_DEFINITION, '../secret.json'],
      policies: '..',
      resources: [path.join(outside, 'secret.json')]
    });
    expect(document.errors?.map(e => e.message)).toEqual(
      expect.arrayContaining([
        refused('the definitions path'),
        refused('the resource snapshot'),
        refused('the rule folder')
      ])
    );
    expect(document.errors).toHaveLength(3);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    // The template and the definition inside still give their verdict.
    expect(document.findings.map(f => [f.resource.name, f.verdict])).toEqual([['kv', 'noncompliant']]);
    // A parameter file named outside is that template's error: it cannot be expanded without its values.
    const withParameters = await evaluate({ templates: ['infra/main.json'], parameters: ['../secret.json'] });
    expect(withParameters.errors?.map(e => e.message)).toEqual([refused('the parameter file')]);
    expect(JSON.stringify(withParameters)).not.toContain(SECRET);
  });

  it('a rule file, snapshot or template inside the repository that is a symbolic link out is refused by name', async () => {
    const policies = path.join(repo, 'policies');
    mkdirSync(policies);
    symlinkSync(path.join(outside, 'secret.txt'), path.join(policies, 'stolen.yaml'));
    symlinkSync(path.join(outside, 'secret.json'), path.join(repo, 'snapshot.json'));
    symlinkSync(path.join(outside, 'secret.json'), path.join(repo, 'infra', 'linked-out.json'));
    const document = await evaluate({
      templates: ['infra/**/*.json'],
      policies: 'policies',
      resources: ['snapshot.json']
    });
    expect(document.errors?.map(e => [e.file, e.message])).toEqual(
      expect.arrayContaining([
        ['policies/stolen.yaml', refused('the rule file')],
        ['snapshot.json', refused('the resource snapshot')],
        ['infra/linked-out.json', expect.stringMatching(/it leads outside the repository through a symbolic link/)]
      ])
    );
    // The template inside still gets its verdict.
    expect(document.findings.map(f => [f.resource.name, f.verdict])).toEqual([['kv', 'noncompliant']]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
  });

  it("the bundled pack is cmk-guard's own and is read from where it is installed", async () => {
    const document = await evaluateRepository({
      cwd: repo,
      policies: bundledPolicies(),
      templates: ['infra/main.json']
    });
    expect(document.errors).toEqual([]);
    expect(document.findings.some(f => f.definition === 'key-vault-purge-protection')).toBe(true);
  });

  it('`root` moves the boundary: a template in a sibling folder is read once the root includes it', async () => {
    mkdirSync(path.join(outside, 'other'));
    writeFileSync(
      path.join(outside, 'other', 'main.json'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault('sibling')] })
    );
    const refusedRun = await evaluate({ templates: ['../other/main.json'] });
    expect(refusedRun.errors?.map(e => e.message)).toEqual([expect.stringMatching(/it is outside the repository/)]);
    const allowed = await evaluate({ templates: ['../other/main.json'], root: '..' });
    expect(allowed.errors).toEqual([]);
    expect(allowed.findings.map(f => f.resource.name)).toEqual(['sibling']);
  });
});

describe('the command line', () => {
  function io(cwd: string) {
    const out: string[] = [];
    const err: string[] = [];
    return {
      io: { cwd, env: {}, stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) },
      out,
      err
    };
  }

  it('evaluate refuses a template outside the current folder (exit 2) and reads it with --root', async () => {
    writeFileSync(
      path.join(outside, 'main.json'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault('kv')] })
    );
    const refused = io(repo);
    expect(
      await runCli(['evaluate', '--templates', '../main.json', '--definitions', PURGE_DEFINITION], refused.io)
    ).toBe(2);
    expect(refused.out.join('') + refused.err.join('')).toMatch(
      /does not read .*main\.json: it is outside the repository/
    );
    const allowed = io(repo);
    expect(
      await runCli(
        [
          'evaluate',
          '--templates',
          '../main.json',
          '--definitions',
          PURGE_DEFINITION,
          '--root',
          '..',
          '--fail-on',
          'never'
        ],
        allowed.io
      )
    ).toBe(0);
    expect(allowed.out.join('')).toContain('1 noncompliant');
  });

  it('expand refuses a linked template that climbs out, at its line', async () => {
    const text = linking('../../secret.json');
    writeFileSync(path.join(repo, 'infra', 'main.json'), text);
    const run = io(repo);
    expect(await runCli(['expand', 'infra/main.json'], run.io)).toBe(2);
    expect(run.err.join('')).toMatch(
      new RegExp(`infra/main\\.json:${lineOfRelativePath(text)}:\\d+: cmk-guard does not read the linked template`)
    );
    expect(run.err.join('')).not.toContain(SECRET);
  });
});

describe('the boundary module', () => {
  it("resolves a path written in a file from that file's folder, and refuses one that leaves the root", () => {
    const referrer = path.join(repo, 'infra', 'main.json');
    expect(resolveInside(referrer, 'modules/a.json', repo, 'the linked template', { file: referrer, line: 3 })).toBe(
      path.join(repo, 'infra', 'modules', 'a.json')
    );
    expect(() =>
      resolveInside(referrer, '../../x.json', repo, 'the linked template', { file: referrer, line: 3 })
    ).toThrow(expect.objectContaining({ location: { file: referrer, line: 3 } }));
  });

  it('follows links through the deepest folder that exists', () => {
    symlinkSync(outside, path.join(repo, 'out'));
    expect(realPath(path.join(repo, 'out', 'a', 'b.json'))).toBe(path.join(realPath(outside), 'a', 'b.json'));
    expect(escapeReason(path.join(repo, 'out', 'a', 'b.json'), repo)).toMatch(/through a symbolic link/);
    expect(escapeReason(path.join(repo, 'infra', 'new.json'), repo)).toBeNull();
    expect(escapeReason(repo, repo)).toBeNull();
    expect(escapeReason(`${repo}-sibling/x.json`, repo)).toMatch(/outside the repository/);
  });
});
