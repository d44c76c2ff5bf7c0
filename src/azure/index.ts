/**
 * The part of cmk-guard that talks to Azure. It is the only code that imports `@azure/*`,
 * and the commands that need it load it with a dynamic `import()`, so `--version` and
 * `evaluate` never load the Azure SDKs.
 */
export {
  connectArm,
  ArmConnection,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MAX_RESPONSE_BYTES
} from './connection.js';
export type { ConnectionSettings, ArmClientOptions } from './connection.js';
export { ArmRest, MAX_PAGES } from './rest.js';
export type { ArmRequest, ArmResponse, ArmMethod } from './rest.js';
export { ArmError, toArmError, cleanText, readArmErrorBody } from './errors.js';
export { resolveArmEndpoint, cloudNames, isLoopbackHost } from './clouds.js';
export type { ArmEndpoint, CloudName } from './clouds.js';
export {
  selectCredential,
  staticTokenCredential,
  tokenFromEnvironment,
  TOKEN_VARIABLE,
  OIDC_AUDIENCE
} from './credential.js';
export { PolicyStore, POLICY_API_VERSION } from './policyStore.js';
export type { RestBody, WriteResult } from './policyStore.js';
export type { RestPolicyResource } from './restShape.js';
export * from './scope.js';
export { publishCompiled, publishScopes } from './publish.js';
export type { PublishRequest, PublishOutcome } from './publish.js';
export { desiredState, ownerOf, assignmentName } from './desired.js';
export type { CompiledPack, DesiredState, DesiredItem, PublishOptions } from './desired.js';
export { planDeployment, readExisting } from './plan.js';
export { applyPlan } from './apply.js';
export { DEFAULT_CONCURRENCY } from './bounded.js';
export { resolveOwner } from './owner.js';
export { ResourceGraph, resourceQuery, RESOURCE_GRAPH_API_VERSION, RESOURCE_GRAPH_PAGE_SIZE } from './resourceGraph.js';
export type { ResourceRow } from './resourceGraph.js';
export { ComplianceStates, POLICY_INSIGHTS_API_VERSION } from './compliance.js';
export type { ComplianceRecord } from './compliance.js';
export { readLiveResources, readCompliance, DEFAULT_SCAN_TIMEOUT_MS } from './live.js';
export type { LiveRequest, LiveResources, ComplianceRequest, ComplianceResult } from './live.js';
export { ExemptionStore, EXEMPTIONS_API_VERSION, exemptionId, exemptionScope } from './exemptions.js';
export type { ExemptionResource, DesiredExemption } from './exemptions.js';
