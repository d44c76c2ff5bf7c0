import * as path from 'node:path';
import { expandTemplateFile } from '../../src/sources/index.js';
import { renderExpanded } from '../../src/commands/expand.js';
const dir = '/work/shared/corpus/templates';
test('print', () => {
  for (const f of ['Azure_azure-quickstart-templates__quickstarts_microsoft.storage_storage-blob-encryption-with-cmk_azuredeploy.json', 'Azure_azure-quickstart-templates__quickstarts_microsoft.keyvault_keyvault-add-access-policy_azuredeploy.json','Azure_azure-quickstart-templates__quickstarts_microsoft.search_azure-search-create_azuredeploy.json']) {
    const e = expandTemplateFile(path.join(dir, f));
    console.log(JSON.stringify(renderExpanded(e, dir, true), null, 1).slice(0, 6000));
  }
  const e = expandTemplateFile(path.join(dir, 'Azure_data-product-analytics__infra_main.json'));
  console.log(e.notes.join('\n'));
  for (const r of e.resources) console.log(r.type, r.name, r.source?.line, r.conditionUnknown ?? '', r.existing ?? '');
  const c = expandTemplateFile(path.join(dir, 'Azure_bicep-registry-modules__avm_res_cognitive-services_account_main.json'));
  console.log(c.notes.join('\n'));
  for (const r of c.resources) console.log(r.type, r.name, r.id, r.source?.line, r.conditionUnknown ?? '', r.existing ?? '');
  console.log(JSON.stringify(renderExpanded({...c, resources: c.resources.filter(r => r.type === 'Microsoft.CognitiveServices/accounts')}, dir, false), null, 1).slice(0, 5000));
});
