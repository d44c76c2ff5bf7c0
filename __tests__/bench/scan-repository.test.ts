/**
 * The repository scan_vs_parse generates is one ARM would deploy: no template declares one resource twice, which
 * ARM refuses before deploying anything ("The resource '…' is defined multiple times in a template"), whatever the
 * resource (a Key Vault's `accessPolicies/add` too: its name is the operation, so a template has one). A nested
 * deployment's template is a template of its own.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateRepository } from '../../bench/scan.bench.js';
import { expandTemplateFile } from '../../src/sources/templates.js';

type J = null | boolean | number | string | J[] | { [key: string]: J };
type Node = { [key: string]: J };

/**
 * The resources each template of `resources` declares more than once, by type and name as written (a child's with
 * its parent's in front); a nested deployment's template is checked as the template it is.
 */
function declaredTwice(resources: J, where: string, out: string[], parent = ''): void {
  if (!Array.isArray(resources)) return;
  const seen = new Set<string>();
  const visit = (list: J[], prefix: string) => {
    for (const node of list as Node[]) {
      const name = `${prefix}${String(node.name)}`;
      const key = `${String(node.type).toLowerCase()} ${name}`;
      if (seen.has(key)) out.push(`${where}: ${key}`);
      seen.add(key);
      if (Array.isArray(node.resources)) visit(node.resources, `${name}/`);
      const template = (node.properties as { template?: { resources?: J } } | undefined)?.template;
      if (String(node.type).toLowerCase() === 'microsoft.resources/deployments' && template)
        declaredTwice(template.resources ?? null, `${where} > ${name}`, out);
    }
  };
  visit(resources, parent);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-scan-repository-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('declares each resource of a template once, as ARM requires, and still grants the accounts their keys', () => {
  const { files, templates } = generateRepository(dir, 200);
  expect(templates).toBe(200);
  const twice: string[] = [];
  let grants = 0;
  for (const file of files.filter(f => !f.endsWith('.parameters.json'))) {
    declaredTwice((JSON.parse(readFileSync(file, 'utf8')) as { resources: J }).resources, path.basename(file), twice);
    const expanded = expandTemplateFile(file);
    expect(expanded.errors).toEqual([]);
    grants += expanded.resources.filter(
      r => r.type.toLowerCase() === 'microsoft.keyvault/vaults/accesspolicies'
    ).length;
  }
  expect(twice).toEqual([]);
  // Most templates grant a customer-managed key's account access to the vault.
  expect(grants).toBeGreaterThan(100);
}, 120_000);
