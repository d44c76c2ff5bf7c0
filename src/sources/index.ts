/**
 * Sources of `Resource`s: ARM templates (expanded as Azure Resource Manager would, with
 * source positions), their parameter files, and resource snapshots.
 */
export { parseJsonWithPositions, type PositionedJson } from './json.js';
export { loadResourceSnapshot, readResourceSnapshot } from './snapshot.js';
export {
  expandTemplateFile,
  expandTemplateDocument,
  notATemplateReason,
  PLACEHOLDER_SUBSCRIPTION,
  type DeploymentContext,
  type ExpandedTemplate,
  type TemplateLoadOptions
} from './templates.js';
export { loadTemplates, type DiscoveryResult } from './discover.js';
export { TemplateError } from './arm/errors.js';
export { expandPattern, globMatcher } from './glob.js';
export { confine, escapeReason, isWithin, realPath, resolveInside } from './boundary.js';
