/**
 * Azure Policy's own compliance states for an initiative at a scope, read with
 * @azure/arm-policyinsights (api-version 2024-10-01), and on-demand evaluation scans.
 *
 * Paging: the contract follows `@odata.nextLink` with a POST (`PolicyStates_NextLink`), while
 * the SDK's next-page operations send a GET. Every page is therefore asked for as the first
 * one is, a POST to `queryResults`, with the `$skiptoken` the nextLink carries (as the
 * `QuerySubscriptionScopeNextLink` example does).
 *
 * Scans: `triggerEvaluation` exists for subscriptions and resource groups; a management group
 * is scanned subscription by subscription. Each is a long-running operation (202 with
 * `Location`, `Retry-After`) followed until it ends or the timeout passes.
 */
import type { PolicyState } from '@azure/arm-policyinsights';
import { getContinuationToken, PolicyInsightsClient } from '@azure/arm-policyinsights';
import type { ArmConnection } from './connection.js';
import { ArmError, toArmError } from './errors.js';
import { answerCheckPolicy } from './policies.js';
import { checkPolicyStatesPage } from './policyAnswers.js';
import { endlessEmptyPages, MAX_EMPTY_PAGES, MAX_PAGES } from './rest.js';
import { DEFAULT_CONCURRENCY, runBounded } from './bounded.js';
import { descendants } from './hierarchy.js';
import type { ArmResponse } from './rest.js';
import { ResourceGraph } from './resourceGraph.js';
import { notOffered } from './searches.js';
import { shortScope, type AzureScope } from './scope.js';
import { foldCase } from '../model/foldCase.js';

export const POLICY_INSIGHTS_API_VERSION = '2024-10-01';

/** One compliance record: a resource and a member of the initiative, as Azure last evaluated them. */
export interface ComplianceRecord {
  resourceId: string;
  resourceType: string;
  /** `Compliant`, `NonCompliant`, `Exempt`, `Conflict`, `Unknown`, … as Azure spells it. */
  complianceState: string;
  policyAssignmentId: string;
  policyDefinitionId: string;
  /** The member's reference id in the initiative (cmk-guard uses the rule's name). */
  policyDefinitionReferenceId: string;
  policyDefinitionName: string;
  /** The effect Azure applied. */
  effect: string;
  timestamp?: string;
  /** Where the resource is, as Azure reports it (what an exemption's `resourceLocation` selector reads). */
  resourceLocation?: string;
}

/** An OData string literal: single quotes doubled. */
function odataString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function toRecord(state: PolicyState): ComplianceRecord {
  return {
    resourceId: state.resourceId ?? '',
    resourceType: (state.resourceType ?? '').replace(/^\//, ''),
    complianceState: state.complianceState ?? (state.isCompliant === true ? 'Compliant' : 'Unknown'),
    policyAssignmentId: state.policyAssignmentId ?? '',
    policyDefinitionId: state.policyDefinitionId ?? '',
    policyDefinitionReferenceId: state.policyDefinitionReferenceId ?? '',
    policyDefinitionName: state.policyDefinitionName ?? '',
    effect: state.policyDefinitionAction ?? '',
    ...(state.timestamp ? { timestamp: new Date(state.timestamp).toISOString() } : {}),
    ...(state.resourceLocation ? { resourceLocation: state.resourceLocation } : {})
  };
}

/** The `$skiptoken` of a nextLink, which must point back at this endpoint's queryResults. */
function skipTokenOf(nextLink: string, doing: string): string {
  let url: URL;
  try {
    url = new URL(nextLink);
  } catch {
    throw new ArmError(`Azure sent a next-page link that is not a URL while ${doing}.`, undefined, 'Paging', '');
  }
  const token = [...url.searchParams].find(([name]) => foldCase(name) === '$skiptoken')?.[1];
  if (!token) {
    throw new ArmError(
      `Azure sent a next-page link without a $skiptoken while ${doing}; cmk-guard cannot ask for the next page.`,
      undefined,
      'Paging',
      ''
    );
  }
  return token;
}

export class ComplianceStates {
  private client: PolicyInsightsClient | undefined;

  constructor(private readonly connection: ArmConnection) {}

  private insights(): PolicyInsightsClient {
    if (!this.client) {
      this.client = new PolicyInsightsClient(this.connection.credential, {
        ...this.connection.clientOptions(),
        // The operations build their URLs from `$host`, not from `endpoint`.
        $host: this.connection.endpoint.url
      });
      this.connection.attach(this.client.pipeline);
      // Each page of states is checked before the SDK reads it (a POST, as the contract pages).
      this.client.pipeline.addPolicy(
        answerCheckPolicy(
          (path, body) =>
            /\/policyStates\/latest\/queryResults$/i.test(path) ? checkPolicyStatesPage(body) : undefined,
          ['POST']
        ),
        { afterPhase: 'Sign' }
      );
    }
    return this.client;
  }

  /** One page of the latest states at a scope; its records and the next page's token. */
  private async page(
    scope: AzureScope,
    filter: string,
    skipToken: string | undefined,
    doing: string
  ): Promise<{ records: ComplianceRecord[]; next?: string }> {
    const options = { queryOptions: { filter, ...(skipToken ? { skipToken } : {}) } };
    const states = this.insights().policyStates;
    const pages = (
      scope.kind === 'managementGroup'
        ? states.listQueryResultsForManagementGroup('latest', scope.managementGroup, options)
        : scope.kind === 'resourceGroup'
          ? states.listQueryResultsForResourceGroup('latest', scope.subscription, scope.resourceGroup, options)
          : states.listQueryResultsForSubscription('latest', scope.subscription, options)
    ).byPage();
    try {
      const first = await pages.next();
      if (first.done) return { records: [] };
      const nextLink = getContinuationToken(first.value);
      return { records: first.value.map(toRecord), next: nextLink ? skipTokenOf(nextLink, doing) : undefined };
    } catch (error) {
      throw toArmError(error, doing, this.connection.secrets);
    } finally {
      // Only the first page is read through the SDK's iterator: end it before it asks for more.
      await pages.return?.(undefined);
    }
  }

  /** Every latest state at `scope` for members of the initiative `initiativeId`. */
  async forInitiative(scope: AzureScope, initiativeId: string): Promise<ComplianceRecord[]> {
    const doing = `reading the compliance states of ${shortScope(scope)} from Azure Policy`;
    // Policy Insights records ids lowercased; the filter says the id as it records it.
    const filter = `policySetDefinitionId eq ${odataString(initiativeId.toLowerCase())}`;
    const records: ComplianceRecord[] = [];
    const seen = new Set<string>();
    let skipToken: string | undefined;
    let empty = 0;
    for (let page = 0; ; page++) {
      const answer = await this.page(scope, filter, skipToken, doing);
      records.push(...answer.records);
      if (!answer.next) return records;
      empty = answer.records.length ? 0 : empty + 1;
      if (empty >= MAX_EMPTY_PAGES) throw endlessEmptyPages('Azure', doing);
      if (page + 1 >= MAX_PAGES || seen.has(answer.next)) {
        throw new ArmError(
          `Azure kept sending more pages (or the same page again) while ${doing}; cmk-guard stopped after ${page + 1}.`,
          undefined,
          'Paging',
          ''
        );
      }
      seen.add(answer.next);
      skipToken = answer.next;
    }
  }

  /**
   * The subscriptions under `scope` (itself, for a subscription), with their states where Resource Graph gives
   * them: from Resource Graph, or, where the endpoint does not offer it, from the Management Groups API's
   * descendants (which give none).
   */
  private async subscriptionsOf(scope: AzureScope): Promise<{ id: string; state?: string }[]> {
    try {
      return await new ResourceGraph(this.connection).subscriptionStates(scope);
    } catch (error) {
      if (!notOffered(error)) throw error;
      const subscription = /^\/subscriptions\/([^/]+)$/i;
      return (await descendants(this.connection, scope)).flatMap(id => {
        const found = subscription.exec(id)?.[1];
        return found === undefined ? [] : [{ id: foldCase(found) }];
      });
    }
  }

  /**
   * Starts an on-demand evaluation of every subscription (or the resource group) in `scope` and
   * waits until each has ended, or `timeoutMs` has passed in all. A subscription that cannot take a write (its
   * state is `Disabled`, `Deleted` or `Expired`, or Azure answers that it is read-only) is not scanned, and the
   * log says so: Azure Policy does not evaluate it either. The scans are waited for together, so the wait is the
   * longest scan's, not their sum.
   */
  async scan(scope: AzureScope, options: { timeoutMs: number; log?: (line: string) => void }): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const log = options.log ?? (() => undefined);
    const targets: string[] = [];
    if (scope.kind === 'resourceGroup') {
      targets.push(`/subscriptions/${scope.subscription}/resourceGroups/${scope.resourceGroup}`);
    } else {
      for (const { id, state } of await this.subscriptionsOf(scope)) {
        if (state !== undefined && READ_ONLY_STATES.test(state))
          log(`Not scanned: subscription ${id} is ${state}, and Azure takes no write there.`);
        else targets.push(`/subscriptions/${id}`);
      }
    }
    if (targets.length === 0) {
      throw new ArmError(
        `${shortScope(scope)} holds no subscription the identity can read and Azure can scan, so there is nothing to scan; check the scope and the identity's Reader role.`,
        undefined,
        'NoSubscriptions',
        ''
      );
    }
    const rest = this.connection.rest;
    // Started a few at a time: a group of hundreds of subscriptions is not a burst Resource Manager throttles.
    const answers: ({ target: string; answer: ArmResponse<unknown> } | undefined)[] = [];
    await runBounded(targets, DEFAULT_CONCURRENCY, async (target, index) => {
      let answer: ArmResponse<unknown>;
      try {
        answer = await rest.send({
          method: 'POST',
          path: `${target}/providers/Microsoft.PolicyInsights/policyStates/latest/triggerEvaluation`,
          apiVersion: POLICY_INSIGHTS_API_VERSION,
          expect: [200, 202],
          doing: `starting a compliance scan of ${target}`
        });
      } catch (error) {
        // A subscription disabled since Resource Graph indexed it (or where it gives no state).
        if (error instanceof ArmError && error.status === 409 && READ_ONLY_CODES.test(error.code ?? '')) {
          log(`Not scanned: ${target} is read-only (Azure answered ${error.code}).`);
          return;
        }
        throw error;
      }
      log(answer.status === 200 ? `The scan of ${target} is already done.` : `Started a compliance scan of ${target}.`);
      answers[index] = { target, answer };
    });
    const started = answers.filter(found => found !== undefined);
    // Polled together, a bounded number at a time: a wait is mostly the pause its answer asks for.
    await runBounded(started, SCANS_POLLED_AT_ONCE, async ({ target, answer }) => {
      await rest.waitForOperation(answer, {
        timeoutMs: Math.max(deadline - Date.now(), 1),
        doing: `waiting for the compliance scan of ${target} (the scan timeout is ${Math.round(options.timeoutMs / 1000)} s)`,
        apiVersion: POLICY_INSIGHTS_API_VERSION,
        defaultWaitMs: 30_000
      });
      log(`The compliance scan of ${target} has ended.`);
    });
  }
}

/** How many scans are waited for at once (each poll is one request after a pause of about 30 s). */
const SCANS_POLLED_AT_ONCE = 64;

/** The states of a subscription that takes no write ("Enabled, Warned, PastDue, Disabled, and Deleted", and Expired). */
const READ_ONLY_STATES = /^(?:Disabled|Deleted|Expired)$/i;

/** What Azure answers (409) for a write to a subscription that is read-only. */
const READ_ONLY_CODES = /^(?:ReadOnlyDisabledSubscription|SubscriptionNotEnabled|ReadOnlyExpiredSubscription)$/i;
