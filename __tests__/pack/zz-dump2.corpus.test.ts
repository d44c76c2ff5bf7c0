import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadTemplates, loadResourceSnapshot } from '../../src/sources/index.js';
import { loadDefinition, evaluateDefinitions } from '../../src/engine/index.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { compileRule } from '../../src/compiler/index.js';
import { engineAliasCatalog } from '../../src/commands/compile.js';
import type { Resource } from '../../src/model/resource.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(root, '../shared/corpus');
const pairs: [string, string][] = [
  ['foundry-tools-cmk', 'Cognitive Services/CustomerManagedKey_Audit.json'],
  ['key-vault-soft-delete', 'Key Vault/SoftDeleteMustBeEnabled_Audit.json'],
  ['key-vault-purge-protection', 'Key Vault/Recoverable_Audit.json'],
  ['ai-hub-cmk', 'Machine Learning/Workspace_CMKEnabled_Audit.json'],
  ['dependent-storage-cmk', 'Storage/StorageAccountCustomerManagedKeyEnabled_Audit.json']
];
it('dump', () => {
  const d = loadTemplates(['templates'], { cwd: corpus });
  const resources: Resource[] = d.templates.flatMap(t => t.resources);
  const d2 = loadTemplates(['templates/Azure_azure-quickstart-templates__quickstarts_microsoft.keyvault_key-vault-secret-create_azuredeploy.json'], { cwd: corpus, parameterOverrides: { secretsObject: { secrets: [{ secretName: 's1', secretValue: 'v1' }] } } });
  console.log(d2.errors);
  resources.push(...d2.templates.flatMap(t => t.resources));
  for (const f of readdirSync(path.join(corpus, 'evaltests/psrule')).filter(f => f.startsWith('Resources.')))
    resources.push(...loadResourceSnapshot(path.join(corpus, 'evaltests/psrule', f)));
  const { rules } = loadPolicyDirectory(path.join(root, 'policies'));
  const out: string[] = [];
  for (const [ruleName, file] of pairs) {
    const rule = rules.find(r => r.name === ruleName)!;
    const ours = loadDefinition({ file: rule.file, json: compileRule(rule, engineAliasCatalog()) });
    const full = path.join(corpus, 'builtin', file);
    const theirs = loadDefinition({ file: full, json: JSON.parse(readFileSync(full, 'utf8').replace(/^\uFEFF/, '')) });
    const fo = evaluateDefinitions([ours], resources);
    const ft = evaluateDefinitions([theirs], resources, { parameters: { [theirs.name]: { excludedKinds: [] } } });
    const key = (f: { resource: { id: string; file: string | null; line: number | null } }) => `${f.resource.id}@${f.resource.file}`;
    const tm = new Map(ft.map(f => [key(f), f]));
    const om = new Map(fo.map(f => [key(f), f]));
    for (const k of new Set([...tm.keys(), ...om.keys()])) {
      const o = om.get(k), t = tm.get(k);
      const r = (o ?? t)!.resource;
      const line = `${ruleName} | ${path.basename(r.file ?? '')} | ${r.name} | ${o?.verdict ?? '-'} | ${t?.verdict ?? '-'} | ${o?.reason ?? ''} | ${t?.reason ?? ''}`;
      out.push((o?.verdict === t?.verdict ? '  ' : '!!') + line);
    }
  }
  console.log(out.join('\n'));
});
