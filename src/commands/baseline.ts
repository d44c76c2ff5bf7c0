/** `cmk-guard baseline`: writes the findings a team accepts while it adopts the gate. */
import { UserError } from '../model/errors.js';
import type { Finding } from '../model/finding.js';
import { bundledPolicies } from '../paths.js';
import { jsonReport } from '../report/json.js';
import { buildDocument } from '../run.js';
import type { Command } from './command.js';
import { EXIT_USAGE } from './command.js';
import {
  evaluateOptions,
  evaluateSettings,
  evaluateWithProgress,
  runInWorkerWhenLarge,
  printInputErrors,
  writeReport
} from './evaluate.js';

const {
  format: _format,
  output: _output,
  'fail-on': _failOn,
  'fail-on-indeterminate': _failOnIndeterminate,
  baseline: _baseline,
  ...shared
} = evaluateOptions;

export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'write the findings of this run as a baseline: later runs fail only on findings not in it',
  usage: [
    'Usage: cmk-guard baseline [--out FILE] [evaluate options]',
    '',
    'Evaluates as `cmk-guard evaluate` does (the same options and cmk-guard.yaml) and writes the noncompliant',
    'and indeterminate findings no exception accepts as a findings document. Runs given it (--baseline FILE,',
    'the action input `baseline`, or `baseline:` in cmk-guard.yaml) fail only on findings not in it; the ones',
    'in it are still listed, marked as baselined. Findings are matched by the fingerprint SARIF carries (rule,',
    'resource type and name, file), so edits elsewhere in a template and moved lines keep them baselined.',
    'Nothing is written when an input cannot be read: a baseline must hold every finding.',
    '',
    'Example:',
    '  cmk-guard baseline --templates "infra/**/*.json" --out .cmk-guard/baseline.json'
  ].join('\n'),
  options: {
    out: {
      type: 'string',
      short: 'o',
      placeholder: 'FILE',
      description: 'where to write it (default: `baseline:` in cmk-guard.yaml)'
    },
    ...shared
  },
  positionals: { min: 0, max: 0 },
  async run(options, positionals, io) {
    // The baseline is written afresh: the old one (if the file names one) does not apply to itself.
    const { baseline: configured, ...request } = evaluateSettings(options, io, bundledPolicies()).request;
    const out = typeof options.out === 'string' ? options.out : configured;
    if (out === undefined)
      throw new UserError('say where to write the baseline: --out FILE (or `baseline:` in cmk-guard.yaml).');
    const handedOver = runInWorkerWhenLarge('baseline', options, positionals, request, io);
    if (handedOver) return handedOver;
    const document = await evaluateWithProgress(request, io);
    const findings: Finding[] = [];
    try {
      if (document.errors?.length) {
        printInputErrors(document, io);
        io.stderr(`cmk-guard: the baseline was not written: an input could not be read, so it would miss findings.\n`);
        return EXIT_USAGE;
      }
      for (const { baselined: _baselined, ...finding } of document.findings)
        if (finding.verdict !== 'compliant' && finding.suppressed === undefined) findings.push(finding);
    } finally {
      document.findings.dispose();
    }
    const baseline = buildDocument(
      findings,
      document.summary.resources,
      document.summary.definitions,
      [],
      document.skipped
    );
    writeReport(io.cwd, out, jsonReport(baseline), '--out');
    io.stdout(
      `Wrote ${findings.length} ${findings.length === 1 ? 'finding' : 'findings'} to ${out}: runs given it (--baseline ${out}, or baseline: in cmk-guard.yaml) fail only on findings not in it.\n`
    );
    return 0;
  }
};
