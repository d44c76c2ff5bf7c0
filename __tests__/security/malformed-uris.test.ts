/**
 * A template can write text that is not a well-formed URI or not well-formed UTF-16: a `%ff` that
 * decodes to no character, a lone surrogate written as `\ud800` in JSON. Encoding or decoding such text
 * throws in JavaScript (URIError); before, that ended the whole run as an internal error, every other
 * template unread. Now the linked template is the file the file system opens, a URI stays as written
 * where it cannot be decoded, `uriComponent()` of such text is that expression's error, and every report
 * is still written. `format()` padding to two billion characters threw RangeError out of the run too; .NET
 * refuses an alignment of a million or more, and so does cmk-guard.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-malformed-uris-'));
  mkdirSync(path.join(repo, 'infra'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

/** The text of a template (JSON escapes such as `\ud800` written as they are). */
function template(resources: string): string {
  return `{"$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "resources": [${resources}]}`;
}

function vault(name: string, properties = '{}'): string {
  return `{"type": "Microsoft.KeyVault/vaults", "apiVersion": "2023-07-01", "name": "${name}", "location": "westus", "properties": ${properties}}`;
}

function deployment(templateLink: string): string {
  return `{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "d", "properties": {"mode": "Incremental", "templateLink": ${templateLink}}}`;
}

async function run(format: string, templates = 'infra') {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    ['evaluate', '--rules', 'key-vault-purge-protection', '--templates', templates, '--format', format],
    { cwd: repo, env: {}, stdout: t => void out.push(t), stderr: t => void err.push(t) }
  );
  return { code, out: out.join(''), err: err.join('') };
}

const FORMATS = ['text', 'json', 'sarif', 'junit'];

describe('a linked template named with a lone surrogate', () => {
  it.each(FORMATS)('is the file the file system opens (U+FFFD), and the %s report is written', async format => {
    writeFileSync(path.join(repo, 'infra', 'main.json'), template(deployment('{"relativePath": "x\\ud800.json"}')));
    writeFileSync(path.join(repo, 'infra', 'x\ufffd.json'), template(vault('behind-surrogate')));
    writeFileSync(path.join(repo, 'infra', 'other.json'), template(vault('other')));
    const { code, out, err } = await run(format);
    expect(err).not.toMatch(/internal error/);
    expect(code).toBe(1);
    expect(out).toContain('behind-surrogate');
    expect(out).toContain('other');
  });
});

describe('text that is not a well-formed URI', () => {
  it.each([
    ['a value holding a repository URI with %ff', vault('kv', '{"x": "https://repository.invalid/%ff"}')],
    [
      'uri() of the template’s own URI and %ff',
      vault('kv', `{"x": "[uri(deployment().properties.templateLink.uri, '%ff')]"}`)
    ],
    [
      'a linked template at a URI with %ff',
      deployment(`{"uri": "[uri(deployment().properties.templateLink.uri, 'x%ff.json')]"}`)
    ],
    ['uriComponent() of a lone surrogate', vault('kv', `{"x": "[uriComponent('\\ud800')]"}`)],
    ['dataUriToString() of %ff', vault('kv', `{"x": "[dataUriToString('data:,%ff')]"}`)],
    ['format() aligned to -2,147,483,648 characters', vault('kv', `{"x": "[format('{0,-2147483648}', 1)]"}`)],
    ['format() aligned to 2,147,483,647 characters', vault('kv', `{"x": "[format('{0,2147483647}', 1)]"}`)]
  ])('%s: no internal error, the other templates are evaluated', async (_, resource) => {
    writeFileSync(path.join(repo, 'infra', 'main.json'), template(resource));
    writeFileSync(path.join(repo, 'infra', 'other.json'), template(vault('other')));
    const { out, err } = await run('json');
    expect(err).not.toMatch(/internal error/);
    const document = JSON.parse(out) as { findings: { resource: { name: string }; verdict: string }[] };
    expect(document.findings.map(f => [f.resource.name, f.verdict])).toContainEqual(['other', 'noncompliant']);
  });
});

describe('what the functions give', () => {
  it.each([
    ["[dataUriToString('data:,a%20b%ff')]", 'a b%ff'],
    ["[format('{0,5}|{1,-3}|', 1, 'x')]", '    1|x  |'],
    ["[format('{0,999999}', 1)]", ' '.repeat(999_998) + '1']
  ])('%s', async (expression, expected) => {
    writeFileSync(path.join(repo, 'infra', 'main.json'), template(vault('kv', `{"x": "${expression}"}`)));
    const out: string[] = [];
    const code = await runCli(['expand', 'infra/main.json'], {
      cwd: repo,
      env: {},
      stdout: t => void out.push(t),
      stderr: () => undefined
    });
    expect(code).toBe(0);
    expect(out.join('')).toContain(JSON.stringify(expected));
  });

  it('an alignment of a million is the expression’s error, at its line', async () => {
    writeFileSync(path.join(repo, 'infra', 'main.json'), template(vault('kv', `{"x": "[format('{0,1000000}', 1)]"}`)));
    const { out } = await run('json');
    const document = JSON.parse(out) as { errors: { line: number; message: string }[] };
    expect(document.errors).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringMatching(/the alignment 1000000 is not below 1000000/) })
    ]);
  });
});
