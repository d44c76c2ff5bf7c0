import type { Json, Value } from './value.js';
import { foldCase } from './foldCase.js';

/** Where something is in an input file; lines and columns count from 1. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/**
 * One Azure resource as Azure Policy sees it: the ARM resource JSON (`type`, `name`,
 * `kind`, `location`, `tags`, `identity`, `properties`, …) with full type and name, and
 * where it came from.
 */
export interface Resource {
  /** Full resource id; for template resources, built with placeholder subscription and group. */
  id: string;
  /** Full type, e.g. `Microsoft.KeyVault/vaults/accessPolicies`. */
  type: string;
  /** Full name, e.g. `myvault/add`. */
  name: string;
  /**
   * The name in the placeholder deployment, where it differs from `name` because the name is built from
   * where the deployment goes (src/sources/stableNames.ts): what finding ids are made with.
   */
  stableName?: string;
  apiVersion?: string;
  /** The resource body: `name`, `type`, `kind`, `location`, `tags`, `identity`, `sku`, `properties`, … */
  json: { [key: string]: Value };
  /** Where it was declared; null for live resources and snapshots without positions. */
  source: SourcePosition | null;
  /**
   * The position of the JSON that produced the value at a JSON pointer into `json`
   * (`/properties/encryption/keySource`), or of the nearest enclosing object that has one.
   */
  positionOf?: (pointer: string) => SourcePosition | null;
  /** Set when the resource deploys only if a condition holds that cannot be known offline. */
  conditionUnknown?: string;
  /**
   * A template declaration's `metadata`, as written (never evaluated), with positions by JSON pointer
   * into it: inline exceptions live here (`metadata.cmkGuard.exceptions`), on every resource a copy
   * loop makes of the declaration.
   */
  metadata?: { value: Json; positionOf(pointer: string): SourcePosition | null };
  /** An `existing` reference in a template: never reported on. */
  existing?: boolean;
  /**
   * Set on a nested deployment whose template cannot be read offline (a linked template at a remote
   * URI, a template spec): what it deploys is unknown, so every definition's verdict on it is
   * indeterminate, with this reason.
   */
  unresolved?: string;
  /**
   * A resource a template declares more than once (created, then updated by a later nested
   * deployment) is sent as one PUT per declaration; this resource is the last, the end state, and
   * these are the writes before it, in deployment order. Deny sees each write; Audit the end state.
   */
  priorWrites?: Resource[];
  /**
   * Set on each state a template resource may end in when nested deployments that no dependsOn orders
   * write it: ARM runs them side by side, and the body of the write it completes last is the end state,
   * so each is evaluated (src/sources/templates.ts finalStates). `note` says which writes race, for the
   * findings on it. `capped`: more states than are evaluated one by one, and this one stands for them
   * all, so a verdict that it complies is indeterminate.
   */
  race?: { note: string; capped?: boolean };
  /**
   * Set on a template's resources when the run is told the subscription or resource group the template deploys to
   * (`deployment-subscription-id`, `resource-group`): what their ids carry is that, even named as the placeholders.
   */
  placed?: { subscription?: true; resourceGroup?: true };
  origin: 'template' | 'snapshot' | 'live';
}

/**
 * Where a template's resources are placed when the caller does not say where it deploys: the ids a template's
 * expressions build (`resourceId()`, `subscription().id`) carry these, consistently, but they are no subscription or
 * resource group Azure holds.
 */
export const PLACEHOLDER_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const PLACEHOLDER_RESOURCE_GROUP = 'rg';
/**
 * The template's own group where the template itself names a group called `PLACEHOLDER_RESOURCE_GROUP` (another group,
 * which ARM keeps apart from its own): no group's name can end in a period, so no template can name this one.
 */
export const UNNAMEABLE_GROUP = 'rg.';
/** The management group a template deployed to a management group is placed in when the caller does not say. */
export const PLACEHOLDER_MANAGEMENT_GROUP = 'mg';
/**
 * The template's own management group where the template itself names one called `PLACEHOLDER_MANAGEMENT_GROUP`: a
 * management group's id holds letters, digits, hyphens, underscores, periods and parentheses but cannot end in a
 * period, so no template can name this one.
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagement
 */
export const UNNAMEABLE_MANAGEMENT_GROUP = 'mg.';

/**
 * The type Azure Policy gives a resource group: what its `type` field reads and what a definition
 * targets (`Microsoft.Resources/subscriptions/resourceGroups`, as "Allowed locations for resource
 * groups" does), though a template declares one as `Microsoft.Resources/resourceGroups` and ARM's GET
 * answers that spelling.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics#resource-manager-modes
 */
export const POLICY_RESOURCE_GROUP_TYPE = 'Microsoft.Resources/subscriptions/resourceGroups';
const ARM_RESOURCE_GROUP_TYPE = 'Microsoft.Resources/resourceGroups';

/** The type of a subscription, as Azure Policy evaluates one (an `All` definition can target it). */
export const SUBSCRIPTION_TYPE = 'Microsoft.Resources/subscriptions';
const SUBSCRIPTION_KEY = foldCase(SUBSCRIPTION_TYPE);

/** Whether a resource type is a subscription's (which a rule with a location condition does not apply to). */
export function isSubscriptionType(type: string): boolean {
  return type.length === SUBSCRIPTION_TYPE.length && foldCase(type) === SUBSCRIPTION_KEY;
}

/** A resource's type as Azure Policy sees it: a resource group's as policy spells it, any other as given. */
export function policyResourceType(type: string): string {
  return type.length === ARM_RESOURCE_GROUP_TYPE.length && foldCase(type) === 'microsoft.resources/resourcegroups'
    ? POLICY_RESOURCE_GROUP_TYPE
    : type;
}

/**
 * A resource's type as ARM spells it (a resource group's as templates declare it): what finding ids are
 * made with, so that ids written before resource groups took the policy's spelling still match.
 */
export function armResourceType(type: string): string {
  return foldCase(type) === 'microsoft.resources/subscriptions/resourcegroups' ? ARM_RESOURCE_GROUP_TYPE : type;
}
