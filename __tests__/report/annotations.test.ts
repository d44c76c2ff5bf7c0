import { buildAnnotations, planAnnotations, renderAnnotationCommand } from '../../src/report/annotations.js';
import { context, documentOf, finding, hostileDocument } from './fixture.js';

describe('annotations as workflow commands', () => {
  // Properties escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and LF:
  // https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
  it('renders every reported finding and input error, errors first, with exact escaping', () => {
    const lines = planAnnotations(buildAnnotations(hostileDocument(), context)).shown.map(renderAnnotationCommand);
    const remediation =
      '%0A%0ASet `properties.encryption.keySource` to `Microsoft.KeyVault` and point <b>keyVaultProperties</b> at a key; ask @security-team.%0A%0A```json%0A"keyVaultUri": "https://<vault>.vault.azure.net/"%0A```%0A%0Ahttps://learn.microsoft.com/azure/ai-services/encryption/cognitive-services-encryption-keys-portal';
    expect(lines).toEqual([
      "::error file=templates/broken.json,line=3,col=9,title=cmk-guard could not read this input::Expected ',' or '}' after property value in JSON.",
      "::error file=templates/a%2Cb%3Ac%25d.json,line=40,title=Cognitive Services accounts should encrypt data with a customer-managed key::Microsoft.CognitiveServices/accounts '@everyone': properties.encryption.keySource is 'Microsoft.CognitiveServices'; expected 'Microsoft.KeyVault'." +
        remediation,
      "::error file=templates/ai|prod.json,line=12,col=7,title=Cognitive Services accounts should encrypt data with a customer-managed key::Microsoft.CognitiveServices/accounts '<img src=x onerror=alert(1)>': properties.encryption is missing: the account <img src=x onerror=alert(1)> uses Microsoft-managed keys.%0A::error::injected 100%25" +
        remediation,
      "::notice file=templates/vault.json,line=5,col=3,title=Key vaults holding CMKs should have purge protection (indeterminate)::Microsoft.KeyVault/vaults 'vault`s|name%0Anext': Purge protection cannot be checked before deployment.%0ADepends on parameter `enablePurgeProtection`",
      "::notice title=Keys should rotate | yearly::Microsoft.KeyVault/vaults/keys 'snap/k': The key has no rotation policy.%0AChecked in pull requests only: Azure Policy cannot enforce this rule."
    ]);
    // Each annotation is one line of output: no input can start another command.
    expect(lines.every(line => !line.includes('\n') && !line.includes('\r'))).toBe(true);
  });

  it('makes absolute paths relative to the workspace, as GitHub expects', () => {
    const f = finding(3, 'error', {});
    f.resource.file = `${context.workspace}/infra/main.json`;
    const [annotation] = buildAnnotations(documentOf([f]), context);
    expect(annotation).toMatchObject({ file: 'infra/main.json', line: 3, column: 7 });
  });

  it.each([
    ['error', 'error'],
    ['warning', 'warning'],
    ['note', 'notice']
  ] as const)('a noncompliant %s finding is a %s annotation', (severity, level) => {
    expect(buildAnnotations(documentOf([finding(1, severity)]), context)[0].level).toBe(level);
  });

  it('shows ten of each level and counts the rest as hidden', () => {
    const findings = [
      ...Array.from({ length: 13 }, (_, i) => finding(i + 1, 'error')),
      ...Array.from({ length: 4 }, (_, i) => finding(100 + i, 'warning')),
      ...Array.from({ length: 11 }, (_, i) => finding(200 + i, 'note'))
    ];
    const plan = planAnnotations(buildAnnotations(documentOf(findings), context));
    expect(plan.all).toHaveLength(28);
    expect(plan.shown.filter(a => a.level === 'error')).toHaveLength(10);
    expect(plan.shown.filter(a => a.level === 'warning')).toHaveLength(4);
    expect(plan.shown.filter(a => a.level === 'notice')).toHaveLength(10);
    expect(plan.hidden).toBe(4);
    expect(plan.shown.filter(a => a.level === 'error').map(a => a.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('prints nothing for a clean document', () => {
    expect(buildAnnotations(documentOf([finding(1, 'error', { verdict: 'compliant' })]), context)).toEqual([]);
  });
});
