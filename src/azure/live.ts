/**
 * `evaluate --scope` and `compliance`: what a live scope holds, and what Azure Policy says of
 * it. Signs in, reads, and hands back plain data; the pipeline (run.ts) evaluates and reports.
 */
import type { Json } from '../model/value.js';
import { ComplianceStates, type ComplianceRecord } from './compliance.js';
import { connectArm, type ArmConnection, type ConnectionSettings } from './connection.js';
import { ResourceGraph } from './resourceGraph.js';
import { Searches } from './searches.js';
import { ExemptionStore, type ExemptionResource } from './exemptions.js';
import { exemptionGroup } from '../model/exemption.js';
import {
  nameOfId,
  parseDefinitionScope,
  parseScope,
  resourceIdAt,
  sameId,
  shortScope,
  type AzureScope
} from './scope.js';
import { foldCase } from '../model/foldCase.js';

export interface LiveRequest {
  env: NodeJS.ProcessEnv;
  /** `--scope`: a management group, a subscription or a resource group. */
  scope: string;
  /** How to reach Azure: cloud, endpoint, credential settings, and (for tests) retry settings. */
  connection: Omit<ConnectionSettings, 'env'>;
  /** Progress lines for the log (never a secret). */
  log?: (line: string) => void;
}

export interface LiveResources {
  scope: AzureScope;
  /** How the scope is named in messages: `management group contoso`. */
  where: string;
  rows: { [key: string]: Json }[];
  /** Exemptions for assignments of the initiatives asked about, at, above or below the scope. */
  exemptions: ExemptionResource[];
  /** The management groups each subscription of the scope is in (folded), when an exemption is at one. */
  groupsOf: Map<string, string[]>;
}

/** Whether a policy definition id is that of an initiative with one of these names. */
function initiativeNamed(names: readonly string[]): (id: string) => boolean {
  const wanted = new Set(names.map(n => foldCase(n)));
  return id =>
    /\/providers\/microsoft\.authorization\/policysetdefinitions\/[^/]+$/i.test(id) &&
    wanted.has(foldCase(nameOfId(id)));
}

/**
 * When an exemption is at a management group, the groups each subscription of `scope` is in, so that it covers the
 * resources below it (their ids name their subscription, not its groups); else nothing is read. A Resource Manager
 * without Resource Graph leaves such an exemption covering nothing live, and the log says so.
 */
async function groupsOfSubscriptions(
  connection: ArmConnection,
  scope: AzureScope,
  exemptions: readonly ExemptionResource[],
  searches: Searches
): Promise<Map<string, string[]>> {
  const atGroups = exemptions.filter(e => exemptionGroup(e) !== undefined);
  if (!atGroups.length) return new Map();
  connection.log?.(
    `Reading which management groups hold the subscriptions of ${shortScope(scope)}, for ${atGroups.length} exemption${atGroups.length === 1 ? '' : 's'} at a management group.`
  );
  return searches.widen(
    `which management groups hold the subscriptions of ${shortScope(scope)}`,
    'An exemption at a management group covers none of the resources here: their findings stay.',
    () => new ResourceGraph(connection).groupsOfSubscriptions(scope),
    new Map<string, string[]>()
  );
}

/** The resources of these types (lowercased; null for all) in the scope. */
export async function readLiveResources(
  request: LiveRequest,
  types: readonly string[] | null,
  options: { initiatives?: readonly string[] } = {}
): Promise<LiveResources> {
  const log = request.log ?? (() => undefined);
  const scope = parseScope(request.scope, '--scope');
  const connection = connectArm({ ...request.connection, env: request.env });
  connection.log = log;
  log(`Signed in to ${connection.endpoint.description} with ${connection.signedInWith}.`);
  log(
    `Reading ${types === null ? 'every resource' : `the resources of ${types.length} type${types.length === 1 ? '' : 's'}`} in ${shortScope(scope)} from Resource Graph.`
  );
  const rows = await new ResourceGraph(connection).resources(scope, types);
  log(`Read ${rows.length} resources.`);
  const initiatives = options.initiatives ?? [];
  const searches = new Searches(log);
  const exemptions = initiatives.length
    ? await new ExemptionStore(connection, searches).forInitiative(scope, initiativeNamed(initiatives))
    : [];
  if (exemptions.length) log(`Azure holds ${exemptions.length} exemptions for the pack's assignments here.`);
  const groupsOf = await groupsOfSubscriptions(connection, scope, exemptions, searches);
  return { scope, where: shortScope(scope), rows, exemptions, groupsOf };
}

export interface ComplianceRequest extends LiveRequest {
  /** `--assignment-scope`: where to read the states (default: `scope`, where the initiative is). */
  assignmentScope?: string;
  /** The initiative's name (the pack's). */
  initiative: string;
  /** Start an on-demand evaluation and wait for it before reading. */
  triggerScan?: boolean;
  scanTimeoutMs?: number;
}

export interface ComplianceResult {
  /** Where the states were read. */
  scope: AzureScope;
  where: string;
  initiativeId: string;
  records: ComplianceRecord[];
  /** Exemptions for assignments of the initiative, at, above or below the scope. */
  exemptions: ExemptionResource[];
  /** The management groups each subscription of the scope is in (folded), when an exemption is at one. */
  groupsOf: Map<string, string[]>;
}

export const DEFAULT_SCAN_TIMEOUT_MS = 60 * 60 * 1000;

export async function readCompliance(request: ComplianceRequest): Promise<ComplianceResult> {
  const log = request.log ?? (() => undefined);
  const definitions = parseDefinitionScope(request.scope, '--scope');
  const scope = request.assignmentScope ? parseScope(request.assignmentScope, '--assignment-scope') : definitions;
  const initiativeId = resourceIdAt(definitions, 'policySetDefinitions', request.initiative);
  const connection = connectArm({ ...request.connection, env: request.env });
  connection.log = log;
  log(`Signed in to ${connection.endpoint.description} with ${connection.signedInWith}.`);
  const states = new ComplianceStates(connection);
  if (request.triggerScan) {
    await states.scan(scope, { timeoutMs: request.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS, log });
  }
  log(`Reading the compliance states of ${initiativeId} in ${shortScope(scope)}.`);
  const records = await states.forInitiative(scope, initiativeId);
  log(`Read ${records.length} compliance records.`);
  const searches = new Searches(log);
  const exemptions = await new ExemptionStore(connection, searches).forInitiative(scope, id =>
    sameId(id, initiativeId)
  );
  return {
    scope,
    where: shortScope(scope),
    initiativeId,
    records,
    exemptions,
    groupsOf: await groupsOfSubscriptions(connection, scope, exemptions, searches)
  };
}
