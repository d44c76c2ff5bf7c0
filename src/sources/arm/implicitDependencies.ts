/**
 * The order `reference()`, `references()` and `list*()` give the resources of one template, as ARM documents it:
 * - "Reference and list expressions implicitly declare that one resource depends on another ... To enforce an
 *   implicit dependency, refer to the resource by name, not resource ID. If you pass the resource ID into the
 *   reference or list functions, an implicit reference isn't created."
 *   (https://learn.microsoft.com/azure/azure-resource-manager/templates/resource-dependency#reference-and-list-functions)
 * - in a template with symbolic names (languageVersion 2.0), `reference()` names a resource of the template by its
 *   symbolic name, and `references('<symbolic name>')` depends on every resource of that loop
 *   (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#reference).
 * - they are valid in a resource's `properties` (and outputs, which order nothing): only calls there count.
 *
 * Where ARM may not evaluate a call, nothing here says it orders anything: a branch of `if()` counts only when its
 * condition is known to choose it, `coalesce()` only its first argument, a lambda's body never, and a call inside a
 * nested deployment's own template is the nested deployment's (what orders the deployment is what its parent
 * evaluates for it: its parameters). A call whose target is not known, or is a resource id, or is a name that
 * more than one resource of the template has, orders nothing. Missing an order ARM makes errs towards more end
 * states (a race reported that cannot happen), never fewer.
 */
import type { Json } from '../../model/value.js';
import { isObject } from '../../model/value.js';
import type { Expr } from '../../expr/ast.js';
import { ExpressionError, evaluate, type EvalContext } from '../../expr/evaluate.js';
import { isExpression, parseTemplateString } from '../../expr/parse.js';
import { foldCase } from '../../model/foldCase.js';

/** A call that names a resource it reads, and the `if()` choices that must hold for ARM to evaluate it. */
export interface ReferenceSite {
  kind: 'reference' | 'references' | 'list';
  /** Its first argument: the resource's name, symbolic name or id. */
  target: Expr;
  guards: { condition: Expr; holds: boolean }[];
}

const MENTIONS = /reference|list/i;

/**
 * The reference sites of a resource declaration's `properties`, the template of a nested deployment left out
 * (`deployment`: the declaration is of `Microsoft.Resources/deployments`).
 */
export function referenceSites(node: { [key: string]: Json }, deployment: boolean): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  const properties = node.properties;
  if (properties === undefined) return sites;
  const visit = (value: Json, top: boolean): void => {
    if (typeof value === 'string') {
      if (!MENTIONS.test(value) || !isExpression(value)) return;
      let parsed: Expr | string;
      try {
        parsed = parseTemplateString(value);
      } catch {
        // A string that does not parse is the template's error where the body is evaluated.
        return;
      }
      if (typeof parsed !== 'string') sitesIn(parsed, [], sites);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, false);
    } else if (isObject(value)) {
      const object = value as { [key: string]: Json };
      for (const key of Object.keys(object)) {
        if (top && deployment && foldCase(key) === 'template') continue;
        visit(object[key], false);
      }
    }
  };
  visit(properties, true);
  return sites;
}

function sitesIn(expr: Expr, guards: ReferenceSite['guards'], out: ReferenceSite[]): void {
  switch (expr.kind) {
    case 'literal':
      return;
    case 'property':
      sitesIn(expr.target, guards, out);
      return;
    case 'index':
      sitesIn(expr.target, guards, out);
      sitesIn(expr.index, guards, out);
      return;
    case 'call': {
      const name = foldCase(expr.name);
      const [first] = expr.args;
      if (name === 'if' && expr.args.length === 3) {
        sitesIn(expr.args[0], guards, out);
        sitesIn(expr.args[1], [...guards, { condition: expr.args[0], holds: true }], out);
        sitesIn(expr.args[2], [...guards, { condition: expr.args[0], holds: false }], out);
        return;
      }
      // The arguments after the first are read only when those before them are null.
      if (name === 'coalesce') {
        if (first) sitesIn(first, guards, out);
        return;
      }
      if (name === 'lambda') return;
      if (first && !name.includes('.')) {
        if (name === 'reference') out.push({ kind: 'reference', target: first, guards });
        else if (name === 'references') out.push({ kind: 'references', target: first, guards });
        else if (name.startsWith('list')) out.push({ kind: 'list', target: first, guards });
      }
      for (const arg of expr.args) sitesIn(arg, guards, out);
      return;
    }
  }
}

/** The name, symbolic name or id a site reads, where ARM is sure to evaluate it with these values; else undefined. */
export function siteTarget(site: ReferenceSite, ctx: EvalContext): string | undefined {
  try {
    for (const guard of site.guards) {
      if (evaluate(guard.condition, ctx) !== guard.holds) return undefined;
    }
    const target = evaluate(site.target, ctx);
    return typeof target === 'string' ? target : undefined;
  } catch (error) {
    // A call that fails is the template's error where the body is evaluated; it orders nothing here.
    if (error instanceof ExpressionError) return undefined;
    throw error;
  }
}
