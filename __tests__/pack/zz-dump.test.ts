import path from 'node:path';
import { readdirSync, existsSync } from 'node:fs';
import { evaluateRepository } from '../../src/run.js';

import { fileURLToPath } from 'node:url';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
it('dump', async () => {
  for (const rule of readdirSync(path.join(root, 'examples'))) {
    const base = path.join(root, 'examples', rule, 'base');
    const doc = await evaluateRepository({
      cwd: root,
      policies: 'policies',
      templates: [`examples/${rule}/*.json`],
      baseTemplates: existsSync(base) ? [`examples/${rule}/base/*.json`] : undefined
    });
    console.log(rule + '\n' + doc.findings.map(f => [f.definition, f.resource.name, f.verdict, f.resource.file, f.resource.line, f.resource.column, f.reason ?? ''].join(' | ')).join('\n') + '\nerrors ' + JSON.stringify(doc.errors) + ' skipped ' + JSON.stringify(doc.skipped));
  }
});
