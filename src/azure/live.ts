/**
 * `evaluate --scope` and `compliance`: what a live scope holds, and what Azure Policy says of
 * it. Signs in, reads, and hands back plain data; the pipeline (run.ts) evaluates and reports.
 */
import type { Json } from '../model/value.js';
import { ComplianceStates, type ComplianceRecord } from './compliance.js';
import { connectArm, type ConnectionSettings } from './connection.js';
import { ResourceGraph } from './resourceGraph.js';
import { Searches } from './searches.js';
import { ExemptionStore, type ExemptionResource } from './exemptions.js';
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
}

/** Whether a policy definition id is that of an initiative with one of these names. */
function initiativeNamed(names: readonly string[]): (id: string) => boolean {
  const wanted = new Set(names.map(n => foldCase(n)));
  return id =>
    /\/providers\/microsoft\.authorization\/policysetdefinitions\/[^/]+$/i.test(id) &&
    wanted.has(foldCase(nameOfId(id)));
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
  const exemptions = initiatives.length
    ? await new ExemptionStore(connection, new Searches(log)).forInitiative(scope, initiativeNamed(initiatives))
    : [];
  if (exemptions.length) log(`Azure holds ${exemptions.length} exemptions for the pack's assignments here.`);
  return { scope, where: shortScope(scope), rows, exemptions };
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
  const exemptions = await new ExemptionStore(connection, new Searches(log)).forInitiative(scope, id =>
    sameId(id, initiativeId)
  );
  return { scope, where: shortScope(scope), initiativeId, records, exemptions };
}
