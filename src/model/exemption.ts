/**
 * An Azure Policy exemption as the REST API gives it (api-version 2022-07-01-preview): what
 * src/azure reads and writes, and what src/exceptions turns into exceptions of the same model.
 * https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure
 */
import type { Json } from './value.js';
import { foldCase } from './foldCase.js';

export interface ExemptionResource {
  id: string;
  name: string;
  properties: {
    policyAssignmentId: string;
    policyDefinitionReferenceIds?: string[];
    exemptionCategory: string;
    expiresOn?: string | null;
    displayName?: string;
    description?: string;
    metadata?: { [key: string]: Json };
    assignmentScopeValidation?: string;
    [key: string]: Json | undefined;
  };
}

/** The management group an exemption is at (its name, folded), if it is at one. */
export function exemptionGroup(exemption: Pick<ExemptionResource, 'id'>): string | undefined {
  const m =
    /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)\/providers\/microsoft\.authorization\/policyexemptions\/[^/]+$/i.exec(
      exemption.id
    );
  return m ? foldCase(m[1]) : undefined;
}
