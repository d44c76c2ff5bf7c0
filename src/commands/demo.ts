import path from 'node:path';
import { bundledExamples, bundledPolicies, displayPath } from '../paths.js';
import { renderText } from '../report/text.js';
import { evaluateRepository } from '../run.js';
import type { Command } from './command.js';

/**
 * What `npm start` runs: the bundled pack against the bundled examples, as a reviewer
 * would read it. Findings are the point of the demo, so it exits 0 when it ran.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'evaluate the bundled policy pack against the bundled example templates',
  usage: [
    'Usage: cmk-guard demo',
    '',
    'Runs the bundled pack against the bundled examples/ (with examples/*/base/ as the state before the',
    'change, for the rules that compare before and after) and prints the report. Exits 0 when it ran:',
    'the findings are the point of the demo.',
    '',
    'Example:',
    '  cmk-guard demo'
  ].join('\n'),
  options: {},
  positionals: { min: 0, max: 0 },
  async run(_options, _positionals, io) {
    const examples = bundledExamples();
    const root = path.dirname(examples);
    const folder = displayPath(examples, root);
    // Each rule's folder holds a compliant and a non-compliant template; a transition rule's folder also
    // holds the same templates as they were before the change, under base/.
    const document = await evaluateRepository({
      cwd: root,
      policies: bundledPolicies(),
      templates: [`${folder}/*/*.json`],
      baseTemplates: [`${folder}/*/base/*.json`]
    });
    io.stdout(renderText(document));
    return 0;
  }
};
