/**
 * Policy definitions, initiatives and assignments at a scope, read and written with
 * @azure/arm-policy (api-version 2025-03-01), in the REST shape.
 *
 * Where the SDK is stricter than Resource Manager, Resource Manager's answer decides: the
 * SDK accepts only 201 from a definition or assignment PUT, while ARM answers 200 to an
 * update; and `policyAssignments.delete` throws a TypeError on the 204 ARM answers when the
 * assignment is already gone. Each write records the raw answer (`onResponse`) and succeeds
 * when its status is one ARM documents for success.
 */
import type { PolicyAssignment, PolicyDefinition, PolicySetDefinition } from '@azure/arm-policy';
import { PolicyClient } from '@azure/arm-policy';
import { isRestError } from '@azure/core-rest-pipeline';
import type { Json } from '../model/value.js';
import { DEFAULT_CONCURRENCY, readEach } from './bounded.js';
import type { ArmConnection } from './connection.js';
import { ArmError, toArmError, writeAnswerError } from './errors.js';
import { answerCheckPolicy, sdkCouldNotRead, sdkRead } from './policies.js';
import { checkPolicyItem, checkPolicyListPage, NOT_JSON, policyItemKind, policyListKind } from './policyAnswers.js';
import { endlessEmptyPages, isAcceptedLater, MAX_EMPTY_PAGES, MAX_PAGES, WRITE_OPERATION_TIMEOUT_MS } from './rest.js';
import { policyAssignmentsQuery, ResourceGraph } from './resourceGraph.js';
import {
  assignmentToRest,
  definitionToRest,
  setDefinitionToRest,
  toModel,
  type RestPolicyResource
} from './restShape.js';
import { nameOfId, sameId, scopeOfId, shortScope, type AzureScope } from './scope.js';

export const POLICY_API_VERSION = '2025-03-01';

/**
 * More than any scope holds: Azure keeps at most 500 custom definitions, 200 initiatives and
 * 200 assignments at one scope. A list that goes on past this is not Azure's.
 */
export const MAX_LISTED = 20_000;

/** Each policy list page, and each policy resource read by name, is checked for the documented shape before the SDK reads it. */
const checkAnswer = (path: string, body: unknown) => {
  const list = policyListKind(path);
  if (list) return checkPolicyListPage(list, body);
  const item = policyItemKind(path);
  return item ? checkPolicyItem(item, body) : undefined;
};

/**
 * Statuses Resource Manager answers when a write succeeded. A DELETE answered 404 (what was
 * planned was deleted meanwhile, or its resource group with it) leaves it absent, as asked.
 */
const PUT_OK = [200, 201];
const DELETE_OK = [200, 204, 404];

export interface RestBody {
  properties: { [key: string]: Json };
  location?: string;
  identity?: Json;
}

export interface WriteResult {
  status: number;
}

interface RawResponse {
  status: number;
  headers?: { toJSON(): Record<string, string> };
  /** The body as the SDK read it: JSON, or the text when it is not JSON (absent when it could not read it). */
  parsedBody?: unknown;
}

/**
 * The SDK could not read the answer to a write (sdkCouldNotRead), of a status it does not document for it: say what
 * came, and that whether it was done is not known.
 */
function unexpectedAnswer(error: unknown, answered: RawResponse | undefined, doing: string): unknown {
  if (!answered || !sdkCouldNotRead(error)) return error;
  return new ArmError(
    `Resource Manager answered ${answered.status} while ${doing}, which is not an answer the API documents for it; cmk-guard does not know whether it was done. Run plan to see what Azure holds.`,
    answered.status,
    'UnexpectedAnswer',
    ''
  );
}

/** The pages of a list as the SDK reads them, each read through sdkRead. */
async function* sdkPages<T>(pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  for (;;) {
    const next = await sdkRead(() => iterator.next());
    if (next.done) return;
    yield next.value;
  }
}

/** `subscriptions/…` for the SDK's `{+scope}` path parameter, which takes no leading slash. */
function scopeParameter(scope: AzureScope): string {
  return scope.id.replace(/^\//, '');
}

export class PolicyStore {
  private readonly clients = new Map<string, PolicyClient>();

  constructor(private readonly connection: ArmConnection) {}

  /** A client per subscription id ('' for calls that need none); each gets our policies. */
  private client(subscription = ''): PolicyClient {
    let client = this.clients.get(subscription);
    if (!client) {
      const options = this.connection.clientOptions();
      client = subscription
        ? new PolicyClient(this.connection.credential, subscription, options)
        : new PolicyClient(this.connection.credential, options);
      this.connection.attach(client.pipeline);
      client.pipeline.addPolicy(answerCheckPolicy(checkAnswer), { afterPhase: 'Sign' });
      this.clients.set(subscription, client);
    }
    return client;
  }

  private async list<T>(
    doing: string,
    pages: { byPage(): AsyncIterable<T[] & { continuationToken?: string }> },
    convert: (model: T) => RestPolicyResource,
    scope: AzureScope,
    // Lists may also hold what is inherited (built-ins, parent management groups): keep this scope's.
    keep: (resource: RestPolicyResource) => boolean = resource => sameId(scopeOfId(resource.id), scope.id)
  ) {
    const found: RestPolicyResource[] = [];
    const seen = new Set<string>();
    let listed = 0;
    let count = 0;
    let empty = 0;
    try {
      for await (const page of sdkPages(pages.byPage())) {
        listed += page.length;
        empty = page.length ? 0 : empty + 1;
        if (page.continuationToken && empty >= MAX_EMPTY_PAGES) throw endlessEmptyPages('Resource Manager', doing);
        // A nextLink that repeats, or pages without end, would never finish.
        const repeated = page.continuationToken !== undefined && seen.has(page.continuationToken);
        if (repeated || ++count > MAX_PAGES || listed > MAX_LISTED) {
          throw new ArmError(
            repeated
              ? `Resource Manager sent the same page link again while ${doing}; cmk-guard stopped after ${count} pages, as the list would never end.`
              : `Resource Manager kept sending more pages while ${doing}; cmk-guard stopped after ${count} pages and ${listed} items, more than a scope can hold (${MAX_LISTED}).`,
            undefined,
            'Paging',
            ''
          );
        }
        if (page.continuationToken) seen.add(page.continuationToken);
        for (const model of page) {
          const resource = convert(model);
          if (keep(resource)) found.push(resource);
        }
      }
    } catch (error) {
      throw toArmError(error, doing, this.connection.secrets);
    }
    return found;
  }

  listDefinitions(scope: AzureScope): Promise<RestPolicyResource[]> {
    const doing = `listing the policy definitions at ${shortScope(scope)}`;
    const options = { filter: 'atExactScope()' };
    const pages =
      scope.kind === 'managementGroup'
        ? this.client().policyDefinitions.listByManagementGroup(scope.managementGroup, options)
        : this.client(subscriptionOf(scope)).policyDefinitions.list(options);
    return this.list<PolicyDefinition>(doing, pages, definitionToRest, scope);
  }

  listSetDefinitions(scope: AzureScope): Promise<RestPolicyResource[]> {
    const doing = `listing the initiatives at ${shortScope(scope)}`;
    const options = { filter: 'atExactScope()' };
    const pages =
      scope.kind === 'managementGroup'
        ? this.client().policySetDefinitions.listByManagementGroup(scope.managementGroup, options)
        : this.client(subscriptionOf(scope)).policySetDefinitions.list(options);
    return this.list<PolicySetDefinition>(doing, pages, setDefinitionToRest, scope);
  }

  listAssignments(scope: AzureScope): Promise<RestPolicyResource[]> {
    const doing = `listing the policy assignments at ${shortScope(scope)}`;
    const options = { filter: 'atExactScope()' };
    const pages = this.assignmentPages(scope, options);
    return this.list<PolicyAssignment>(doing, pages, assignmentToRest, scope);
  }

  private assignmentPages(scope: AzureScope, options: { filter: string }) {
    return scope.kind === 'managementGroup'
      ? this.client().policyAssignments.listForManagementGroup(scope.managementGroup, options)
      : scope.kind === 'resourceGroup'
        ? this.client(scope.subscription).policyAssignments.listForResourceGroup(scope.resourceGroup, options)
        : this.client(scope.subscription).policyAssignments.list(options);
  }

  /**
   * The assignments of a definition or initiative that Azure lists at `scope`: at a subscription,
   * every one in it (its resource groups too); at a management group or resource group, those
   * there (and, as Azure lists them, above it).
   */
  listAssignmentsOf(scope: AzureScope, definitionId: string): Promise<RestPolicyResource[]> {
    const doing = `listing the assignments of ${nameOfId(definitionId)} at ${shortScope(scope)}`;
    const options = { filter: `policyDefinitionId eq '${definitionId.replace(/'/g, "''")}'` };
    const pages = this.assignmentPages(scope, options);
    return this.list<PolicyAssignment>(doing, pages, assignmentToRest, scope, resource =>
      sameId(resource.properties.policyDefinitionId as string | undefined, definitionId)
    );
  }

  /**
   * The assignments of a definition in every subscription and resource group under a management
   * group, which no Azure Policy list gives: their ids from Resource Graph's `policyresources`,
   * each then read from Azure Policy. Resource Graph catches up with writes only after some
   * seconds, so one it still lists that Azure Policy no longer has (404) is gone, and what is
   * planned is what Azure Policy holds.
   */
  async findAssignmentsOf(scope: AzureScope, definitionId: string): Promise<RestPolicyResource[]> {
    const doing = `finding the assignments of ${nameOfId(definitionId)} under ${shortScope(scope)} with Resource Graph`;
    const ids = await new ResourceGraph(this.connection).idsOf(
      scope,
      policyAssignmentsQuery(definitionId),
      doing,
      'Microsoft.Authorization/policyAssignments'
    );
    return readEach(
      ids,
      DEFAULT_CONCURRENCY,
      id => this.getAssignment(id),
      assignment => sameId(assignment.properties.policyDefinitionId as string | undefined, definitionId)
    );
  }

  /** A definition at a scope, or undefined when Azure Policy answers 404 (it is not there). */
  async getDefinition(scope: AzureScope, name: string): Promise<RestPolicyResource | undefined> {
    return this.read(`reading the policy definition ${name} at ${shortScope(scope)}`, async () =>
      definitionToRest(
        scope.kind === 'managementGroup'
          ? await this.client().policyDefinitions.getAtManagementGroup(scope.managementGroup, name)
          : await this.client(subscriptionOf(scope)).policyDefinitions.get(name)
      )
    );
  }

  /** An initiative at a scope, or undefined when Azure Policy answers 404 (it is not there). */
  async getSetDefinition(scope: AzureScope, name: string): Promise<RestPolicyResource | undefined> {
    return this.read(`reading the initiative ${name} at ${shortScope(scope)}`, async () =>
      setDefinitionToRest(
        scope.kind === 'managementGroup'
          ? await this.client().policySetDefinitions.getAtManagementGroup(scope.managementGroup, name)
          : await this.client(subscriptionOf(scope)).policySetDefinitions.get(name)
      )
    );
  }

  private async read(doing: string, get: () => Promise<RestPolicyResource>): Promise<RestPolicyResource | undefined> {
    try {
      return await sdkRead(get);
    } catch (error) {
      if (isRestError(error) && error.statusCode === 404) return undefined;
      throw toArmError(error, doing, this.connection.secrets);
    }
  }

  /** An assignment by id, or undefined when Azure Policy answers 404 (it is not there). */
  async getAssignment(id: string): Promise<RestPolicyResource | undefined> {
    return this.read(`reading the policy assignment ${id}`, async () =>
      assignmentToRest(await this.client().policyAssignments.get(scopeOfId(id).replace(/^\//, ''), nameOfId(id)))
    );
  }

  putDefinition(scope: AzureScope, name: string, body: RestBody): Promise<WriteResult> {
    const model = toModel<PolicyDefinition>(body);
    return this.write(`writing the policy definition ${name} at ${shortScope(scope)}`, 'PUT', options =>
      scope.kind === 'managementGroup'
        ? this.client().policyDefinitions.createOrUpdateAtManagementGroup(scope.managementGroup, name, model, options)
        : this.client(subscriptionOf(scope)).policyDefinitions.createOrUpdate(name, model, options)
    );
  }

  putSetDefinition(scope: AzureScope, name: string, body: RestBody): Promise<WriteResult> {
    const model = toModel<PolicySetDefinition>(body);
    return this.write(`writing the initiative ${name} at ${shortScope(scope)}`, 'PUT', options =>
      scope.kind === 'managementGroup'
        ? this.client().policySetDefinitions.createOrUpdateAtManagementGroup(
            scope.managementGroup,
            name,
            model,
            options
          )
        : this.client(subscriptionOf(scope)).policySetDefinitions.createOrUpdate(name, model, options)
    );
  }

  putAssignment(scope: AzureScope, name: string, body: RestBody): Promise<WriteResult> {
    const model = toModel<PolicyAssignment>(body);
    return this.write(`writing the policy assignment ${name} at ${shortScope(scope)}`, 'PUT', options =>
      this.client().policyAssignments.create(scopeParameter(scope), name, model, options)
    );
  }

  deleteDefinition(scope: AzureScope, name: string): Promise<WriteResult> {
    return this.write(`deleting the policy definition ${name} at ${shortScope(scope)}`, 'DELETE', options =>
      scope.kind === 'managementGroup'
        ? this.client().policyDefinitions.deleteAtManagementGroup(scope.managementGroup, name, options)
        : this.client(subscriptionOf(scope)).policyDefinitions.delete(name, options)
    );
  }

  deleteSetDefinition(scope: AzureScope, name: string): Promise<WriteResult> {
    return this.write(`deleting the initiative ${name} at ${shortScope(scope)}`, 'DELETE', options =>
      scope.kind === 'managementGroup'
        ? this.client().policySetDefinitions.deleteAtManagementGroup(scope.managementGroup, name, options)
        : this.client(subscriptionOf(scope)).policySetDefinitions.delete(name, options)
    );
  }

  deleteAssignment(scope: AzureScope, name: string): Promise<WriteResult> {
    return this.write(`deleting the policy assignment ${name} at ${shortScope(scope)}`, 'DELETE', options =>
      this.client().policyAssignments.delete(scopeParameter(scope), name, options)
    );
  }

  /**
   * Runs an SDK write; ARM's status decides whether it succeeded (see the module comment), and a
   * success must come with what a success answers (`writeAnswerError`): an error body or a proxy's
   * page answered 200 says nothing of whether the write was done.
   */
  private async write(
    doing: string,
    method: 'PUT' | 'DELETE',
    call: (options: { onResponse: (response: RawResponse) => void }) => Promise<unknown>
  ): Promise<WriteResult> {
    const ok = method === 'PUT' ? PUT_OK : DELETE_OK;
    let answered: RawResponse | undefined;
    let failure: unknown;
    try {
      await call({ onResponse: response => void (answered = response) });
    } catch (error) {
      failure = error;
      const accepted = answered && {
        status: answered.status,
        headers: answered.headers?.toJSON() ?? {},
        body: undefined
      };
      if (accepted && isAcceptedLater(accepted)) {
        // Resource Manager's asynchronous pattern: 202, then the operation to follow until it ends.
        try {
          const done = await this.connection.rest.waitForOperation(accepted, {
            timeoutMs: WRITE_OPERATION_TIMEOUT_MS,
            doing
          });
          return { status: done.status };
        } catch (failed) {
          throw toArmError(failed, doing, this.connection.secrets);
        }
      }
      if (!answered || !ok.includes(answered.status))
        throw toArmError(unexpectedAnswer(error, answered, doing), doing, this.connection.secrets);
    }
    const status = answered?.status ?? 0;
    if (ok.includes(status) && status < 300) {
      const unreadable = isRestError(failure) && failure.code === 'PARSE_ERROR';
      const unexpected = writeAnswerError(method, status, unreadable ? NOT_JSON : answered?.parsedBody, doing);
      if (unexpected) throw unexpected;
    }
    return { status };
  }
}

function subscriptionOf(scope: AzureScope): string {
  if (scope.kind === 'managementGroup') throw new Error('a management group has no subscription');
  return scope.subscription;
}
