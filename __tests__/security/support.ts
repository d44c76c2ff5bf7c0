/**
 * Shared by the tests of a pull request that edits what judges it: the CLI's `evaluate` run in a repository,
 * and a definition of the repository's own for it to loosen.
 */
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';

export interface Evaluation {
  code: number;
  document: FindingsDocument;
  stderr: string;
}

/** `cmk-guard evaluate --format json` with `flags` in `dir`, as a user runs it; throws when it gives no report. */
export async function evaluateIn(dir: string, ...flags: string[]): Promise<Evaluation> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['evaluate', '--format', 'json', ...flags], {
    cwd: dir,
    stdout: text => (stdout += text),
    stderr: text => (stderr += text),
    env: {}
  });
  if (!stdout) throw new Error(`no report (exit ${code}): ${stderr}`);
  return { code, document: JSON.parse(stdout) as FindingsDocument, stderr };
}

/** A definition file's text: deny accounts whose key source is not `keySource` (Microsoft.KeyVault: the customer's). */
export function accountsCmkDefinition(keySource: string, name = 'accounts-cmk'): string {
  return JSON.stringify({
    name,
    properties: {
      displayName: 'Accounts use customer-managed keys',
      mode: 'Indexed',
      policyRule: {
        if: {
          allOf: [
            { field: 'type', equals: 'Microsoft.CognitiveServices/accounts' },
            { field: 'Microsoft.CognitiveServices/accounts/encryption.keySource', notEquals: keySource }
          ]
        },
        then: { effect: 'deny' }
      }
    }
  });
}
