/**
 * The last step of a run: the findings document over a `FindingStore`. Overrides, relative paths, rule
 * fields, exceptions, the baseline and the filters are applied a finding at a time as the store is read:
 * once to count the findings for the summary (and to say how each exception and the baseline fared), then
 * again, from fresh state, by each reading a report makes. Where nothing of that can change a verdict, a
 * severity or whether a finding is listed (no overrides, exceptions, baseline or filter), the store's own
 * count is the summary's and the exit code's, and the reports' reading is the only one.
 *
 * The rule fields and relative paths depend on nothing but the finding: a store made by `documentStore` gives
 * them as findings are added, so what it writes out is the findings document's own text, and where nothing
 * else changes the findings, the JSON report copies that text (`jsonTexts`).
 */
import type { OverridePlan } from '../config/overrides.js';
import { exceptionApplier } from '../exceptions/apply.js';
import { baselineApplier, type Baseline } from '../exceptions/baseline.js';
import type { Exception } from '../exceptions/model.js';
import { baselineChange, type BaseText } from '../exceptions/pullRequest.js';
import {
  FindingTally,
  type Finding,
  type FindingsDocument,
  type FindingsStream,
  type FindingsSummary,
  type TalliedFindings
} from '../model/finding.js';
import { displayPath } from '../paths.js';
import type { WrittenFindings } from '../report/json.js';
import { FindingStore } from '../report/store.js';
import type { Rule } from '../rules/index.js';
import { atOrAboveMinimum, type RuleSelection } from '../rules/selection.js';
import { closest } from '../rules/suggest.js';
import { VERSION } from '../version.js';

/** A findings document whose findings are read back as they are reported (from disk past a bound). */
export interface StreamedFindingsDocument extends FindingsStream {
  findings: TalliedFindings & {
    /** Removes what the findings were kept in; read them before. */
    dispose(): void;
  };
}

export interface DocumentParts {
  /** The workspace: file names are reported relative to it. */
  cwd: string;
  overrides: OverridePlan;
  /** Rules by name: their remediation, first reference and enforcement go on their findings. */
  rules: Map<string, Rule>;
  exceptions: Exception[];
  baseline?: Baseline;
  /** The base commit's text of the configuration and baseline files, to say what this change adds. */
  baseText?: BaseText;
  /** The run's clock, for exceptions' expiry dates. */
  now: Date;
  /** When set, only findings in these files are reported. */
  changedFiles?: string[] | null;
  /** Findings below its minimum severity are left out. */
  selection?: RuleSelection;
  /** Every rule and definition name the run knows (loaded or left out), to name a stale exception's misspelling. */
  knownRules: string[];
  resources: number;
  definitions: number;
  errors: NonNullable<FindingsDocument['errors']>;
  skipped: NonNullable<FindingsDocument['skipped']>;
  /** Notes on the inputs checked; with `changedFiles`, only those on a changed file are reported. */
  notes?: NonNullable<FindingsDocument['notes']>;
  notRun: NonNullable<FindingsDocument['notRun']>;
}

/**
 * A finding as the reports give it: its file relative to the workspace `cwd`, and its rule's remediation,
 * first reference and enforcement.
 */
export function reportedFields(rules: Map<string, Rule>, cwd: string): (finding: Finding) => Finding {
  // A run's findings lie in a few files: each is made relative once, not once a finding and a reading.
  const shown = new Map<string, string>();
  const shownPath = (file: string) => {
    let relative = shown.get(file);
    if (relative === undefined) shown.set(file, (relative = displayPath(file, cwd)));
    return relative;
  };
  return finding => {
    const rule = rules.get(finding.definition);
    const file = finding.resource.file;
    const resource = file === null ? finding.resource : { ...finding.resource, file: shownPath(file) };
    if (rule)
      return {
        ...finding,
        resource,
        remediation: rule.remediation,
        helpUri: rule.references[0],
        enforcement: rule.kind === 'policy' ? 'azure' : 'pr-only'
      };
    return file === null ? finding : { ...finding, resource };
  };
}

/**
 * A store for `streamedDocument` that gives findings their `reportedFields` as they are added. `rules` and
 * `cwd` must be the document's.
 */
export function documentStore(rules: Map<string, Rule>, cwd: string, held?: number): FindingStore {
  return new FindingStore(held, reportedFields(rules, cwd));
}

/**
 * The findings document over `store`; call `findings.dispose()` when done. A store made by `documentStore` holds
 * findings with their `reportedFields` already (they do not change with overrides, exceptions or the baseline:
 * those set the effect and severity a finding always has, or add marks after).
 */
export function streamedDocument(store: FindingStore, parts: DocumentParts): StreamedFindingsDocument {
  const { cwd, overrides, rules, exceptions, baseline, baseText, now, selection } = parts;
  const changed = parts.changedFiles ? new Set(parts.changedFiles) : null;
  const withFields = store.prepared ? (finding: Finding) => finding : reportedFields(rules, cwd);
  /** What the reports show, a finding at a time: each reading of the findings starts the exceptions and the baseline afresh. */
  const reported = () => {
    const accepting = exceptionApplier(exceptions, now);
    const baselining = baseline ? baselineApplier(baseline) : undefined;
    const findings = (function* () {
      for (const raw of store) {
        for (let finding of overrides.apply([raw])) {
          finding = accepting.mark(withFields(finding));
          if (baselining) finding = baselining.mark(finding);
          if (changed && finding.resource.file !== null && !changed.has(finding.resource.file)) continue;
          if (!atOrAboveMinimum(finding.severity, selection)) continue;
          yield finding;
        }
      }
    })();
    return { findings, accepting, baselining };
  };
  // The first reading counts, and says how each exception and the baseline fared: not needed where what
  // the store holds is what is reported, verdicts, severities and all.
  const counted =
    overrides.changesFindings || exceptions.length || baseline || changed || selection?.minSeverity
      ? undefined
      : store.tally();
  const first = counted ? undefined : reported();
  const tally = counted ?? tallyOf(first!.findings);
  const counts = countTally(tally);
  const exceptionReport = exceptions.length ? first!.accepting.report() : [];
  // A stale exception often only misspells its rule: say which names nothing loaded has.
  const known = parts.knownRules;
  for (const report of exceptionReport) {
    if (report.status !== 'stale') continue;
    const unknown = report.rules.filter(name => !known.includes(name));
    if (unknown.length) report.unknownRules = unknown.map(name => ({ name, suggestion: closest(name, known) }));
  }
  const findings: StreamedFindingsDocument['findings'] & Partial<WrittenFindings> = {
    [Symbol.iterator]: () => reported().findings[Symbol.iterator](),
    tally: () => tally,
    dispose: () => store.dispose()
  };
  // What the store wrote out is what the report writes where nothing changes the findings after it.
  if (counted && store.prepared) findings.jsonTexts = () => store.jsonTexts();
  const document: StreamedFindingsDocument = {
    tool: { name: 'cmk-guard', version: VERSION },
    summary: { resources: parts.resources, definitions: parts.definitions, ...counts },
    findings,
    errors: parts.errors,
    skipped: parts.skipped,
    notRun: parts.notRun
  };
  const notes = (parts.notes ?? []).filter(entry => !changed || changed.has(entry.file));
  if (notes.length) document.notes = notes;
  const unmatchedExpressions = first?.baselining?.unmatchedExpressionNamed() ?? 0;
  if (baseline && unmatchedExpressions > 0) {
    // The one change of finding ids the placeholder deployment cannot undo (src/sources/stableNames.ts).
    document.skipped = [
      ...parts.skipped,
      {
        file: baseline.file,
        reason: `${unmatchedExpressions === 1 ? '1 entry names its resource' : `${unmatchedExpressions} entries name their resource`} by the expression of its name, written while the name could not be computed, and ${unmatchedExpressions === 1 ? 'matches' : 'match'} no finding now: where the name is computed now (a location given with \`resource-group-location\` or \`deployment-location\`), the resource's findings count as new. Write the baseline again with \`cmk-guard baseline\` to accept them.`
      }
    ];
  }
  const noncompliantNow = first?.baselining?.noncompliantNow() ?? 0;
  if (baseline && noncompliantNow > 0) {
    document.skipped = [
      ...(document.skipped ?? []),
      {
        file: baseline.file,
        reason: `${noncompliantNow === 1 ? '1 finding is' : `${noncompliantNow} findings are`} noncompliant now where the baseline accepted ${noncompliantNow === 1 ? 'it' : 'them'} indeterminate (a value unknown when it was written is given now, by the change or by \`resource-group-location\`): an entry accepts an unknown verdict, not the noncompliant one it became, so ${noncompliantNow === 1 ? 'it counts' : 'they count'} as new. Write the baseline again with \`cmk-guard baseline\` to accept ${noncompliantNow === 1 ? 'it' : 'them'}.`
      }
    ];
  }
  if (exceptionReport.length) document.exceptions = exceptionReport;
  if (baseline) {
    document.baseline = {
      file: baseline.file,
      entries: baseline.entries,
      matched: first!.baselining!.matched(),
      ...(baseText ? baselineChange(baseline, baseText) : {})
    };
  }
  return document;
}

function tallyOf(findings: Iterable<Finding>): FindingTally {
  const tally = new FindingTally();
  for (const finding of findings) tally.add(finding);
  return tally;
}

/** `countVerdicts` of the findings a tally counted. */
export function countTally(tally: FindingTally): Omit<FindingsSummary, 'resources' | 'definitions'> {
  const counts = { compliant: 0, noncompliant: 0, indeterminate: 0, suppressed: 0, baselined: 0 };
  for (const { kind, count } of tally) {
    if (kind.verdict !== 'compliant' && kind.suppressed) counts.suppressed += count;
    else if (kind.verdict !== 'compliant' && kind.baselined) counts.baselined += count;
    else counts[kind.verdict] += count;
  }
  return counts;
}

/** The summary's counts: accepted findings as suppressed or baselined, the others by verdict. */
export function countVerdicts(findings: Iterable<Finding>): Omit<FindingsSummary, 'resources' | 'definitions'> {
  const counts = { compliant: 0, noncompliant: 0, indeterminate: 0, suppressed: 0, baselined: 0 };
  for (const finding of findings) {
    if (finding.verdict !== 'compliant' && finding.suppressed) counts.suppressed++;
    else if (finding.verdict !== 'compliant' && finding.baselined) counts.baselined++;
    else counts[finding.verdict]++;
  }
  return counts;
}
