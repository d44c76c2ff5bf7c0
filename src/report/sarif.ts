import { pathToFileURL } from 'node:url';
import { isInsideWorkspace } from '../paths.js';
import type { Finding, FindingsStream, Severity, Suppression } from '../model/finding.js';
import { severityRank } from '../model/finding.js';
import { FINGERPRINT_KEY, fingerprint } from '../model/fingerprint.js';
import type { ReportContext } from './context.js';
import { repositoryPath } from './context.js';
import { acceptedToList, capitalize, dependsOn, exceptionProblem, exceptionsToReport, toReport } from './findings.js';
import { sanitizeMarkdown } from './escape.js';
import { sortEach } from './sorted.js';
import { jsonPieces, Streamed, type ReportPieces } from './stream.js';
import { encodeUriComponent } from '../model/uriText.js';

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per policy definition with its help and
 * link, `security-severity` so alerts are ranked, and a fingerprint that leaves out the
 * line so an alert survives edits elsewhere in the file.
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */

export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

/**
 * A file in the repository is a relative URI against `%SRCROOT%`, the checkout code
 * scanning resolves it in; a file outside it (named by an absolute path) is an absolute
 * `file:` URI, since a relative reference with `../` would point into the repository's parent.
 */
export type SarifArtifactLocation = { uri: string; uriBaseId: '%SRCROOT%' } | { uri: string };

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: 'high'; 'security-severity': string; enforcement?: 'azure' | 'pr-only' };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: {
    physicalLocation?: {
      artifactLocation: SarifArtifactLocation;
      region?: { startLine: number; startColumn?: number };
    };
    logicalLocations?: { name: string; fullyQualifiedName: string; kind: 'resource' }[];
  }[];
  partialFingerprints: Record<string, string>;
  /** An accepted exception (SARIF 2.1.0 §3.35): code scanning shows the alert as dismissed. */
  suppressions?: SarifSuppression[];
  /** Set on every result when the run had a baseline: `unchanged` when the baseline holds it. */
  baselineState?: 'new' | 'unchanged';
  properties: { verdict: Finding['verdict']; resourceType: string };
}

export interface SarifSuppression {
  kind: 'inSource' | 'external';
  status: 'accepted';
  justification: string;
  location?: { physicalLocation: { artifactLocation: SarifArtifactLocation; region?: { startLine: number } } };
  properties: { category: string; owner?: string; expires?: string; addedByPullRequest?: boolean };
}

export interface SarifNotification {
  level: 'error' | 'warning';
  message: { text: string };
  locations?: {
    physicalLocation: {
      artifactLocation: SarifArtifactLocation;
      region?: { startLine: number; startColumn?: number };
    };
  }[];
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] } };
    results: SarifResult[];
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: SarifNotification[];
    }[];
  }[];
}

/** GitHub ranks alerts by this score: 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
const securitySeverity: Record<Severity, string> = { error: '7.5', warning: '5.0', note: '2.0' };

export function renderSarif(document: FindingsStream, context: Pick<ReportContext, 'workspace'>): SarifLog {
  const { log, results } = sarifParts(document, context);
  log.runs[0].results = [...results];
  return log;
}

/** The SARIF log as text, two-space indented, a result at a time: the same text as `JSON.stringify(renderSarif(…), null, 2)`. */
export function* sarifReport(document: FindingsStream, context: Pick<ReportContext, 'workspace'>): ReportPieces {
  const { log, results } = sarifParts(document, context);
  const [run] = log.runs;
  yield* jsonPieces({ ...log, runs: Streamed.array([Streamed.object({ ...run, results: Streamed.array(results) })]) });
  yield '\n';
}

/** The log with its results left empty, and the results, made one at a time as they are read. */
function sarifParts(
  document: FindingsStream,
  context: Pick<ReportContext, 'workspace'>
): { log: SarifLog; results: Iterable<SarifResult> } {
  // One reading of the findings: the rules of all of them, and those listed, sorted in bounded memory (the
  // accepted ones after the others).
  const byId = new Map<string, Finding>();
  const [reported, accepted] = sortEach(document.findings, [toReport, acceptedToList], undefined, finding =>
    ruleFinding(byId, finding)
  );
  const rules = buildRules(byId);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const withBaseline = document.baseline !== undefined;
  const results = (function* () {
    for (const sorted of [reported, accepted])
      for (const finding of sorted.findings)
        yield buildResult(finding, index.get(finding.definition)!, context, withBaseline);
  })();
  const notification = (
    level: SarifNotification['level'],
    text: string,
    at: { file: string; line: number | null; column: number | null }
  ): SarifNotification => ({
    level,
    message: { text },
    ...(at.file
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: artifactLocation(repositoryPath(at.file, context), context),
                ...(at.line ? { region: region(at.line, at.column) } : {})
              }
            }
          ]
        }
      : {})
  });
  const errors = (document.errors ?? []).map(error => notification('error', error.message, error));
  const notifications = [
    ...errors,
    ...exceptionsToReport(document).map(report => notification('warning', exceptionProblem(report) ?? '', report))
  ];
  const log: SarifLog = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: document.tool.name,
            version: document.tool.version,
            semanticVersion: document.tool.version,
            rules
          }
        },
        results: [],
        invocations: [{ executionSuccessful: errors.length === 0, toolExecutionNotifications: notifications }]
      }
    ]
  };
  return { log, results };
}

/** The finding a definition's rule is described from: its most severe. */
function ruleFinding(byId: Map<string, Finding>, finding: Finding): void {
  const seen = byId.get(finding.definition);
  if (!seen || severityRank[finding.severity] > severityRank[seen.severity]) byId.set(finding.definition, finding);
}

/** One rule per definition that applied to any resource, compliant or not, sorted by id. */
function buildRules(byId: Map<string, Finding>): SarifRule[] {
  return [...byId.keys()].sort().map(id => {
    const finding = byId.get(id)!;
    const remediation = finding.remediation?.trim();
    const help = remediation ?? finding.displayName;
    return {
      id,
      name: id,
      shortDescription: { text: finding.displayName },
      fullDescription: { text: finding.displayName },
      help: { text: help, markdown: remediation ? sanitizeMarkdown(remediation) : help },
      ...(finding.helpUri ? { helpUri: finding.helpUri } : {}),
      defaultConfiguration: { level: finding.severity },
      properties: {
        tags: ['security', 'azure-policy'],
        precision: 'high' as const,
        'security-severity': securitySeverity[finding.severity],
        ...(finding.enforcement ? { enforcement: finding.enforcement } : {})
      }
    };
  });
}

function buildResult(
  finding: Finding,
  ruleIndex: number,
  context: Pick<ReportContext, 'workspace'>,
  withBaseline: boolean
): SarifResult {
  const { resource } = finding;
  const file = resource.file === null ? null : repositoryPath(resource.file, context);
  const text =
    finding.verdict === 'indeterminate'
      ? `${finding.message}${finding.reason ? ` ${capitalize(dependsOn(finding.reason))}.` : ''}`
      : finding.message;
  const logicalLocations = [{ name: resource.name, fullyQualifiedName: resource.id, kind: 'resource' as const }];
  return {
    ruleId: finding.definition,
    ruleIndex,
    // An indeterminate finding is a question for the reviewer, not a failure: it ranks as a note.
    level: finding.verdict === 'indeterminate' ? 'note' : finding.severity,
    message: { text },
    locations: [
      file === null
        ? { logicalLocations }
        : {
            physicalLocation: {
              artifactLocation: artifactLocation(file, context),
              ...(resource.line ? { region: region(resource.line, resource.column) } : {})
            },
            logicalLocations
          }
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding, file) },
    ...(finding.suppressed ? { suppressions: [suppressionOf(finding.suppressed, context)] } : {}),
    ...(withBaseline ? { baselineState: finding.baselined ? ('unchanged' as const) : ('new' as const) } : {}),
    properties: { verdict: finding.verdict, resourceType: resource.type }
  };
}

function suppressionOf(suppression: Suppression, context: Pick<ReportContext, 'workspace'>): SarifSuppression {
  const file = repositoryPath(suppression.file, context);
  return {
    kind: suppression.kind,
    status: 'accepted',
    justification: suppression.reason,
    ...(file
      ? {
          location: {
            physicalLocation: {
              artifactLocation: artifactLocation(file, context),
              ...(suppression.line ? { region: { startLine: suppression.line } } : {})
            }
          }
        }
      : {}),
    properties: {
      category: suppression.category,
      ...(suppression.owner !== undefined ? { owner: suppression.owner } : {}),
      ...(suppression.expires !== undefined ? { expires: suppression.expires } : {}),
      ...(suppression.new ? { addedByPullRequest: true } : {})
    }
  };
}

function region(line: number, column: number | null): { startLine: number; startColumn?: number } {
  return column ? { startLine: line, startColumn: column } : { startLine: line };
}

function artifactLocation(file: string, context: Pick<ReportContext, 'workspace'>): SarifArtifactLocation {
  return isInsideWorkspace(file, context.workspace)
    ? { uri: uriOf(file), uriBaseId: '%SRCROOT%' }
    : { uri: pathToFileURL(file).href };
}

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
function uriOf(file: string): string {
  return file
    .split('/')
    .map(segment => encodeUriComponent(segment))
    .join('/');
}
