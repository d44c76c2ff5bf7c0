/**
 * What `then.details` must hold for each effect, checked when a definition loads: Azure refuses to
 * create a definition that lacks a required property or gives one a value it does not take.
 * Checked only when the effect is a literal; with an effect parameter Azure's choice of checks
 * depends on the assigned value, which loading cannot know.
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-basics
 */
import { isObject, type Value } from '../model/value.js';
import { DefinitionError } from './errors.js';
import { foldCase } from '../model/foldCase.js';

type Fail = (message: string, path: string) => DefinitionError;

const isExpression = (v: unknown) => typeof v === 'string' && v.startsWith('[') && !v.startsWith('[[');
const keyOf = (obj: Record<string, unknown>, lower: string) => Object.keys(obj).find(k => foldCase(k) === lower);

/** A literal (not an expression) that is not one of `allowed`, compared case-insensitively. */
function outside(v: unknown, allowed: string[]): boolean {
  if (isExpression(v)) return false;
  return typeof v !== 'string' || !allowed.some(a => foldCase(a) === foldCase(v));
}

function requireObject(details: unknown, effect: string, path: string, fail: Fail): Record<string, unknown> {
  if (!isObject(details as Value)) throw fail(`the ${effect} effect needs a "details" object.`, path);
  return details as Record<string, unknown>;
}

function requireRoles(d: Record<string, unknown>, effect: string, path: string, fail: Fail): void {
  const key = keyOf(d, 'roledefinitionids');
  const roles = key === undefined ? undefined : d[key];
  if (isExpression(roles)) return;
  if (!Array.isArray(roles) || roles.length === 0 || roles.some(r => typeof r !== 'string')) {
    throw fail(
      `the ${effect} effect needs "details.roleDefinitionIds": an array of role definition ids that remediation is granted.`,
      key === undefined ? path : `${path}.${key}`
    );
  }
}

/** https://learn.microsoft.com/azure/governance/policy/concepts/effect-append#append-properties */
function checkAppend(details: unknown, path: string, fail: Fail): void {
  if (isExpression(details)) return;
  if (!Array.isArray(details) || details.length === 0) {
    throw fail('the append effect needs "details": an array of {"field", "value"} pairs.', path);
  }
  details.forEach((pair, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(pair as Value)) throw fail('an append detail is a {"field", "value"} object.', at);
    const p = pair as Record<string, unknown>;
    if (typeof p[keyOf(p, 'field') ?? 'field'] !== 'string') throw fail('an append detail needs a "field".', at);
    if (keyOf(p, 'value') === undefined) throw fail('an append detail needs a "value".', at);
  });
}

/** https://learn.microsoft.com/azure/governance/policy/concepts/effect-modify#modify-properties */
function checkModify(details: unknown, path: string, fail: Fail): void {
  const d = requireObject(details, 'modify', path, fail);
  requireRoles(d, 'modify', path, fail);
  const conflictKey = keyOf(d, 'conflicteffect');
  if (conflictKey !== undefined && outside(d[conflictKey], ['audit', 'deny', 'disabled'])) {
    throw fail(
      `"conflictEffect" takes audit, deny or disabled, not ${JSON.stringify(d[conflictKey])}.`,
      `${path}.${conflictKey}`
    );
  }
  const opsKey = keyOf(d, 'operations');
  const ops = opsKey === undefined ? undefined : d[opsKey];
  if (isExpression(ops)) return;
  if (!Array.isArray(ops) || ops.length === 0) {
    throw fail(
      'the modify effect needs "details.operations": an array of {"operation", "field", "value"}.',
      opsKey === undefined ? path : `${path}.${opsKey}`
    );
  }
  ops.forEach((raw, i) => {
    const at = `${path}.${opsKey}[${i}]`;
    if (!isObject(raw as Value)) throw fail('a modify operation is an object.', at);
    const op = raw as Record<string, unknown>;
    const nameKey = keyOf(op, 'operation');
    const name = nameKey === undefined ? undefined : op[nameKey];
    if (outside(name, ['addOrReplace', 'add', 'remove'])) {
      throw fail(
        `"operation" takes addOrReplace, Add or Remove, not ${JSON.stringify(name)}.`,
        nameKey === undefined ? at : `${at}.${nameKey}`
      );
    }
    if (typeof op[keyOf(op, 'field') ?? 'field'] !== 'string') throw fail('a modify operation needs a "field".', at);
    if (typeof name === 'string' && foldCase(name) !== 'remove' && !isExpression(name)) {
      if (keyOf(op, 'value') === undefined) throw fail(`a modify "${name}" operation needs a "value".`, at);
    }
  });
}

/** https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action#denyaction-properties */
function checkDenyAction(details: unknown, path: string, mode: string, fail: Fail): void {
  const d = requireObject(details, 'denyAction', path, fail);
  const namesKey = keyOf(d, 'actionnames');
  const names = namesKey === undefined ? undefined : d[namesKey];
  if (!isExpression(names)) {
    if (!Array.isArray(names) || names.length === 0) {
      throw fail(
        'the denyAction effect needs "details.actionNames": ["delete"].',
        namesKey === undefined ? path : `${path}.${namesKey}`
      );
    }
    names.forEach((n, i) => {
      if (outside(n, ['delete']))
        throw fail(`"actionNames" supports "delete" only, not ${JSON.stringify(n)}.`, `${path}.${namesKey}[${i}]`);
    });
  }
  const cascadeKey = keyOf(d, 'cascadebehaviors');
  if (cascadeKey === undefined) return;
  const cascade = d[cascadeKey];
  const at = `${path}.${cascadeKey}`;
  if (foldCase(mode) !== 'indexed') {
    throw fail(`"cascadeBehaviors" is supported only in definitions whose mode is Indexed, not ${mode}.`, at);
  }
  if (!isObject(cascade as Value)) throw fail('"cascadeBehaviors" takes an object: {"resourceGroup": "deny"}.', at);
  for (const [k, v] of Object.entries(cascade as Record<string, unknown>)) {
    if (outside(v, ['allow', 'deny']))
      throw fail(`"cascadeBehaviors.${k}" takes allow or deny, not ${JSON.stringify(v)}.`, `${at}.${k}`);
  }
}

/** The states a manual definition's `details.defaultState` takes (the page also spells one `Non-compliant`). */
const manualStates = ['Unknown', 'Compliant', 'NonCompliant', 'Non-compliant'];

/** https://learn.microsoft.com/azure/governance/policy/concepts/effect-manual */
function checkManual(details: unknown, path: string, fail: Fail): void {
  if (details === undefined) return;
  const d = requireObject(details, 'manual', path, fail);
  const key = keyOf(d, 'defaultstate');
  if (key !== undefined && outside(d[key], manualStates)) {
    throw fail(
      `"defaultState" takes Unknown, Compliant or NonCompliant, not ${JSON.stringify(d[key])}.`,
      `${path}.${key}`
    );
  }
}

const delays = ['AfterProvisioning', 'AfterProvisioningSuccess', 'AfterProvisioningFailure'];

/**
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-audit-if-not-exists#auditifnotexists-properties
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-deploy-if-not-exists#deployifnotexists-properties
 */
function checkIfNotExists(details: unknown, effect: string, path: string, fail: Fail): void {
  const d = requireObject(details, effect, path, fail);
  const typeKey = keyOf(d, 'type');
  if (typeKey === undefined || typeof d[typeKey] !== 'string') {
    throw fail(`the ${effect} effect needs "details.type": the type of the related resource to look for.`, path);
  }
  const scopeKey = keyOf(d, 'existencescope');
  if (scopeKey !== undefined && outside(d[scopeKey], ['ResourceGroup', 'Subscription'])) {
    throw fail(
      `"existenceScope" takes ResourceGroup or Subscription, not ${JSON.stringify(d[scopeKey])}.`,
      `${path}.${scopeKey}`
    );
  }
  const delayKey = keyOf(d, 'evaluationdelay');
  if (delayKey !== undefined) {
    const v = d[delayKey];
    const duration = typeof v === 'string' && /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/i.test(v);
    if (!duration && outside(v, delays)) {
      throw fail(
        `"evaluationDelay" takes AfterProvisioning, AfterProvisioningSuccess, AfterProvisioningFailure or an ISO 8601 duration such as PT10M, not ${JSON.stringify(v)}.`,
        `${path}.${delayKey}`
      );
    }
  }
  if (effect === 'DeployIfNotExists') {
    requireRoles(d, effect, path, fail);
    if (keyOf(d, 'deployment') === undefined) {
      throw fail(
        'the deployIfNotExists effect needs "details.deployment": the template deployment that remediates.',
        path
      );
    }
  }
}

/** Refuses `details` that Azure would refuse for the (literal, canonical) effect. */
export function checkEffectDetails(effect: string, details: unknown, path: string, mode: string, fail: Fail): void {
  switch (effect) {
    case 'Append':
      return checkAppend(details, path, fail);
    case 'Modify':
      return checkModify(details, path, fail);
    case 'DenyAction':
      return checkDenyAction(details, path, mode, fail);
    case 'Manual':
      return checkManual(details, path, fail);
    case 'AuditIfNotExists':
    case 'DeployIfNotExists':
      return checkIfNotExists(details, effect, path, fail);
    default:
      return;
  }
}
