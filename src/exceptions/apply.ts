/**
 * Applying exceptions to a run's findings. A noncompliant or indeterminate finding an exception
 * covers is marked `suppressed` (never dropped); an exception past its last day applies no more and
 * says so; one that covers no such finding is stale. Every exception comes back with how it fared.
 */
import type { ExceptionReport, Finding } from '../model/finding.js';
import { covers, isExpired, suppressionOf, type Exception } from './model.js';

export interface AppliedExceptions {
  findings: Finding[];
  report: ExceptionReport[];
}

/**
 * Inline exceptions are tried first (they sit on the resource), then the configuration file's in
 * order; the first that applies accepts the finding. `now` is the run's clock, fixed in tests.
 */
export function applyExceptions(findings: Finding[], exceptions: Exception[], now: Date): AppliedExceptions {
  if (exceptions.length === 0) return { findings, report: [] };
  const applier = exceptionApplier(exceptions, now);
  const marked = findings.map(finding => applier.mark(finding));
  return { findings: marked, report: applier.report() };
}

/**
 * `applyExceptions` a finding at a time, for findings that are never all in memory: `mark` each
 * finding in the run's order, then `report` says how every exception fared.
 */
export function exceptionApplier(
  exceptions: Exception[],
  now: Date
): { mark(finding: Finding): Finding; report(): ExceptionReport[] } {
  const ordered = [...exceptions.filter(e => e.kind === 'inSource'), ...exceptions.filter(e => e.kind !== 'inSource')];
  const expired = new Set(ordered.filter(e => isExpired(e, now)));
  const counts = new Map<Exception, number>(ordered.map(e => [e, 0]));
  return {
    mark(finding) {
      if (finding.verdict === 'compliant') return finding;
      let accepting: Exception | undefined;
      for (const exception of ordered) {
        if (!covers(exception, finding.definition, finding.resource)) continue;
        counts.set(exception, (counts.get(exception) ?? 0) + 1);
        if (!accepting && !expired.has(exception)) accepting = exception;
      }
      return accepting ? { ...finding, suppressed: suppressionOf(accepting) } : finding;
    },
    report() {
      return ordered.map((exception): ExceptionReport => {
        const count = counts.get(exception) ?? 0;
        return {
          ...suppressionOf(exception),
          rules: exception.rules,
          column: exception.source.column,
          status: expired.has(exception) ? 'expired' : count === 0 ? 'stale' : 'applied',
          findings: count
        };
      });
    }
  };
}
