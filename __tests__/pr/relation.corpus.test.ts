/**
 * The relation rules give the same findings as before their lookups were indexed (they scanned
 * every candidate target per subject): on every corpus template, on the PSRule snapshots, on the
 * benchmark's generated snapshot (thousands of vaults, access policies and role assignments) and
 * on its generated repository. The golden file holds, per source, the verdict counts and a
 * SHA-256 of every finding (rule, verdict, resource, position, message, reason), as the scanning
 * code gave them; set UPDATE_RELATION_GOLDEN=1 to write it anew after a deliberate change. The rules keep
 * their texts in hash tables of their own (src/pr/texts.ts): run again with a hash that makes most texts
 * collide, tables that start at two slots and every text in an arena, they give the same findings.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateRepository } from '../../bench/scan.bench.js';
import { writeSnapshot } from '../../bench/scale.bench.js';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import { compileRelationRule, type RelationRule, type TextOptions } from '../../src/pr/relation.js';
import { compilePullRequestChecks } from '../../src/pr/rules.js';
import { fnv1a } from '../../src/pr/texts.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { loadResourceSnapshot, loadTemplates } from '../../src/sources/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');
const golden = path.join(repo, '__tests__/fixtures/pr/relation-corpus.json');

interface Summary {
  compliant: number;
  noncompliant: number;
  indeterminate: number;
  sha256: string;
}

function summarise(deployments: Resource[][], options?: TextOptions): Summary {
  const { rules } = loadPolicyDirectory(path.join(repo, 'policies'));
  const relations = options
    ? rules
        .filter(rule => rule.kind === 'relation')
        .map(rule => compileRelationRule(rule as unknown as RelationRule, options))
    : compilePullRequestChecks(rules).relations;
  expect(relations.length).toBeGreaterThan(0);
  const findings: Finding[] = [];
  for (const relation of relations) for (const deployment of deployments) findings.push(...relation(deployment));
  const hash = createHash('sha256');
  for (const f of findings) {
    const { id, file, line, column } = f.resource;
    hash.update(
      JSON.stringify([f.definition, f.verdict, id, file && path.basename(file), line, column, f.message, f.reason])
    );
    hash.update('\n');
  }
  const count = (verdict: Finding['verdict']) => findings.filter(f => f.verdict === verdict).length;
  return {
    compliant: count('compliant'),
    noncompliant: count('noncompliant'),
    indeterminate: count('indeterminate'),
    sha256: hash.digest('hex')
  };
}

describe('relation rules on the corpus and on generated deployments', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-relation-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('give the findings the scanning lookups gave', () => {
    const templates = loadTemplates(['templates'], { cwd: corpus }).templates.map(t => t.resources);
    const psrule = path.join(corpus, 'evaltests/psrule');
    const snapshots = readdirSync(psrule)
      .filter(f => /^Resources\..*\.json$/.test(f))
      .sort()
      .map(f => loadResourceSnapshot(path.join(psrule, f)));
    const snapshotFile = path.join(dir, 'snapshot.json');
    writeSnapshot(snapshotFile, 4000);
    const generated = generateRepository(path.join(dir, 'repo'), 60);
    const repository = loadTemplates(['infra/**/*.json'], { cwd: generated.root }).templates.map(t => t.resources);

    const snapshot = loadResourceSnapshot(snapshotFile);
    const all = (options?: TextOptions) => ({
      'corpus templates': summarise(templates, options),
      'PSRule snapshots': summarise(snapshots, options),
      'generated snapshot of 4,000 resources': summarise([snapshot], options),
      'generated repository of 60 templates': summarise(repository, options)
    });
    const actual = all();
    if (process.env.UPDATE_RELATION_GOLDEN) writeFileSync(golden, JSON.stringify(actual, null, 2) + '\n');
    // The generated sources exercise the rule: many subjects, every verdict.
    for (const source of ['generated snapshot of 4,000 resources', 'generated repository of 60 templates'] as const) {
      expect(actual[source].compliant).toBeGreaterThan(10);
      expect(actual[source].noncompliant).toBeGreaterThan(10);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
    // Eight hashes in all: every table probes past texts of the same hash, grows from two slots, and keeps every
    // text in its arena (by default a store keeps its first texts as strings).
    expect(all({ hash: text => fnv1a(text) & 7, capacity: 2, smallTexts: 0 })).toEqual(actual);
  });
});
