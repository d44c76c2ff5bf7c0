/**
 * The last step on its own: the document over a store of findings counts what the reports list (after the
 * minimum severity and the changed files), applies exceptions on every reading from fresh state (each
 * reading gives the same findings), and empties the store when disposed.
 */
import { planOverrides } from '../../src/config/overrides.js';
import type { Exception } from '../../src/exceptions/model.js';
import { exitCodeFor, type Finding } from '../../src/model/finding.js';
import { countVerdicts, documentStore, streamedDocument, type DocumentParts } from '../../src/pipeline/document.js';
import { reportFormats, renderReport } from '../../src/report/formats.js';
import { FINDING_DEPTH, renderJson } from '../../src/report/json.js';
import { renderSarif } from '../../src/report/sarif.js';
import { FindingStore } from '../../src/report/store.js';
import { indentedJson } from '../../src/report/stream.js';
import type { Rule } from '../../src/rules/index.js';
import { longestDecoded } from '../support/decoded.js';

function finding(n: number): Finding {
  return {
    definition: `rule-${n % 3}`,
    displayName: `Rule ${n % 3}`,
    effect: 'Audit',
    severity: n % 3 === 0 ? 'error' : 'warning',
    verdict: n % 2 === 0 ? 'compliant' : 'noncompliant',
    resource: {
      id: `/r/${n}`,
      type: 'Microsoft.Test/things',
      name: `thing-${n}`,
      file: `/work/infra/file${n % 4}.json`,
      line: n,
      column: 1
    },
    message: `finding ${n}`,
    reason: null
  };
}

function parts(overrides: Partial<DocumentParts> = {}): DocumentParts {
  return {
    cwd: '/work',
    overrides: planOverrides([], new Map(), [], new Set()),
    rules: new Map(),
    exceptions: [],
    now: new Date('2026-12-06T00:00:00Z'),
    knownRules: ['rule-0', 'rule-1', 'rule-2'],
    resources: 60,
    definitions: 3,
    errors: [],
    skipped: [],
    notRun: [],
    ...overrides
  };
}

describe('streamedDocument', () => {
  it('counts and lists the findings left after the filters, the same on every reading', () => {
    const store = new FindingStore(7);
    for (let n = 0; n < 60; n++) store.add(n % 3, finding(n));
    const document = streamedDocument(
      store,
      parts({ changedFiles: ['infra/file1.json', 'infra/file2.json'], selection: { minSeverity: 'error' } })
    );
    const first = [...document.findings];
    // Kept: severity error (n % 3 = 0) in file1 or file2 (n % 4 = 1 or 2), with paths relative to the workspace.
    expect(first.map(f => [f.resource.name, f.resource.file])).toEqual(
      [6, 9, 18, 21, 30, 33, 42, 45, 54, 57].map(n => [`thing-${n}`, `infra/file${n % 4}.json`])
    );
    expect(document.summary).toEqual({
      resources: 60,
      definitions: 3,
      compliant: first.filter(f => f.verdict === 'compliant').length,
      noncompliant: first.filter(f => f.verdict === 'noncompliant').length,
      indeterminate: 0,
      suppressed: 0,
      baselined: 0
    });
    expect([...document.findings]).toEqual(first);
    document.findings.dispose();
    expect([...document.findings]).toEqual([]);
  });

  it('marks what an exception accepts on every reading, and reports a misspelt rule with a suggestion', () => {
    const store = new FindingStore();
    for (let n = 0; n < 12; n++) store.add(0, finding(n));
    const exception = (rules: string[], line: number): Exception => ({
      kind: 'external',
      rules,
      resources: [{ id: '/r/3' }],
      declared: [],
      reason: 'accepted for the test',
      category: 'waiver',
      source: { file: 'cmk-guard.yaml', line, column: 1 },
      entryText: `{"line":${line}}`
    });
    const document = streamedDocument(
      store,
      parts({ exceptions: [exception(['rule-0'], 1), exception(['rule-O'], 2)] })
    );
    const suppressed = () => [...document.findings].filter(f => f.suppressed).map(f => f.resource.id);
    expect(suppressed()).toEqual(['/r/3']);
    expect(suppressed()).toEqual(['/r/3']);
    expect(document.summary.suppressed).toBe(1);
    const stale = document.exceptions!.find(e => e.status === 'stale')!;
    expect(stale.unknownRules).toEqual([{ name: 'rule-O', suggestion: 'rule-0' }]);
    document.findings.dispose();
  });
});

/** What can change the findings after the store: an exception, a minimum severity, changed files, a severity override. */
function changingVariants(): Partial<DocumentParts>[] {
  const exception: Exception = {
    kind: 'external',
    rules: ['rule-1'],
    resources: [{ id: '/r/1' }],
    declared: [],
    reason: 'accepted for the test',
    category: 'waiver',
    source: { file: 'cmk-guard.yaml', line: 1, column: 1 },
    entryText: '{"line":1}'
  };
  return [
    { exceptions: [exception] },
    { selection: { minSeverity: 'error' } },
    { changedFiles: ['infra/file1.json'] },
    {
      overrides: planOverrides(
        [{ name: 'rule-0', severity: 'note', at: { file: 'cmk-guard.yaml', line: 1, column: 1 } }],
        new Map([['rule-0', {} as never]]),
        []
      )
    }
  ];
}

describe('streamedDocument counts without reading the store', () => {
  /** A store that counts how often its findings are read. */
  class CountingStore extends FindingStore {
    readings = 0;
    override *[Symbol.iterator](): Generator<Finding> {
      this.readings++;
      const findings = super[Symbol.iterator]();
      for (let next = findings.next(); !next.done; next = findings.next()) yield next.value;
    }
  }
  const policies = [
    { failOn: 'error' as const },
    { failOn: 'warning' as const, failOnIndeterminate: true },
    { failOn: 'note' as const },
    { failOn: 'never' as const }
  ];

  it('where nothing changes what the store holds: the same summary and exit codes as reading it, and one reading for the report', () => {
    const store = new CountingStore(7);
    for (let n = 0; n < 40; n++)
      store.add(n % 3, { ...finding(n), ...(n % 5 === 0 ? { verdict: 'indeterminate' } : {}) });
    const document = streamedDocument(store, parts());
    expect(store.readings).toBe(0);
    const report = renderJson(document);
    expect(store.readings).toBe(1);
    const listed = [...document.findings];
    expect(document.summary).toEqual({ resources: 60, definitions: 3, ...countVerdicts(listed) });
    for (const policy of policies)
      expect(exitCodeFor(document, policy)).toBe(exitCodeFor({ ...document, findings: listed }, policy));
    expect(JSON.parse(report)).toEqual({ ...JSON.parse(renderJson({ ...document, findings: listed })) });
    document.findings.dispose();
  });

  it('where an exception, a filter or an override can: counted by a reading, and the exit code from that count', () => {
    for (const variant of changingVariants()) {
      const store = new CountingStore(7);
      for (let n = 0; n < 40; n++) store.add(n % 3, finding(n));
      const document = streamedDocument(store, parts(variant));
      expect(store.readings).toBe(1);
      const listed = [...document.findings];
      expect(document.summary).toEqual({ resources: 60, definitions: 3, ...countVerdicts(listed) });
      for (const policy of policies)
        expect(exitCodeFor(document, policy)).toBe(exitCodeFor({ ...document, findings: listed }, policy));
      document.findings.dispose();
    }
  });
});

describe('a store that gives findings their reported fields as they are added', () => {
  const rules = new Map<string, Rule>([
    ['rule-0', { kind: 'policy', remediation: 'Set `x` to "y".\n', references: ['https://example.com/0'] } as Rule],
    ['rule-1', { kind: 'relation', remediation: 'Grant the key.', references: [] } as unknown as Rule]
  ]);
  const variants: Partial<DocumentParts>[] = [{}, ...changingVariants()];

  it('gives the same findings and the same reports as one that gives them as they are read', () => {
    for (const variant of variants) {
      const prepared = documentStore(rules, '/work', 7);
      const plain = new FindingStore(7);
      for (let n = 0; n < 40; n++) {
        prepared.add(n % 3, finding(n));
        plain.add(n % 3, finding(n));
      }
      expect(prepared.writtenOut).toBe(true);
      const document = streamedDocument(prepared, parts({ rules, ...variant }));
      const expected = streamedDocument(plain, parts({ rules, ...variant }));
      // Where nothing changes the findings after the store, the JSON report copies the store's text.
      expect('jsonTexts' in document.findings).toBe(Object.keys(variant).length === 0);
      expect('jsonTexts' in expected.findings).toBe(false);
      expect([...document.findings]).toEqual([...expected.findings]);
      expect(document.summary).toEqual(expected.summary);
      const report = renderJson(document);
      expect(report).toBe(renderJson(expected));
      expect(report).toBe(renderJson({ ...expected, findings: [...expected.findings] }));
      expect(renderSarif(document, { workspace: '/work' })).toEqual(renderSarif(expected, { workspace: '/work' }));
      document.findings.dispose();
      expected.findings.dispose();
    }
  });
});

describe('every format over a store whose findings are written out', () => {
  it('reads them back a finding at a time and writes the report in pieces of about one finding, with exceptions, filters and overrides too', () => {
    const rules = new Map<string, Rule>([
      ['rule-0', { kind: 'policy', remediation: 'Set `x` to "y".\n', references: ['https://example.com/0'] } as Rule]
    ]);
    for (const variant of [{}, ...changingVariants()]) {
      const store = documentStore(rules, '/work', 500);
      for (let n = 0; n < 3_000; n++)
        store.add(n % 3, { ...finding(n), message: `finding ${n}: ${'x'.repeat(n % 300)}` });
      expect(store.writtenOut).toBe(true);
      const document = streamedDocument(store, parts({ rules, ...variant }));
      // As the store wrote them (before an override or an exception changes them).
      const longestFinding = Math.max(...[...store].map(f => indentedJson(f, FINDING_DEPTH).length));
      for (const format of reportFormats) {
        const { result: pieces, longest } = longestDecoded(() => [
          ...renderReport(document, format, { cwd: '/work', failOnIndeterminate: true })
        ]);
        // What is read back from the file is decoded a finding at a time, not a block of 500 at once.
        if (format === 'json' && 'jsonTexts' in document.findings) expect(longest).toBe(0);
        else expect(longest).toBeGreaterThan(0);
        expect(longest).toBeLessThanOrEqual(longestFinding);
        // The report comes in many pieces, none more than a window of the file (bytes copied) or a finding's text.
        const sizes = pieces.map(piece => piece.length);
        const total = sizes.reduce((sum, size) => sum + size, 0);
        const largest = Math.max(...sizes);
        expect(largest).toBeLessThanOrEqual(64 * 1024);
        expect(total).toBeGreaterThan(20 * largest);
        for (const piece of pieces)
          if (typeof piece === 'string') expect(piece.length).toBeLessThanOrEqual(4 * longestFinding);
      }
      document.findings.dispose();
    }
  });
});
