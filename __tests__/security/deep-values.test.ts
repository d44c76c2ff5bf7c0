/**
 * Depth a pull request can build without writing it: an expression that nests a value 10,000 levels deep
 * (`reduce` over `range()` wrapping `createObject`), or a chain of 20,000 variables each reading the one before.
 * The JSON reader refuses files nested more than 512 levels, but these are built while expanding, and every
 * recursive walk after that (dropping null members, case checks, evaluation, the reports) ran out of stack:
 * the whole run ended as an internal error (exit 3, no report, the other templates unread). Now a value
 * nested deeper than the JSON limit is that template's error at the expression, and a template whose
 * expansion still runs out of stack is that template's error; the other templates are evaluated.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-deep-values-'));
  writeFileSync(path.join(repo, 'other.json'), template({}, vault('other', {})));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

function vault(name: string, properties: object): object {
  return { type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name, location: 'westus', properties };
}

function template(variables: object, ...resources: object[]): string {
  return JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', variables, resources });
}

async function run(format: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['evaluate', '--rules', 'key-vault-purge-protection', '-t', '*.json', '--format', format], {
    cwd: repo,
    env: {},
    stdout: t => void out.push(t),
    stderr: t => void err.push(t)
  });
  return { code, out: out.join(''), err: err.join('') };
}

const wrap = (builder: string) =>
  `[reduce(range(0, 10000), ${builder}(), lambda('acc', 'i', ${builder}(lambdaVariables('acc'))))]`;

describe.each(['json', 'sarif', 'text'])('in the %s report', format => {
  it.each([
    [
      'an object nested 10,000 deep',
      {
        x: wrap('createObject').replace(
          "createObject(lambdaVariables('acc'))",
          "createObject('a', lambdaVariables('acc'))"
        )
      }
    ],
    ['an array nested 10,000 deep', { x: wrap('createArray') }],
    ['the string of one', { x: `[string(${wrap('createArray').slice(1, -1)})]` }]
  ])('%s is the template’s error, and the other template is evaluated', async (_, properties) => {
    writeFileSync(path.join(repo, 'main.json'), template({}, vault('deep', properties)));
    const { code, out, err } = await run(format);
    expect(err).not.toMatch(/internal error/);
    expect(code).toBe(2);
    expect(out).toMatch(/nested more than 512 levels deep \(CMK_GUARD_MAX_DEPTH\)/);
    expect(out).toContain('other');
  });
});

/** The JSON report of a run where main.json fails: its one error is `message`, and the other template is evaluated. */
async function expectTemplateError(message: string | RegExp): Promise<void> {
  const { code, out, err } = await run('json');
  expect(err).not.toMatch(/internal error/);
  expect(code).toBe(2);
  const document = JSON.parse(out) as {
    errors: { file: string; message: string }[];
    findings: { resource: { name: string } }[];
  };
  expect(document.errors).toEqual([
    expect.objectContaining({
      file: 'main.json',
      message: typeof message === 'string' ? message : expect.stringMatching(message)
    })
  ]);
  expect(document.findings.map(f => f.resource.name)).toContain('other');
}

// ARM refuses more than 512 variables (best-practices#template-limits), so a chain of 20,000 is refused as
// ARM refuses it, before any of it is evaluated: still that template's error, the other template evaluated.
it('a chain of 20,000 variables is the template’s error, and the other template is evaluated', async () => {
  const variables: Record<string, string> = { v0: 'kv' };
  for (let i = 1; i < 20_000; i++) variables[`v${i}`] = `[variables('v${i - 1}')]`;
  writeFileSync(path.join(repo, 'main.json'), template(variables, vault("[variables('v19999')]", {})));
  await expectTemplateError(/^The template declares 20000 variables; ARM allows at most 512 in one template/);
});

// Within ARM's limits, nesting still adds up: 512 variables, each reading the one before through 50 nested calls,
// are 25,600 levels of evaluation, past what the expander's recursion holds. Running out of stack is that template's
// error (discover.ts `templateFailure`), said as such, and the other template is evaluated.
it('512 variables each nesting 50 calls over the one before run out of stack: the template’s error, the other evaluated', async () => {
  const variables: Record<string, string> = { v0: 'kv' };
  for (let i = 1; i < 512; i++) variables[`v${i}`] = `[${'concat('.repeat(50)}variables('v${i - 1}')${')'.repeat(50)}]`;
  writeFileSync(path.join(repo, 'main.json'), template(variables, vault("[variables('v511')]", {})));
  await expectTemplateError(
    'expanding this template ran out of stack: it chains thousands of variables, functions or references one after another (ARM allows at most 512 variables in a template); shorten the chain.'
  );
});
