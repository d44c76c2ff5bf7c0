/**
 * Errors in the shapes Azure documents them: common-types' ErrorResponse
 * `{"error": {"code", "message", "target", "details": [ErrorDetail], "additionalInfo": [{"type", "info"}]}}`
 * (policy 2025-03-01 answers it for every error), the exemptions' CloudError around the same, and
 * Resource Graph's error, whose top-level message names only a correlation id and whose `details`
 * say why. Whatever path reads it (an SDK client, the raw REST pipeline), the top-level code is the
 * error's code and the message says the details.
 */
import type { ArmConnection } from '../../src/azure/connection.js';
import { ArmError } from '../../src/azure/errors.js';
import { ExemptionStore } from '../../src/azure/exemptions.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { ResourceGraph } from '../../src/azure/resourceGraph.js';
import { parseScope } from '../../src/azure/scope.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { connect } from './support.js';

let server: ArmServer;
let connection: ArmConnection;

beforeEach(async () => {
  server = await startArmServer();
  connection = connect(server, { retry: { maxRetries: 0, retryDelayInMs: 1, maxRetryDelayInMs: 2 } });
});
afterEach(async () => {
  await server.close();
});

function answer(method: string, pattern: RegExp, status: number, body: unknown): void {
  server.route({ method, pattern, handle: () => ({ status, body }) }, { first: true });
}

async function failure(run: () => Promise<unknown>): Promise<ArmError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(ArmError);
  return error as ArmError;
}

const MG = parseScope('/providers/Microsoft.Management/managementGroups/contoso', '--scope');
const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-0000000000aa', '--scope');

describe('Azure error bodies', () => {
  it('says why Resource Graph refused a query, which only its details tell', async () => {
    // As Resource Graph answers a query it cannot run (Azure/azure-powershell#13762).
    answer('POST', /^\/providers\/Microsoft\.ResourceGraph\/resources$/i, 400, {
      error: {
        code: 'BadRequest',
        message:
          'Please provide below info when asking for support: timestamp = 2020-12-16T16:57:12.4249513Z, correlationId = 6902d332-f9f0-4f8a-b90c-d29b938836fd.',
        details: [
          {
            code: 'InvalidQuery',
            message:
              'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.'
          },
          {
            code: 'InvalidQueryLanguage',
            message: 'InvalidQueryLanguage',
            line: -1,
            characterPositionInLine: -1,
            token: 'parse'
          }
        ]
      }
    });
    const error = await failure(() => new ResourceGraph(connection).subscriptions(MG));
    expect(error.status).toBe(400);
    expect(error.code).toBe('BadRequest');
    expect(error.message).toBe(
      'Azure answered 400 BadRequest while listing the subscriptions under management group contoso: Please provide below info when asking for support: timestamp = 2020-12-16T16:57:12.4249513Z, correlationId = 6902d332-f9f0-4f8a-b90c-d29b938836fd. Details: InvalidQuery: Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying; InvalidQueryLanguage.'
    );
  });

  it('reads the common-types ErrorResponse, target, details and additionalInfo and all, on the SDK path and the raw one', async () => {
    const body = {
      error: {
        code: 'InvalidPolicyRule',
        message:
          "Failed to parse policy rule: 'Could not find member 'policyRules' on object of type 'PolicyDefinitionProperties'.",
        target: 'properties.policyRule',
        details: [{ code: 'InvalidRequestContent', message: 'The request content was invalid.', details: [] }],
        additionalInfo: [{ type: 'PolicyViolation', info: { policyDefinitionDisplayName: 'x' } }]
      }
    };
    answer('PUT', /\/policyDefinitions\/d$/i, 400, body);
    answer('PUT', /\/policyExemptions\/e$/i, 400, body);
    const sdk = await failure(() =>
      new PolicyStore(connection).putDefinition(SUB, 'd', { properties: { displayName: 'd', policyRule: {} } })
    );
    const raw = await failure(() =>
      new ExemptionStore(connection).put(SUB.id, 'e', { policyAssignmentId: 'a', exemptionCategory: 'Waiver' })
    );
    for (const error of [sdk, raw]) {
      expect(error.code).toBe('InvalidPolicyRule');
      expect(error.armMessage).toBe(
        "Failed to parse policy rule: 'Could not find member 'policyRules' on object of type 'PolicyDefinitionProperties'. Details: InvalidRequestContent: The request content was invalid."
      );
    }
  });

  it('leaves a message without details as Azure said it', async () => {
    answer('GET', /\/policyExemptions$/i, 404, {
      error: {
        code: 'SubscriptionNotFound',
        message: "The subscription '00000000-0000-0000-0000-0000000000aa' could not be found."
      }
    });
    const error = await failure(() => new ExemptionStore(connection).list(SUB.id));
    expect(error.armMessage).toBe("The subscription '00000000-0000-0000-0000-0000000000aa' could not be found.");
  });
});
