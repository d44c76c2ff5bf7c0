/**
 * Deployment functions and scope functions whose values come from where the template is
 * deployed: parameters, variables, copyIndex, deployment, environment, resourceGroup,
 * subscription, tenant, managementGroup.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope
 */
import { Unknown, type Value } from '../../../model/value.js';
import { ExpressionError } from '../../../expr/errors.js';
import { defineFunction, type EvalContext, type FunctionDefinition } from '../../../expr/evaluate.js';
import type { DeploymentTarget, EvalData } from '../scope.js';
import { foldCase } from '../../../model/foldCase.js';

export function dataOf(ctx: EvalContext): EvalData {
  const data = ctx.data as EvalData | undefined;
  if (!data || !data.scope) throw new Error('template functions need an EvalData in EvalContext.data');
  return data;
}

/**
 * The deployment whose values scope functions return. A nested template evaluated in the
 * `outer` scope sees its parent's, all the way up through outer-scope parents (resourceGroup() there is the parent's group, as documented:
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#expression-evaluation-scope-in-nested-templates).
 */
export function targetOf(ctx: EvalContext): DeploymentTarget {
  const { scope } = dataOf(ctx);
  return scope.evaluatedIn.target;
}

function stringArgument(fn: string, args: Value[], index: number): string {
  const value = args[index];
  if (typeof value !== 'string') {
    throw new ExpressionError(`The template function '${fn}' expects argument ${index + 1} to be a string.`);
  }
  return value;
}

/**
 * The `environment()` object for the public cloud (AzureCloud), as the documentation
 * lists it (template-functions-deployment#environment).
 */
export const AZURE_CLOUD_ENVIRONMENT = {
  name: 'AzureCloud',
  gallery: 'https://gallery.azure.com/',
  graph: 'https://graph.windows.net/',
  portal: 'https://portal.azure.com',
  graphAudience: 'https://graph.windows.net/',
  activeDirectoryDataLake: 'https://datalake.azure.net/',
  batch: 'https://batch.core.windows.net/',
  media: 'https://rest.media.azure.net',
  sqlManagement: 'https://management.core.windows.net:8443/',
  vmImageAliasDoc:
    'https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json',
  resourceManager: 'https://management.azure.com/',
  authentication: {
    loginEndpoint: 'https://login.microsoftonline.com/',
    audiences: ['https://management.core.windows.net/', 'https://management.azure.com/'],
    tenant: 'common',
    identityProvider: 'AAD'
  },
  suffixes: {
    acrLoginServer: '.azurecr.io',
    azureDatalakeAnalyticsCatalogAndJob: 'azuredatalakeanalytics.net',
    azureDatalakeStoreFileSystem: 'azuredatalakestore.net',
    azureFrontDoorEndpointSuffix: 'azurefd.net',
    keyvaultDns: '.vault.azure.net',
    sqlServerHostname: '.database.windows.net',
    storage: 'core.windows.net'
  }
};

function copyIndex(args: Value[], ctx: EvalContext): Value {
  const { copy } = dataOf(ctx);
  let loopName: string | undefined;
  let offset = 0;
  for (const arg of args) {
    if (typeof arg === 'string') loopName = arg;
    else if (typeof arg === 'number' && Number.isInteger(arg)) offset = arg;
    else
      throw new ExpressionError("The template function 'copyIndex' takes an optional loop name and an integer offset.");
  }
  const index = loopName === undefined ? copy.current : copy.loops.get(foldCase(loopName));
  if (index === undefined) {
    throw ExpressionError.invalid(
      loopName === undefined
        ? "The template function 'copyIndex' is not expected here: it is only valid inside a resource with a copy loop."
        : `The template function 'copyIndex' refers to the copy loop '${loopName}', which does not enclose this expression.`
    );
  }
  return typeof index === 'number' ? index + offset : index;
}

/**
 * Where a resource group is, or where a deployment above a group keeps its metadata: the template
 * does not say, so a value built from it (a resource's `location`, which Allowed locations reads) is
 * unknown rather than a placeholder region.
 */
function unknownLocation(resourceGroup?: string): Unknown {
  return resourceGroup === undefined
    ? new Unknown('the location of the deployment, which the template does not give', 'deployment().location')
    : new Unknown(
        `the location of resource group '${resourceGroup}', which the template does not give`,
        `resourcegroup(${foldCase(resourceGroup)}).location`
      );
}

export const deploymentFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'parameters',
    minArgs: 1,
    maxArgs: 1,
    call: (args, ctx) => {
      const data = dataOf(ctx);
      return data.scope.parameter(stringArgument('parameters', args, 0), data);
    }
  }),
  defineFunction({
    name: 'variables',
    minArgs: 1,
    maxArgs: 1,
    call: (args, ctx) => {
      const data = dataOf(ctx);
      return data.scope.variable(stringArgument('variables', args, 0), data);
    }
  }),
  defineFunction({ name: 'copyIndex', minArgs: 0, maxArgs: 2, call: copyIndex }),
  defineFunction({
    name: 'deployment',
    minArgs: 0,
    maxArgs: 0,
    call: (_args, ctx) => {
      const scope = dataOf(ctx).scope.evaluatedIn;
      const template = scope.template;
      const result: { [key: string]: Value } = {
        name: scope.target.deploymentName,
        properties: {
          template: {
            $schema: (template.$schema as string | undefined) ?? '',
            contentVersion: (template.contentVersion as string | undefined) ?? '1.0.0.0',
            metadata: (template.metadata as Value | undefined) ?? {}
          },
          // Quickstarts default _artifactsLocation to the URI they were deployed from and link
          // their nested templates beside it: the repository stands for that place (templateLink.ts).
          templateLink: {
            uri: scope.uri,
            contentVersion: (template.contentVersion as string | undefined) ?? '1.0.0.0'
          },
          templateHash: '0',
          parameters: {},
          mode: 'Incremental',
          provisioningState: 'Accepted'
        }
      };
      if (scope.target.level !== 'resourceGroup') result.location = scope.target.location ?? unknownLocation();
      return result;
    }
  }),
  defineFunction({ name: 'environment', minArgs: 0, maxArgs: 0, call: () => structuredClone(AZURE_CLOUD_ENVIRONMENT) }),
  defineFunction({
    name: 'resourceGroup',
    minArgs: 0,
    maxArgs: 0,
    call: (_args, ctx) => {
      const target = targetOf(ctx);
      if (target.level !== 'resourceGroup') {
        throw ExpressionError.invalid(
          "The template function 'resourceGroup' is not expected here: this template deploys to a " +
            `${target.level}, not a resource group.`
        );
      }
      return {
        id: `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`,
        name: target.resourceGroup,
        type: 'Microsoft.Resources/resourceGroups',
        location: target.location ?? unknownLocation(target.resourceGroup),
        // The group's tags and the display names below are the Azure account's, not the template's:
        // a template alone does not give them, so they are unknown rather than made up (an empty
        // object here once made union(resourceGroup().tags, …) look known).
        tags: new Unknown(
          `the tags of resource group '${target.resourceGroup}', which the template does not give`,
          `resourcegroup(${foldCase(target.resourceGroup)}).tags`
        ),
        properties: { provisioningState: 'Succeeded' }
      };
    }
  }),
  defineFunction({
    name: 'subscription',
    minArgs: 0,
    maxArgs: 0,
    call: (_args, ctx) => {
      const target = targetOf(ctx);
      // "The subscription() function is supported for resource group and subscription deployments."
      // https://learn.microsoft.com/azure/azure-resource-manager/templates/scope-functions#supported-functions
      if (target.level === 'managementGroup' || target.level === 'tenant') {
        throw ExpressionError.invalid(
          "The template function 'subscription' is not expected here: this template deploys to a " +
            `${target.level === 'tenant' ? 'tenant' : 'management group'}, not a subscription or resource group.`
        );
      }
      return {
        id: `/subscriptions/${target.subscriptionId}`,
        subscriptionId: target.subscriptionId,
        tenantId: target.tenantId,
        displayName: new Unknown('the display name of the subscription deployed to', 'subscription().displayname')
      };
    }
  }),
  defineFunction({
    name: 'tenant',
    minArgs: 0,
    maxArgs: 0,
    call: (_args, ctx) => {
      const target = targetOf(ctx);
      return {
        countryCode: new Unknown('the country code of the tenant deployed to', 'tenant().countrycode'),
        displayName: new Unknown('the display name of the tenant deployed to', 'tenant().displayname'),
        id: `/tenants/${target.tenantId}`,
        tenantId: target.tenantId
      };
    }
  }),
  defineFunction({
    name: 'managementGroup',
    minArgs: 0,
    maxArgs: 0,
    call: (_args, ctx) => {
      const target = targetOf(ctx);
      return {
        id: `/providers/Microsoft.Management/managementGroups/${target.managementGroup}`,
        name: target.managementGroup,
        type: 'Microsoft.Management/managementGroups',
        properties: {
          displayName: new Unknown(
            'the display name of the management group deployed to',
            'managementgroup().displayname'
          ),
          tenantId: target.tenantId
        }
      };
    }
  })
];
