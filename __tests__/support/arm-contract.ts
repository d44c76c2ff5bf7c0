/**
 * Azure's REST contract, from the OpenAPI (swagger 2.0) files in ../shared/corpus/rest-api:
 * request and response bodies checked with ajv against the schema of the operation their
 * method and path match. Requests are held to more than the schema says, as Azure holds
 * them: a field marked readOnly must not be sent, and an object with listed properties takes
 * no others. So neither the client nor the loopback ARM can drift from what Azure accepts
 * and answers.
 *
 * Schemas from common-types (not in the corpus) are stood in for by the few shapes the
 * files use: ProxyResource (id, name, type, systemData, all readOnly), ErrorResponse,
 * systemData.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';

const Ajv = AjvModule.default ?? AjvModule;
type Schema = { [key: string]: unknown };

const COMMON: { [name: string]: Schema } = {
  systemData: { type: 'object', readOnly: true },
  ProxyResource: {
    type: 'object',
    properties: {
      id: { type: 'string', readOnly: true },
      name: { type: 'string', readOnly: true },
      type: { type: 'string', readOnly: true },
      systemData: { type: 'object', readOnly: true }
    }
  },
  ErrorResponse: {
    type: 'object',
    properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } }
  },
  ResourceSelector: { type: 'object' }
};

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  requestSchema?: string;
  responseSchemas: Map<string, string>;
}

export interface ContractCheck {
  /** The swagger path template matched, or undefined when none matched. */
  operation?: string;
  errors: string[];
}

function walk(value: unknown, visit: (node: Schema) => void): void {
  if (Array.isArray(value)) value.forEach(v => walk(v, visit));
  else if (value && typeof value === 'object') {
    visit(value as Schema);
    for (const v of Object.values(value)) walk(v, visit);
  }
}

/** A copy of a swagger document whose refs to common-types point to our stand-ins. */
function localise(document: Schema, id: string, forRequests: boolean): Schema {
  const copy = JSON.parse(
    JSON.stringify(document).replace(
      /"\$ref":"(?:\.{1,2}\/)[^"#]*#\/definitions\/(\w+)"/g,
      (_m, name: string) => `"$ref":"${id}#/definitions/__common_${name}"`
    )
  ) as Schema;
  const definitions = (copy.definitions ?? {}) as { [name: string]: Schema };
  for (const [name, schema] of Object.entries(COMMON)) definitions[`__common_${name}`] = structuredClone(schema);
  copy.definitions = definitions;
  copy.$id = id;
  delete copy.paths;
  delete copy.parameters;
  if (forRequests) {
    // Schemas other schemas extend (allOf) cannot close their objects: the extension adds fields.
    const extended = new Set<string>();
    walk(definitions, node => {
      for (const part of (Array.isArray(node.allOf) ? node.allOf : []) as Schema[])
        if (typeof part.$ref === 'string') extended.add(part.$ref.split('/').pop() as string);
    });
    for (const name of extended) {
      const schema = definitions[name];
      if (schema && schema.additionalProperties === undefined) schema.additionalProperties = true;
    }
    walk(definitions, node => {
      const properties = node.properties as { [name: string]: Schema } | undefined;
      if (!properties || typeof properties !== 'object') return;
      for (const [name, property] of Object.entries(properties)) {
        // A readOnly field must not be sent: its schema becomes `false`.
        if (property && typeof property === 'object' && property.readOnly === true) properties[name] = false as never;
      }
      if (node.additionalProperties === undefined && !node.allOf) node.additionalProperties = false;
    });
    // Objects composed with allOf (a resource over ProxyResource) list their own and inherited fields.
    walk(definitions, node => {
      if (!Array.isArray(node.allOf) || !node.properties || node.additionalProperties !== undefined) return;
      const names = new Set(Object.keys(node.properties as object));
      for (const part of node.allOf as Schema[]) {
        const ref = typeof part.$ref === 'string' ? part.$ref.split('/').pop() : undefined;
        const parent = ref ? definitions[ref] : undefined;
        for (const inherited of Object.keys((parent?.properties as object | undefined) ?? {})) names.add(inherited);
      }
      node.propertyNames = { enum: [...names] };
    });
  }
  return copy;
}

export class ArmContract {
  private readonly requestAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly responseAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly operations: Operation[] = [];

  /** Adds one swagger file; `id` names it in errors. */
  add(file: string, id: string): this {
    const document = JSON.parse(readFileSync(file, 'utf8')) as Schema;
    this.requestAjv.addSchema(localise(document, `request-${id}`, true));
    this.responseAjv.addSchema(localise(document, `response-${id}`, false));
    const sharedParameters = (document.parameters ?? {}) as { [name: string]: Schema };
    for (const [template, methods] of Object.entries(
      document.paths as { [path: string]: { [method: string]: Schema } }
    )) {
      for (const [method, operation] of Object.entries(methods)) {
        if (method === 'parameters') continue;
        const parameters = ((operation.parameters ?? []) as Schema[]).map(p =>
          typeof p.$ref === 'string' && p.$ref.startsWith('#/parameters/') ? sharedParameters[p.$ref.slice(13)] : p
        );
        const skipEncoding = new Set(
          parameters.filter(p => p?.['x-ms-skip-url-encoding'] === true).map(p => String(p.name))
        );
        const pattern = new RegExp(
          `^${template
            .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
            .replace(/\{([^}]+)\}/g, (_m, name: string) => (skipEncoding.has(name) ? '(.+)' : '([^/]+)'))}$`,
          'i'
        );
        const body = parameters.find(p => p?.in === 'body');
        const bodyRef = (body?.schema as Schema | undefined)?.$ref;
        const responseSchemas = new Map<string, string>();
        for (const [status, response] of Object.entries((operation.responses ?? {}) as { [status: string]: Schema })) {
          const ref = (response.schema as Schema | undefined)?.$ref;
          responseSchemas.set(status, typeof ref === 'string' ? ref : '');
        }
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          requestSchema: typeof bodyRef === 'string' ? `request-${id}${bodyRef}` : undefined,
          responseSchemas: new Map(
            [...responseSchemas].map(([s, ref]) => [
              s,
              ref.startsWith('#')
                ? `response-${id}${ref}`
                : ref
                  ? `response-${id}#/definitions/__common_${ref.split('/').pop()}`
                  : ''
            ])
          )
        });
      }
    }
    return this;
  }

  private find(method: string, urlPath: string): Operation | undefined {
    // The most specific template first: literal segments beat `{scope}`.
    return this.operations
      .filter(o => o.method === method && o.pattern.test(urlPath))
      .sort((a, b) => b.template.replace(/\{[^}]+\}/g, '').length - a.template.replace(/\{[^}]+\}/g, '').length)[0];
  }

  checkRequest(method: string, urlPath: string, body: unknown): ContractCheck {
    const operation = this.find(method, urlPath);
    if (!operation) return { errors: [`no operation in the contract for ${method} ${urlPath}`] };
    if (!operation.requestSchema) {
      return {
        operation: operation.template,
        errors: body === undefined ? [] : ['a body was sent to an operation that takes none']
      };
    }
    const validate = this.requestAjv.getSchema(operation.requestSchema);
    if (!validate) return { operation: operation.template, errors: [`schema ${operation.requestSchema} not found`] };
    return {
      operation: operation.template,
      errors: validate(body) ? [] : this.requestAjv.errorsText(validate.errors, { separator: '\n' }).split('\n')
    };
  }

  checkResponse(method: string, urlPath: string, status: number, body: unknown): ContractCheck {
    const operation = this.find(method, urlPath);
    if (!operation) return { errors: [`no operation in the contract for ${method} ${urlPath}`] };
    const schema = operation.responseSchemas.get(String(status));
    if (schema === undefined) {
      const documented = [...operation.responseSchemas.keys()].filter(s => s !== 'default');
      if (status < 400 && !operation.responseSchemas.has(String(status)))
        return {
          operation: operation.template,
          errors: [`status ${status} is not one the operation documents (${documented.join(', ')})`]
        };
      const fallback = operation.responseSchemas.get('default');
      if (!fallback) return { operation: operation.template, errors: [] };
      return this.validateResponse(operation, fallback, body);
    }
    if (schema === '') return { operation: operation.template, errors: [] };
    return this.validateResponse(operation, schema, body);
  }

  private validateResponse(operation: Operation, schema: string, body: unknown): ContractCheck {
    const validate = this.responseAjv.getSchema(schema);
    if (!validate) return { operation: operation.template, errors: [`schema ${schema} not found`] };
    return {
      operation: operation.template,
      errors: validate(body) ? [] : this.responseAjv.errorsText(validate.errors, { separator: '\n' }).split('\n')
    };
  }
}

/** The policy contract (2025-03-01) from the corpus at `corpus` (../shared/corpus). */
export function policyContract(corpus: string): ArmContract {
  return new ArmContract().add(path.join(corpus, 'rest-api/policy/2025-03-01/openapi.json'), 'policy-2025-03-01');
}
