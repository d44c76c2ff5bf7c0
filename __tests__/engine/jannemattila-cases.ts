/** Runs the peer evaluator's (policy, resource, expected effect) triples from a folder laid out like the corpus. */
import fs from 'node:fs';
import path from 'node:path';
import { loadDefinition } from '../../src/engine/index.js';
import { armResource } from '../support/arm-resource.js';

export interface PeerCase {
  policy: string;
  resource: string;
  expectedEffect: string;
  /** Set where the expectation was revised against the documentation: the peer's own answer, and why. */
  peerExpectedEffect?: string;
  revised?: string;
}

/**
 * Cases whose peer expectation the documentation overrules, by resource file: the fixture copy records
 * the revision itself; the corpus copy (unchanged upstream data) is revised here. The reason is in the
 * fixture's cases.json (`revised`).
 */
const revisedExpectations: Record<string, string> = {
  'kv-iprules-with-allow-none.json': 'Audit',
  'kv-iprules-with-deny-none.json': 'Audit'
};

export function readCases(root: string): PeerCase[] {
  const cases = (JSON.parse(fs.readFileSync(path.join(root, 'cases.json'), 'utf8')) as { cases: PeerCase[] }).cases;
  return cases.map(c => {
    const revised = revisedExpectations[path.basename(c.resource)];
    return revised && !c.revised ? { ...c, peerExpectedEffect: c.expectedEffect, expectedEffect: revised } : c;
  });
}

/** The effect the engine gives: `None` when not applicable, else the effect of a non-compliant verdict. */
export function runCase(root: string, c: PeerCase): { effect: string; verdict: string } {
  const file = (p: string) => path.join(root, p.replace(/^jannemattila\//, ''));
  const policy = JSON.parse(fs.readFileSync(file(c.policy), 'utf8').replace(/^\uFEFF/, ''));
  const resourceJson = JSON.parse(fs.readFileSync(file(c.resource), 'utf8').replace(/^\uFEFF/, ''));
  const def = loadDefinition({ file: c.policy, json: policy });
  const evaluation = def.evaluate(armResource(resourceJson, c.resource));
  if (!evaluation.applicable) return { effect: 'None', verdict: 'compliant' };
  return { effect: evaluation.verdict === 'noncompliant' ? evaluation.effect : 'None', verdict: evaluation.verdict };
}
