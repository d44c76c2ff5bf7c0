/**
 * ARM templates as tests write them: a template of resources, and a nested deployment (Microsoft.Resources/deployments
 * with an inline template). Members come in a fixed order (a template's as the ARM template reference lists them) and
 * those not given are left out, so that the text a test writes (JSON.stringify(…, null, 2)), and the lines it asserts,
 * are those of the same template written out by hand.
 */
export type J = Record<string, unknown>;

export const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

/** What a template declares besides its resources; each is left out when not given. */
export interface TemplateParts {
  /** `2.0` for symbolic names (then `resources` is an object keyed by them). */
  languageVersion?: string;
  /** The parameters it declares (`{ name: { type, defaultValue? } }`). */
  parameters?: J;
  outputs?: J;
}

/** A template: $schema, languageVersion, contentVersion, parameters, resources, outputs, in that order. */
export function armTemplate(resources: object[] | J, parts: TemplateParts = {}): J {
  return {
    $schema: SCHEMA,
    ...(parts.languageVersion !== undefined ? { languageVersion: parts.languageVersion } : {}),
    contentVersion: '1.0.0.0',
    ...(parts.parameters !== undefined ? { parameters: parts.parameters } : {}),
    resources,
    ...(parts.outputs !== undefined ? { outputs: parts.outputs } : {})
  };
}

export interface NestedDeploymentOptions {
  /** Members of the deployment resource itself (condition, copy, tags…), written after its name, in their order. */
  members?: J;
  dependsOn?: string[];
  /** expressionEvaluationOptions.scope; left out when not given, so ARM's default (outer) applies. */
  scope?: 'inner' | 'outer';
  /** The values the deployment passes its template (properties.parameters: `{ name: { value } }`). */
  parameters?: J;
  /** What its template declares besides `resources`: the parameters it takes, its outputs. */
  template?: TemplateParts;
}

/** A deployment (api-version 2022-09-01, Incremental) whose inline template deploys `resources`. */
export function nestedDeployment(name: string, resources: object[], options: NestedDeploymentOptions = {}): J {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name,
    ...options.members,
    ...(options.dependsOn !== undefined ? { dependsOn: options.dependsOn } : {}),
    properties: {
      mode: 'Incremental',
      ...(options.scope !== undefined ? { expressionEvaluationOptions: { scope: options.scope } } : {}),
      ...(options.parameters !== undefined ? { parameters: options.parameters } : {}),
      template: armTemplate(resources, options.template)
    }
  };
}
