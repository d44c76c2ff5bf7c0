export const id = 85;
export const ids = [85];
export const modules = {

/***/ 2085:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ArmConnection: () => (/* reexport */ ArmConnection),
  ArmError: () => (/* reexport */ ArmError),
  ArmRest: () => (/* reexport */ ArmRest),
  ComplianceStates: () => (/* reexport */ ComplianceStates),
  DEFAULT_CONCURRENCY: () => (/* reexport */ DEFAULT_CONCURRENCY),
  DEFAULT_MAX_RESPONSE_BYTES: () => (/* reexport */ DEFAULT_MAX_RESPONSE_BYTES),
  DEFAULT_RETRY: () => (/* reexport */ DEFAULT_RETRY),
  DEFAULT_SCAN_TIMEOUT_MS: () => (/* reexport */ DEFAULT_SCAN_TIMEOUT_MS),
  DEFAULT_TIMEOUT_MS: () => (/* reexport */ DEFAULT_TIMEOUT_MS),
  EXEMPTIONS_API_VERSION: () => (/* reexport */ EXEMPTIONS_API_VERSION),
  ExemptionStore: () => (/* reexport */ ExemptionStore),
  MAX_PAGES: () => (/* reexport */ MAX_PAGES),
  OIDC_AUDIENCE: () => (/* reexport */ OIDC_AUDIENCE),
  POLICY_API_VERSION: () => (/* reexport */ POLICY_API_VERSION),
  POLICY_INSIGHTS_API_VERSION: () => (/* reexport */ POLICY_INSIGHTS_API_VERSION),
  PolicyStore: () => (/* reexport */ PolicyStore),
  RESOURCE_GRAPH_API_VERSION: () => (/* reexport */ RESOURCE_GRAPH_API_VERSION),
  RESOURCE_GRAPH_PAGE_SIZE: () => (/* reexport */ RESOURCE_GRAPH_PAGE_SIZE),
  ResourceGraph: () => (/* reexport */ ResourceGraph),
  TOKEN_VARIABLE: () => (/* reexport */ TOKEN_VARIABLE),
  applyPlan: () => (/* reexport */ applyPlan),
  assignmentName: () => (/* reexport */ azure_desired/* assignmentName */.R1),
  canAssignAt: () => (/* reexport */ azure_scope/* canAssignAt */.HF),
  cleanText: () => (/* reexport */ cleanText),
  cloudNames: () => (/* reexport */ cloudNames),
  connectArm: () => (/* reexport */ connectArm),
  desiredState: () => (/* reexport */ azure_desired/* desiredState */.Iq),
  exemptionId: () => (/* reexport */ exemptionId),
  exemptionScope: () => (/* reexport */ exemptionScope),
  isLoopbackHost: () => (/* reexport */ isLoopbackHost),
  nameOfId: () => (/* reexport */ azure_scope/* nameOfId */.gu),
  ownerOf: () => (/* reexport */ azure_desired/* ownerOf */.bf),
  parseDefinitionScope: () => (/* reexport */ azure_scope/* parseDefinitionScope */.R5),
  parseScope: () => (/* reexport */ azure_scope/* parseScope */.Sk),
  planDeployment: () => (/* reexport */ planDeployment),
  publishCompiled: () => (/* reexport */ publishCompiled),
  publishScopes: () => (/* reexport */ publishScopes),
  readArmErrorBody: () => (/* reexport */ readArmErrorBody),
  readCompliance: () => (/* reexport */ readCompliance),
  readExisting: () => (/* reexport */ readExisting),
  readLiveResources: () => (/* reexport */ readLiveResources),
  resolveArmEndpoint: () => (/* reexport */ resolveArmEndpoint),
  resolveOwner: () => (/* reexport */ resolveOwner),
  resourceIdAt: () => (/* reexport */ azure_scope/* resourceIdAt */.DZ),
  resourceQuery: () => (/* reexport */ resourceQuery),
  sameId: () => (/* reexport */ azure_scope/* sameId */.s),
  scopeOfId: () => (/* reexport */ azure_scope/* scopeOfId */.J5),
  selectCredential: () => (/* reexport */ selectCredential),
  shortScope: () => (/* reexport */ azure_scope/* shortScope */.ZD),
  staticTokenCredential: () => (/* reexport */ staticTokenCredential),
  toArmError: () => (/* reexport */ toArmError),
  tokenFromEnvironment: () => (/* reexport */ tokenFromEnvironment)
});

// EXTERNAL MODULE: ./node_modules/@azure/core-rest-pipeline/dist/esm/index.js + 38 modules
var esm = __webpack_require__(690);
// EXTERNAL MODULE: ./src/model/errors.ts
var model_errors = __webpack_require__(7206);
// EXTERNAL MODULE: ./src/version.ts
var version = __webpack_require__(311);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(7030);
// EXTERNAL MODULE: ./src/model/foldCase.ts
var foldCase = __webpack_require__(6730);
;// CONCATENATED MODULE: ./src/azure/clouds.ts
/**
 * Which Resource Manager to talk to: a named Azure cloud, or any other endpoint given as a
 * URL (Azure Stack Hub, a test server). Plain http is accepted only for loopback addresses,
 * so a bearer token never crosses a network unencrypted.
 * https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
 */



const clouds = {
    AzureCloud: { arm: 'https://management.azure.com', authority: 'https://login.microsoftonline.com' },
    AzureUSGovernment: { arm: 'https://management.usgovcloudapi.net', authority: 'https://login.microsoftonline.us' },
    AzureChinaCloud: { arm: 'https://management.chinacloudapi.cn', authority: 'https://login.chinacloudapi.cn' }
};
const cloudNames = Object.keys(clouds);
/** The variable the Azure SDKs read for another Entra ID authority (a private cloud, a sovereign one). */
const AUTHORITY_VARIABLE = 'AZURE_AUTHORITY_HOST';
/**
 * `AZURE_AUTHORITY_HOST` when it is set, as the Azure SDKs read it; otherwise the cloud's authority. Entra ID is only spoken to over https (MSAL refuses anything else), so that is checked here, where the
 * message can name the variable.
 */
function resolveAuthority(cloudAuthority, env) {
    const raw = env[AUTHORITY_VARIABLE]?.trim();
    if (!raw)
        return { host: cloudAuthority, known: true };
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        throw new model_errors/* UserError */.yo(`${AUTHORITY_VARIABLE} is '${raw}', which is not a URL; write the Entra ID authority, e.g. https://login.microsoftonline.us.`);
    }
    if (url.protocol !== 'https:')
        throw new model_errors/* UserError */.yo(`${AUTHORITY_VARIABLE} is '${raw}'; Entra ID is reached over https only: use an https:// URL.`);
    if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
        throw new model_errors/* UserError */.yo(`${AUTHORITY_VARIABLE} is '${raw}'; give only the scheme, host and port of the authority, without a path, query or user name.`);
    const known = Object.values(clouds).some(cloud => cloud.authority === url.origin);
    return { host: url.origin, known };
}
/** Whether a URL host is this machine: 127.0.0.0/8, ::1 or `localhost`. */
function isLoopbackHost(hostname) {
    const host = (0,foldCase/* foldCase */.SP)(hostname.replace(/^\[|\]$/g, ''));
    if (host === 'localhost')
        return true;
    if ((0,external_node_net_.isIP)(host) === 4)
        return host.startsWith('127.');
    if ((0,external_node_net_.isIP)(host) === 6)
        return host === '::1' || host === '0:0:0:0:0:0:0:1';
    return false;
}
function cloudByName(name) {
    const match = cloudNames.find(c => (0,foldCase/* foldCase */.SP)(c) === (0,foldCase/* foldCase */.SP)(name.trim()));
    if (!match)
        throw new model_errors/* UserError */.yo(`--cloud is '${name}'; use one of ${cloudNames.join(', ')}, or --arm-endpoint URL.`);
    return match;
}
/** The endpoint for `--cloud` and `--arm-endpoint` (which wins when given). */
function resolveArmEndpoint(cloud, armEndpoint) {
    const named = clouds[cloudByName(cloud ?? 'AzureCloud')];
    if (armEndpoint === undefined || armEndpoint.trim() === '') {
        return {
            url: named.arm,
            authorityHost: named.authority,
            scope: `${named.arm}/.default`,
            loopbackHttp: false,
            description: named.arm
        };
    }
    let url;
    try {
        url = new URL(armEndpoint.trim());
    }
    catch {
        throw new model_errors/* UserError */.yo(`--arm-endpoint is '${armEndpoint}', which is not a URL; write e.g. https://management.local.azurestack.external.`);
    }
    if (url.username || url.password)
        throw new model_errors/* UserError */.yo('--arm-endpoint must not carry a user name or password; give the credential another way.');
    if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
        throw new model_errors/* UserError */.yo(`--arm-endpoint is '${armEndpoint}'; give only the scheme, host and port, without a path or query.`);
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol === 'http:' && !loopback) {
        throw new model_errors/* UserError */.yo(`--arm-endpoint is '${armEndpoint}': plain http is accepted only for loopback addresses (127.0.0.1, ::1, localhost), so a token never crosses a network unencrypted; use https.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new model_errors/* UserError */.yo(`--arm-endpoint is '${armEndpoint}'; use an https:// URL.`);
    const origin = url.origin;
    return {
        url: origin,
        authorityHost: named.authority,
        scope: `${origin}/.default`,
        loopbackHttp: url.protocol === 'http:',
        description: origin
    };
}

// EXTERNAL MODULE: ./node_modules/@azure/identity/dist/esm/index.js + 166 modules
var dist_esm = __webpack_require__(6969);
;// CONCATENATED MODULE: ./src/azure/credential.ts



const TOKEN_VARIABLE = 'CMK_GUARD_AZURE_TOKEN';
/** The audience GitHub's ID token is requested for, as Entra ID's federated credentials expect. */
const OIDC_AUDIENCE = 'api://AzureADTokenExchange';
/** A token given as is; its expiry is not known, so Azure's 401 is what tells it has expired. */
function staticTokenCredential(token) {
    return {
        getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 })
    };
}
/** How long before its expiry a cached token is asked for again. */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;
/**
 * One token for every client of a run: each SDK client's pipeline, and each request on loopback, asks the
 * credential, and several ask at once when a plan starts. Without this each would sign in on its own (with
 * OpenID Connect: a request for the runner's ID token and an exchange with Entra ID each time). A token is
 * kept per scope and tenant until five minutes before it expires; callers that ask while it is being fetched
 * share that fetch; a failed fetch is not kept, and a request with claims (a challenge) always goes through.
 */
function sharedTokenCredential(inner, clock = Date.now) {
    const cache = new Map();
    const forget = (key, entry) => {
        if (cache.get(key) === entry)
            cache.delete(key);
    };
    return {
        async getToken(scopes, options) {
            if (options?.claims)
                return inner.getToken(scopes, options);
            const key = `${[scopes].flat().join(' ')}\u0000${options?.tenantId ?? ''}`;
            const kept = cache.get(key);
            if (kept && !kept.token)
                return kept.fetching;
            if (kept?.token && clock() < refreshAt(kept.token))
                return kept.token;
            // The caller's abort signal is not passed on: the fetch is shared with callers that did not abort.
            const entry = {
                fetching: inner.getToken(scopes, options?.tenantId ? { tenantId: options.tenantId } : {})
            };
            cache.set(key, entry);
            try {
                const token = await entry.fetching;
                if (token)
                    entry.token = token;
                else
                    forget(key, entry);
                return token;
            }
            catch (error) {
                forget(key, entry);
                throw error;
            }
        }
    };
}
/** When a kept token is asked for again: when its issuer says, and at the latest five minutes before it expires. */
function refreshAt(token) {
    return Math.min(token.refreshAfterTimestamp ?? Infinity, token.expiresOnTimestamp - TOKEN_REFRESH_MARGIN_MS);
}
/** The token from CMK_GUARD_AZURE_TOKEN, without a `Bearer ` prefix, or undefined when unset. */
function tokenFromEnvironment(env) {
    const raw = env[TOKEN_VARIABLE];
    if (raw === undefined || raw.trim() === '')
        return undefined;
    const token = raw.trim().replace(/^bearer\s+/i, '');
    // It goes into an HTTP header: anything but the characters of a token (RFC 6750's b64token) could
    // split the header or smuggle another one.
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) {
        throw new model_errors/* UserError */.yo(`${TOKEN_VARIABLE} holds characters a bearer token cannot have (spaces, line breaks, quotes); set it to the access token alone.`);
    }
    return token;
}
function selectCredential(settings) {
    const token = tokenFromEnvironment(settings.env);
    if (token) {
        return { credential: staticTokenCredential(token), description: `the token in ${TOKEN_VARIABLE}`, secret: token };
    }
    const authority = resolveAuthority(settings.authorityHost, settings.env);
    // An authority that is not a named cloud's (a private or test one) is not looked up in Microsoft's instance
    // discovery, which knows only its own clouds and may not be reachable from there.
    const options = { authorityHost: authority.host, ...(authority.known ? {} : { disableInstanceDiscovery: true }) };
    const inActions = settings.env.GITHUB_ACTIONS === 'true';
    if (inActions && settings.clientId && settings.tenantId) {
        const idToken = settings.idToken;
        if (!idToken || !settings.env.ACTIONS_ID_TOKEN_REQUEST_URL) {
            throw new model_errors/* UserError */.yo('client-id and tenant-id are set, but the job cannot request an OIDC token; add `permissions: id-token: write` to the workflow or job.');
        }
        return {
            credential: new dist_esm/* ClientAssertionCredential */.XI(settings.tenantId, settings.clientId, () => idToken(OIDC_AUDIENCE), options),
            description: `OpenID Connect as application ${settings.clientId} in tenant ${settings.tenantId}`
        };
    }
    if (settings.clientId || settings.tenantId) {
        if (!inActions)
            throw new model_errors/* UserError */.yo('client-id and tenant-id sign in with GitHub OpenID Connect, which only a GitHub Actions job has; run `az login` (or set CMK_GUARD_AZURE_TOKEN) instead.');
        throw new model_errors/* UserError */.yo('OpenID Connect needs both client-id and tenant-id; give the one that is missing.');
    }
    if (inActions) {
        return {
            credential: new dist_esm/* ChainedTokenCredential */.Rk(new dist_esm/* EnvironmentCredential */.lp(options), new dist_esm/* AzureCliCredential */.nG()),
            description: 'the environment credentials (AZURE_CLIENT_ID, \u2026) or the Azure CLI sign-in of azure/login'
        };
    }
    return {
        credential: new dist_esm/* DefaultAzureCredential */.gv(options),
        description: 'the default Azure credential chain (environment, managed identity, Azure CLI, \u2026)'
    };
}
/** What to tell a user whose credential could not produce a token. */
function signInAdvice(env) {
    return env.GITHUB_ACTIONS === 'true'
        ? 'give client-id and tenant-id (with `permissions: id-token: write`), or run azure/login in a step before, or set CMK_GUARD_AZURE_TOKEN'
        : 'run `az login`, or set AZURE_CLIENT_ID, AZURE_TENANT_ID and a secret or certificate, or set CMK_GUARD_AZURE_TOKEN to an access token for Resource Manager';
}

// EXTERNAL MODULE: ./src/azure/scope.ts
var azure_scope = __webpack_require__(8179);
;// CONCATENATED MODULE: ./src/azure/policyAnswers.ts
/**
 * The shape of Resource Manager's answers to policy list requests (and, below, to Policy
 * Insights' and Resource Graph's queries), checked before the SDK reads them. The SDK assumes the documented shape: a `value` that is not a list, an item
 * that is `null` or a member list that is a string makes it throw a TypeError, and an item
 * whose `id` or `properties` is not what ARM sends is quietly dropped or emptied. Quietly is
 * the danger: a definition that could not be read would be planned as a *create*, and the PUT
 * would overwrite something cmk-guard has not seen, owned by someone else. So an answer that
 * is not in the shape policy 2025-03-01 documents stops the run, saying where it is wrong,
 * before anything is written.
 *
 * What is checked is what cmk-guard reads: the page (`value`, `nextLink`), each item's `id`
 * (a policy resource id of the listed type), `name` (the id's last segment), `properties`, and
 * the members the plan compares. Nesting deeper than MAX_ANSWER_DEPTH is refused, so nothing
 * downstream recurses without bound.
 */


/** Deeper than any policy Azure accepts (a rule holds at most 512 nested conditions). */
const MAX_ANSWER_DEPTH = 1000;
function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
}
function describe(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'a list';
    return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
/** The kind of list a request path asks for, or undefined when it is not a policy list. */
function policyListKind(path) {
    const match = /\/providers\/microsoft\.authorization\/(policydefinitions|policysetdefinitions|policyassignments)$/i.exec(path);
    if (!match)
        return undefined;
    const lower = (0,foldCase/* foldCase */.SP)(match[1]);
    return lower === 'policydefinitions'
        ? 'policyDefinitions'
        : lower === 'policysetdefinitions'
            ? 'policySetDefinitions'
            : 'policyAssignments';
}
/** The kind of policy resource a request path reads by name (`\u2026/policyDefinitions/{name}`), or undefined. */
function policyItemKind(path) {
    const at = path.replace(/\/+$/, '').lastIndexOf('/');
    return at > 0 ? policyListKind(path.slice(0, at)) : undefined;
}
/** How deep a JSON value nests, counted without recursion, stopping past `limit`. */
function nestingDepth(value, limit) {
    let deepest = 0;
    const stack = [[value, 1]];
    while (stack.length) {
        const [item, depth] = stack.pop();
        if (item === null || typeof item !== 'object')
            continue;
        if (depth > deepest)
            deepest = depth;
        if (deepest > limit)
            return deepest;
        for (const child of Array.isArray(item) ? item : Object.values(item))
            stack.push([child, depth + 1]);
    }
    return deepest;
}
/** ARM answers `null` for an optional field that is unset as often as it leaves it out: both are absent. */
const absent = (value) => value === undefined || value === null;
class Problems {
    first;
    note(path, what) {
        this.first ??= `${path} ${what}`;
    }
    /** A required value that is not there at all. */
    missing(value, path, required) {
        if (value !== undefined || !required)
            return false;
        this.note(path, 'is missing');
        return true;
    }
    string(value, path, required = false) {
        if ((absent(value) && !required) || this.missing(value, path, required))
            return;
        if (typeof value !== 'string')
            this.note(path, `is ${describe(value)}, not a string`);
    }
    object(value, path, required = false) {
        if ((absent(value) && !required) || this.missing(value, path, required))
            return false;
        if (!isObject(value)) {
            this.note(path, `is ${describe(value)}, not an object`);
            return false;
        }
        return true;
    }
    list(value, path, required = false) {
        if ((absent(value) && !required) || this.missing(value, path, required))
            return false;
        if (!Array.isArray(value)) {
            this.note(path, `is ${describe(value)}, not a list`);
            return false;
        }
        return true;
    }
    /** `{name: {\u2026}}`: parameter declarations or values. */
    entries(value, path) {
        if (!this.object(value, path))
            return;
        for (const [name, entry] of Object.entries(value))
            this.object(entry, `${path}.${name}`, true);
    }
}
function checkItem(kind, item, at, problems, asked = 'listed') {
    if (!problems.object(item, at, true))
        return;
    const resource = item;
    problems.string(resource.id, `${at}.id`, true);
    problems.string(resource.name, `${at}.name`, true);
    if (typeof resource.id === 'string') {
        if (policyListKind(resource.id.slice(0, resource.id.lastIndexOf('/'))) !== kind)
            problems.note(`${at}.id`, `is not the id of one of the ${kind} ${asked}`);
        else if (typeof resource.name === 'string' && !(0,azure_scope/* sameId */.s)((0,azure_scope/* nameOfId */.gu)(resource.id), resource.name))
            problems.note(`${at}.name`, `is not the last segment of its id`);
    }
    if (typeof resource.name === 'string' && resource.name.trim() === '')
        problems.note(`${at}.name`, 'is empty');
    if (!problems.object(resource.properties, `${at}.properties`, true))
        return;
    const p = resource.properties;
    for (const field of ['displayName', 'description', 'policyType', 'mode', 'enforcementMode', 'version'])
        problems.string(p[field], `${at}.properties.${field}`);
    // `metadata` has no type in the API ("an open ended object"): any JSON value is within the contract, and
    // ownerOf reads an owner only from an object that holds one.
    if (kind === 'policyDefinitions') {
        problems.entries(p.parameters, `${at}.properties.parameters`);
        problems.object(p.policyRule, `${at}.properties.policyRule`);
    }
    if (kind === 'policySetDefinitions') {
        problems.entries(p.parameters, `${at}.properties.parameters`);
        if (absent(p.policyDefinitions))
            problems.note(`${at}.properties.policyDefinitions`, 'is missing');
        if (problems.list(p.policyDefinitions, `${at}.properties.policyDefinitions`)) {
            p.policyDefinitions.forEach((member, i) => {
                const path = `${at}.properties.policyDefinitions[${i}]`;
                if (!problems.object(member, path, true))
                    return;
                const m = member;
                problems.string(m.policyDefinitionId, `${path}.policyDefinitionId`, true);
                problems.string(m.policyDefinitionReferenceId, `${path}.policyDefinitionReferenceId`);
                problems.entries(m.parameters, `${path}.parameters`);
                problems.list(m.groupNames, `${path}.groupNames`);
            });
        }
        problems.list(p.policyDefinitionGroups, `${at}.properties.policyDefinitionGroups`);
    }
    if (kind === 'policyAssignments') {
        problems.string(p.policyDefinitionId, `${at}.properties.policyDefinitionId`, true);
        problems.entries(p.parameters, `${at}.properties.parameters`);
        if (problems.list(p.notScopes, `${at}.properties.notScopes`))
            p.notScopes.forEach((s, i) => problems.string(s, `${at}.properties.notScopes[${i}]`, true));
        if (problems.list(p.nonComplianceMessages, `${at}.properties.nonComplianceMessages`)) {
            p.nonComplianceMessages.forEach((message, i) => {
                const path = `${at}.properties.nonComplianceMessages[${i}]`;
                if (problems.object(message, path, true))
                    problems.string(message.message, `${path}.message`, true);
            });
        }
        problems.string(resource.location, `${at}.location`);
        problems.object(resource.identity, `${at}.identity`);
    }
}
/**
 * What is wrong with the body of a write's successful answer, or undefined: a PUT answers with
 * what was written (an object with `properties`); a DELETE with nothing, or with what was deleted.
 * An error body, a proxy's page (the SDK gives it as a string) or no body at all in place of that
 * says nothing of whether the write was done. The id is not compared with the name written: Azure's
 * own examples answer with another (createOrUpdatePolicyDefinitionAdvancedParams.json).
 */
function writeAnswerProblem(method, body) {
    if (body === undefined || body === null || body === '')
        return method === 'PUT' ? 'no body' : undefined;
    if (body === NOT_JSON || typeof body === 'string')
        return 'a body that is not JSON';
    if (!isObject(body))
        return `a body that is ${describe(body)}`;
    if (body.error !== undefined)
        return 'an error body';
    if (method === 'DELETE')
        return undefined;
    if (!isObject(body.properties))
        return 'a body without properties';
    return undefined;
}
/** The parsed body a check is given when the answer is not JSON. */
const NOT_JSON = Symbol('not JSON');
/** A next-page link, when there is one: a string that is an absolute URL. */
function checkNextLink(value, path, problems) {
    if (absent(value))
        return;
    problems.string(value, path);
    // ARM's nextLink is an absolute URL; where it points is the origin guard's to check.
    if (typeof value === 'string' && value !== '' && !URL.canParse(value))
        problems.note(path, 'is not a URL');
}
/**
 * The items of a page (`value`, and its next-page link under `nextLinkName`, whose problems are noted), or
 * why the page is not one: not JSON, not an object, no `value` list, or nested past MAX_ANSWER_DEPTH.
 */
function pageItems(body, nextLinkName, problems) {
    if (body === NOT_JSON)
        return 'the answer is not JSON';
    if (!problems.object(body, 'the answer', true))
        return problems.first;
    const page = body;
    if (page.value === undefined)
        return 'the answer has no `value` list';
    if (!problems.list(page.value, 'value', true))
        return problems.first;
    checkNextLink(page[nextLinkName], nextLinkName, problems);
    if (nestingDepth(page.value, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH)
        return `the answer nests deeper than ${MAX_ANSWER_DEPTH} levels`;
    return page.value;
}
/**
 * Where a page of a policy list departs from the documented shape, as "value[2].name is a
 * number, not a string", or undefined when it does not.
 */
function checkPolicyListPage(kind, body) {
    const problems = new Problems();
    const items = pageItems(body, 'nextLink', problems);
    if (typeof items === 'string')
        return items;
    items.forEach((item, i) => checkItem(kind, item, `value[${i}]`, problems));
    return problems.first;
}
/**
 * Where a policy resource read by name (a GET of one definition, initiative or assignment: what
 * deploy reads back after a lost answer, and each assignment Resource Graph points to) departs from
 * the documented shape, or undefined. Without it, an error body answered 200 reads as a resource
 * with no properties: one that differs from what was written, or that assigns nothing.
 */
function checkPolicyItem(kind, body) {
    if (body === NOT_JSON)
        return 'the answer is not JSON';
    if (nestingDepth(body, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH)
        return `the answer nests deeper than ${MAX_ANSWER_DEPTH} levels`;
    const problems = new Problems();
    checkItem(kind, body, 'the answer', problems, 'asked for');
    return problems.first;
}
/** What cmk-guard reads of a policy state besides `resourceId`: strings, when present. */
const POLICY_STATE_STRINGS = [
    'resourceType',
    'complianceState',
    'policyAssignmentId',
    'policyDefinitionId',
    'policyDefinitionReferenceId',
    'policyDefinitionName',
    'policyDefinitionAction',
    'policySetDefinitionId'
];
/**
 * Where a page of Policy Insights' states (`PolicyStatesQueryResults`: `value`, `@odata.nextLink`)
 * departs from the documented shape, or undefined. The SDK reads a page without a `value` list (an
 * error body answered 200, a proxy's HTML page) as a page of no states, and compliance would pass
 * on it; a state that is `null`, or a field of another type, made it throw a TypeError.
 */
function checkPolicyStatesPage(body) {
    const problems = new Problems();
    const items = pageItems(body, '@odata.nextLink', problems);
    if (typeof items === 'string')
        return items;
    items.forEach((state, i) => {
        const at = `value[${i}]`;
        if (!problems.object(state, at, true))
            return;
        const fields = state;
        problems.string(fields.resourceId, `${at}.resourceId`, true);
        for (const field of POLICY_STATE_STRINGS)
            problems.string(fields[field], `${at}.${field}`);
        if (!absent(fields.isCompliant) && typeof fields.isCompliant !== 'boolean')
            problems.note(`${at}.isCompliant`, `is ${describe(fields.isCompliant)}, not true or false`);
        problems.string(fields.timestamp, `${at}.timestamp`);
        if (typeof fields.timestamp === 'string' && !Number.isFinite(Date.parse(fields.timestamp)))
            problems.note(`${at}.timestamp`, 'is not a date');
    });
    return problems.first;
}
/**
 * Where an answer to a Resource Graph query (`QueryResponse`) departs from the documented shape, or
 * undefined. The rows themselves (`data`, a list of objects) are checked as they are read; here the
 * page: an object, `$skipToken` a string, `resultTruncated` `"true"`/`"false"`, the counts numbers. A
 * `null` answer made the SDK throw a TypeError.
 */
function checkResourceGraphAnswer(body) {
    const problems = new Problems();
    if (body === NOT_JSON)
        return 'the answer is not JSON';
    if (!problems.object(body, 'the answer', true))
        return problems.first;
    const page = body;
    if (!problems.list(page.data, 'data', true))
        return problems.first;
    problems.string(page.$skipToken, '$skipToken');
    if (!absent(page.resultTruncated) && !['true', 'false'].includes(String(page.resultTruncated).toLowerCase()))
        problems.note('resultTruncated', 'is neither "true" nor "false"');
    for (const count of ['count', 'totalRecords'])
        if (!absent(page[count]) && typeof page[count] !== 'number')
            problems.note(count, `is ${describe(page[count])}, not a number`);
    return problems.first;
}

;// CONCATENATED MODULE: ./src/azure/throttle.ts
const triesOf = new WeakMap();
/** Counts a try of `request` (each time it is sent, the first time included). */
function countTry(request, settings, now = Date.now()) {
    const tries = triesOf.get(request);
    if (tries)
        tries.count++;
    else
        triesOf.set(request, { count: 1, startedAt: now, askedMs: 0, capped: false, maxWaitMs: settings.maxWaitMs });
}
/** A wait in milliseconds from a header's value: a whole number of `unit` ms, or an HTTP-date. */
function waitFrom(value, unit, now, dateAllowed) {
    const text = value?.trim();
    if (!text)
        return undefined;
    if (/^\d+(\.\d+)?$/.test(text))
        return Number(text) * unit;
    if (!dateAllowed || /^[+-]?\d/.test(text))
        return undefined;
    const at = Date.parse(text);
    return Number.isFinite(at) ? Math.max(at - now, 0) : undefined;
}
/** The wait a 429 or 503 asks for, in milliseconds, or undefined when it asks for none. */
function askedWaitMs(response, now = Date.now()) {
    const headers = response.headers;
    const quota = /^(\d+):(\d{2}):(\d{2})$/.exec(headers.get('x-ms-user-quota-resets-after')?.trim() ?? '');
    const candidates = [
        waitFrom(headers.get('retry-after-ms'), 1, now, false),
        waitFrom(headers.get('x-ms-retry-after-ms'), 1, now, false),
        waitFrom(headers.get('retry-after'), 1000, now, true),
        quota ? (Number(quota[1]) * 3600 + Number(quota[2]) * 60 + Number(quota[3])) * 1000 : undefined
    ];
    const asked = candidates.find(wait => wait !== undefined && Number.isFinite(wait));
    return asked;
}
/**
 * Sets on a 429 or 503 the wait the retry policy takes before the next try (see the module
 * comment); other answers are left as they are. `random` is for tests.
 */
function throttleWait(request, response, settings, random = Math.random, now = Date.now()) {
    if (response.status !== 429 && response.status !== 503)
        return;
    const tries = triesOf.get(request);
    const asked = askedWaitMs(response, now);
    let wait;
    if (asked !== undefined) {
        if (tries) {
            tries.askedMs = Math.max(tries.askedMs, asked);
            if (asked > settings.maxWaitMs && !tries.capped) {
                tries.capped = true;
                settings.notice?.(`Azure answered ${response.status} to ${describeRequest(request)} and asked to wait ${durationText(asked)} before trying again; cmk-guard waits at most ${durationText(settings.maxWaitMs)} between tries.`);
            }
        }
        const base = Math.min(asked, settings.maxWaitMs);
        wait = Math.min(base + random() * Math.min(base / 4, 1000), settings.maxWaitMs);
    }
    else if (response.status === 429) {
        const exponential = Math.min(settings.firstDelayMs * 2 ** ((tries?.count ?? 1) - 1), settings.maxWaitMs);
        wait = exponential / 2 + random() * (exponential / 2);
    }
    else {
        return;
    }
    response.headers.delete('x-ms-retry-after-ms');
    response.headers.set('retry-after-ms', String(Math.round(wait)));
}
/** `PUT /subscriptions/\u2026/policyDefinitions/x`: the method and path of a request, without its query. */
function describeRequest(request) {
    const { method, url } = request;
    if (typeof url !== 'string' || !URL.canParse(url))
        return 'a request';
    return `${typeof method === 'string' ? `${method} ` : ''}${new URL(url).pathname}`;
}
/** A duration in words: `40 ms`, `12 s`, `3 min 20 s`, `24 h`. */
function durationText(ms) {
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    const seconds = Math.round(ms / 1000);
    if (seconds < 120)
        return `${seconds} s`;
    if (seconds < 7200)
        return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
    const minutes = Math.round(seconds / 60);
    return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}
/**
 * What the tries of the request came to, as a sentence to end an error with (empty when it was
 * tried once): how many, over how long, and whether Azure asked for longer waits than cmk-guard takes.
 */
function triesNote(request, now = Date.now()) {
    const tries = request ? triesOf.get(request) : undefined;
    if (!tries || tries.count < 2)
        return '';
    const capped = tries.capped
        ? `; Azure asked to wait ${durationText(tries.askedMs)} before trying again, and cmk-guard waits at most ${durationText(tries.maxWaitMs)} between tries`
        : '';
    return ` cmk-guard tried ${tries.count} times over ${durationText(now - tries.startedAt)}${capped}.`;
}

// EXTERNAL MODULE: ./src/model/jsonText.ts
var jsonText = __webpack_require__(5120);
;// CONCATENATED MODULE: ./src/azure/policies.ts





const LOOPBACK_BEARER_POLICY = 'cmkGuardLoopbackBearerPolicy';
const ARM_GUARD_POLICY = 'cmkGuardArmGuardPolicy';
/**
 * Sets the bearer token on plain-http requests to a loopback Resource Manager (a test server,
 * an emulator). The SDK's bearer policy refuses any non-https URL, even on loopback; this one
 * refuses anything that is not loopback.
 */
function loopbackBearerPolicy(credential, scope) {
    return {
        name: LOOPBACK_BEARER_POLICY,
        async sendRequest(request, next) {
            const url = new URL(request.url);
            if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname)) {
                throw new Error(`cmk-guard sends a token over plain http only to loopback addresses, not to ${url.origin}.`);
            }
            request.allowInsecureConnection = true;
            const token = await credential.getToken(scope, { abortSignal: request.abortSignal });
            if (!token)
                throw new Error('the credential gave no token.');
            request.headers.set('Authorization', `Bearer ${token.token}`);
            return next(request);
        }
    };
}
/** A response body over the limit: reported, not retried. */
class ResponseTooLargeError extends Error {
    limit;
    url;
    constructor(limit, url) {
        super(`the response was larger than ${Math.round(limit / (1024 * 1024))} MB`);
        this.limit = limit;
        this.url = url;
        this.name = 'ResponseTooLargeError';
    }
}
/** A request to somewhere other than the chosen Resource Manager. */
class ForeignOriginError extends Error {
    url;
    constructor(url) {
        super(`refused to send a request to ${new URL(url).origin}, which is not the Resource Manager endpoint`);
        this.url = url;
        this.name = 'ForeignOriginError';
    }
}
const TIMED_OUT = 'ETIMEDOUT';
/**
 * The body of each error answer, by request: some SDK paths (a list page that fails) build
 * their error without ARM's message, and the message is what tells the user what to change.
 */
const errorBodies = new WeakMap();
function errorBodyOf(request) {
    return request ? errorBodies.get(request) : undefined;
}
function armGuardPolicy(settings) {
    return {
        name: ARM_GUARD_POLICY,
        async sendRequest(request, next) {
            if (new URL(request.url).origin !== settings.origin)
                throw new ForeignOriginError(request.url);
            if (!(request.timeout > 0))
                request.timeout = settings.timeoutMs;
            const throttle = {
                firstDelayMs: settings.firstRetryDelayMs,
                maxWaitMs: settings.maxRetryAfterMs,
                notice: settings.notice
            };
            countTry(request, throttle);
            let tooLarge = false;
            const progress = request.onDownloadProgress;
            request.onDownloadProgress = event => {
                if (event.loadedBytes > settings.maxResponseBytes) {
                    tooLarge = true;
                    throw new ResponseTooLargeError(settings.maxResponseBytes, request.url);
                }
                progress?.(event);
            };
            try {
                const response = await next(request);
                if (response.status >= 400) {
                    response.bodyAsText = armErrorBody(response.status, response.bodyAsText);
                    errorBodies.set(request, response.bodyAsText);
                }
                throttleWait(request, response, throttle);
                return response;
            }
            catch (error) {
                if (tooLarge)
                    throw new ResponseTooLargeError(settings.maxResponseBytes, request.url);
                const name = error?.name;
                if (name === 'AbortError' && !request.abortSignal?.aborted) {
                    // The deadline (request.timeout) aborted it, not the caller: the SDK retries it as a timeout.
                    const limit = request.timeout >= 1000 ? `${Math.round(request.timeout / 1000)} s` : `${request.timeout} ms`;
                    throw new esm/* RestError */.pj(`no answer within ${limit}`, {
                        code: TIMED_OUT,
                        request
                    });
                }
                if ((0,esm/* isRestError */.T0)(error) &&
                    error.code === esm/* RestError */.pj.PARSE_ERROR &&
                    error.statusCode === undefined &&
                    /^Error reading response as text/.test(error.message)) {
                    // The connection closed in the middle of the body: a reset, which the SDK retries.
                    throw new esm/* RestError */.pj('the connection closed before the whole response arrived', {
                        code: 'ECONNRESET',
                        request
                    });
                }
                throw error;
            }
            finally {
                request.onDownloadProgress = progress;
            }
        }
    };
}
/**
 * The `code: message` of each entry of an error's `details`, and of theirs, once each (a message
 * that only repeats its code is the code): where Azure says why when the top-level message does
 * not. Resource Graph answers `BadRequest` "Please provide below info when asking for support:
 * timestamp = \u2026, correlationId = \u2026" with the reason (`InvalidQuery`, \u2026) only in `details`
 * (Azure/azure-powershell#13762). Entries that are not objects, and codes or messages that are not
 * strings, are passed over.
 */
function detailLines(error, depth = 0) {
    const details = error?.details;
    if (!Array.isArray(details) || depth > 2)
        return [];
    return details.flatMap(detail => {
        if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
            return [];
        const { code, message } = detail;
        const text = typeof message === 'string' && message !== code ? message.trim().replace(/\.$/, '') : '';
        const line = typeof code === 'string' && code.trim() ? (text ? `${code}: ${text}` : code) : text;
        return [...(line ? [line] : []), ...detailLines(detail, depth + 1)];
    });
}
/**
 * An error answer in ARM's documented shape, `{"error": {"code", "message"}}`, whatever came: the
 * SDKs read it without checking (a `null` body, or a number for a code, makes them throw a
 * TypeError; `details` that are not a list of objects too), and the retry policy still sees
 * the status. The code and message are kept when they are strings, also from a top-level
 * `{code, message}` as some providers send; the `details` of common-types' ErrorResponse (and of
 * Resource Graph's error) are said after the message, as "Details: code: message; \u2026"; nothing
 * else of the body is read.
 */
function armErrorBody(status, text) {
    let body;
    try {
        body = text ? JSON.parse(text) : undefined;
    }
    catch {
        body = undefined;
    }
    const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
    const error = isObject(body) ? (isObject(body.error) ? body.error : body) : {};
    const code = typeof error.code === 'string' && error.code.trim() !== '' ? error.code : `Http${status}`;
    const said = typeof error.message === 'string'
        ? error.message
        : `Resource Manager answered ${status} without an error message in its documented shape.`;
    const details = [...new Set(detailLines(error))];
    const lead = said.trim() === '' ? '' : `${said.replace(/\.?\s*$/, '.')} `;
    const message = details.length ? `${lead}Details: ${details.join('; ')}.` : said;
    return JSON.stringify({ error: { code, message } });
}
/** An answer in a shape the API does not document: reported, not retried. */
class MalformedAnswerError extends Error {
    problem;
    url;
    constructor(problem, url) {
        super(`the answer is not in the documented shape: ${problem}`);
        this.problem = problem;
        this.url = url;
        this.name = 'MalformedAnswerError';
    }
}
/**
 * Whether `error` is an SDK that could not read Resource Manager's answer. The SDKs' generated readers assume the
 * documented shape beyond what the answer checks look at (`item.versions.map(\u2026)` throws a TypeError when
 * `versions` is an object), and read the answer of a status an operation does not document (a 204 to a PUT) as
 * an error body: a TypeError one throws is that answer's, never a crash. What it means is the caller's: a read
 * stops at a malformed answer (sdkRead); of a write, it is not known whether it was done (policyStore.ts).
 */
function sdkCouldNotRead(error) {
    return error instanceof TypeError;
}
/** What an SDK call reads of an answer; one it could not read (sdkCouldNotRead) is a malformed answer. */
async function sdkRead(read) {
    try {
        return await read();
    }
    catch (error) {
        if (sdkCouldNotRead(error))
            throw new MalformedAnswerError(`the SDK could not read it: ${error.message}`, '');
        throw error;
    }
}
const ANSWER_CHECK_POLICY = 'cmkGuardAnswerCheckPolicy';
/**
 * Checks each successful answer to a request of `methods` (GET, or the POST of a query) with
 * `check` (given the URL's path and the parsed body, NOT_JSON when it is not JSON) before the SDK
 * reads it; `check` says what is wrong, or undefined. The SDK reads a body that is not JSON, and
 * is not labelled JSON (a proxy's HTML page), as a string, so a check of a path it knows refuses it.
 */
function answerCheckPolicy(check, methods = ['GET']) {
    return {
        name: ANSWER_CHECK_POLICY,
        async sendRequest(request, next) {
            const response = await next(request);
            if (!methods.includes(request.method) || response.status !== 200)
                return response;
            let body;
            try {
                body = (0,jsonText/* parseJson */.qF)(response.bodyAsText ?? '');
            }
            catch {
                body = NOT_JSON;
            }
            const problem = check(new URL(request.url).pathname, body);
            if (problem !== undefined)
                throw new MalformedAnswerError(problem, request.url);
            return response;
        }
    };
}

// EXTERNAL MODULE: ./src/azure/deadline.ts
var azure_deadline = __webpack_require__(7063);
;// CONCATENATED MODULE: ./src/azure/errors.ts
/**
 * What went wrong talking to Azure, as a sentence a user can act on. Whatever Azure or the
 * network said is quoted only after it is cut to a few hundred characters, stripped of
 * control characters and of the token: an error must never print a secret or a megabyte.
 */






/** Azure answered, or could not be reached, and the request did not do what was asked. */
class ArmError extends model_errors/* UserError */.yo {
    status;
    code;
    armMessage;
    constructor(message, 
    /** The HTTP status, or undefined when no answer came. */
    status, 
    /** ARM's error code (`InvalidPolicyRule`, `AuthorizationFailed`, \u2026) or the network's (`ECONNRESET`). */
    code, 
    /** ARM's own message, cleaned. */
    armMessage) {
        super(message);
        this.status = status;
        this.code = code;
        this.armMessage = armMessage;
        this.name = 'ArmError';
    }
}
const MAX_QUOTE = 600;
/** Text from outside, safe to print: no control characters, no secret, bounded length. */
function cleanText(text, secrets = []) {
    let clean = text;
    for (const secret of secrets)
        if (secret)
            clean = clean.split(secret).join('***');
    // Bearer tokens that are not ours (a proxy echoing a header) are cut too.
    clean = clean.replace(/\b(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1***');
    // eslint-disable-next-line no-control-regex
    clean = clean.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
    return clean.length > MAX_QUOTE ? `${clean.slice(0, MAX_QUOTE)}\u2026` : clean;
}
/** ARM's error body, in its documented shape `{"error": {"code", "message", "details"}}`. */
function readArmErrorBody(body) {
    const error = body?.error;
    if (typeof error !== 'object' || error === null)
        return {};
    const { code, message } = error;
    return {
        code: typeof code === 'string' ? code : undefined,
        message: typeof message === 'string' ? message : undefined
    };
}
function parseBody(text) {
    if (!text)
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}
/**
 * A write answered `status`, a success, without what a success answers (writeAnswerProblem): an error body or a
 * proxy's page says nothing of whether the write was done. Undefined when the answer is what a success answers.
 */
function writeAnswerError(method, status, body, doing) {
    const problem = writeAnswerProblem(method, body);
    if (problem === undefined)
        return undefined;
    return new ArmError(`Resource Manager answered ${status} while ${doing}, but with ${problem} instead of ${method === 'PUT' ? 'what was written' : 'nothing or what was deleted'}; cmk-guard does not know whether it was done.`, status, 'UnexpectedAnswer', '');
}
/** Advice for a status that has one (SDK and raw REST answers alike). */
function adviceFor(status, code) {
    if (status === 401)
        return ' The token was refused: it has expired, or it was issued for another cloud or audience; sign in again.';
    // Azure Policy's deny effect, answered 403 too: no role is missing.
    if (code === 'RequestDisallowedByPolicy')
        return ' An Azure Policy assignment denies this write (Azure names it above): change what cmk-guard writes to comply with it (for an exemption: its expires date, reason or category in cmk-guard.yaml), or ask that assignment\u2019s owner to exempt it.';
    if (status === 403 || code === 'AuthorizationFailed')
        return ' The identity may not do this: give it Resource Policy Contributor at the scope (Reader to read only).';
    if (status === 404 && /Subscription|ManagementGroup/i.test(code ?? ''))
        return ' Check the scope: it does not exist or the identity cannot see it.';
    return '';
}
/**
 * Any error from an SDK call or a raw request \u2192 an ArmError saying what was being done.
 * `doing` reads as "while <doing>", e.g. "listing the policy definitions at management group x".
 */
function toArmError(error, doing, secrets = []) {
    if (error instanceof ArmError)
        return error;
    if (error instanceof azure_deadline/* RunTimeoutError */.NE)
        return new ArmError(`cmk-guard stopped while ${doing}: ${error.message}.`, undefined, 'RunTimeout', '');
    if (error instanceof ResponseTooLargeError) {
        return new ArmError(`Resource Manager's answer while ${doing} was larger than ${Math.round(error.limit / (1024 * 1024))} MB, more than a policy response can be; cmk-guard stopped reading it.`, undefined, 'ResponseTooLarge', '');
    }
    if (error instanceof MalformedAnswerError) {
        return new ArmError(`Resource Manager's answer while ${doing} is not in the shape its API documents (${cleanText(error.problem, secrets)}); cmk-guard stopped before acting on it. Check that the endpoint is Resource Manager, or retry later.`, undefined, 'MalformedAnswer', '');
    }
    if (error instanceof ForeignOriginError) {
        return new ArmError(`while ${doing}, Resource Manager pointed cmk-guard to ${cleanText(new URL(error.url).origin)}: cmk-guard only sends its token to the endpoint it was given, so it stopped.`, undefined, 'ForeignOrigin', '');
    }
    if ((0,esm/* isRestError */.T0)(error)) {
        const status = error.statusCode;
        const fromDetails = readArmErrorBody(error.details);
        const fromBody = fromDetails.code
            ? fromDetails
            : readArmErrorBody(parseBody(error.response?.bodyAsText ?? errorBodyOf(error.request)));
        const code = fromBody.code ?? (typeof error.code === 'string' ? error.code : undefined);
        if (status === undefined) {
            const what = error.code === TIMED_OUT
                ? `Resource Manager gave ${cleanText(error.message, secrets)}, after retries`
                : `Resource Manager could not be reached (${cleanText(error.code ?? '', secrets) || 'no answer'}: ${cleanText(error.message, secrets)}), after retries`;
            return new ArmError(`${what}, while ${doing}.${triesNote(error.request)}`, undefined, error.code, cleanText(error.message, secrets));
        }
        if (error.code === 'PARSE_ERROR' ||
            (fromBody.code === undefined && /parsing the response body/.test(error.message))) {
            return new ArmError(`Resource Manager answered ${status} with a body that is not JSON while ${doing}; a proxy or the endpoint is not Resource Manager.`, status, 'PARSE_ERROR', '');
        }
        const message = cleanText(fromBody.message ?? error.message, secrets);
        return new ArmError(`Azure answered ${status}${code ? ` ${cleanText(code)}` : ''} while ${doing}: ${message}${adviceFor(status, code)}${triesNote(error.request)}`, status, code, message);
    }
    const name = error?.name;
    if (name === 'CredentialUnavailableError' ||
        name === 'AuthenticationError' ||
        name === 'AggregateAuthenticationError') {
        return new ArmError(`cmk-guard could not sign in to Azure while ${doing}: ${cleanText(error.message, secrets)}`, undefined, name, cleanText(error.message, secrets));
    }
    if (name === 'AbortError') {
        return new ArmError(`the request was cancelled while ${doing}.`, undefined, 'AbortError', '');
    }
    if (error instanceof Error && error.name === 'TypeError')
        throw error;
    if (error instanceof Error) {
        return new ArmError(`the request failed while ${doing}: ${cleanText(error.message, secrets)}`, undefined, undefined, cleanText(error.message, secrets));
    }
    throw error;
}

;// CONCATENATED MODULE: ./src/azure/rest.ts






/** At most this many pages are followed, so a `nextLink` that points to itself cannot loop forever. */
const MAX_PAGES = 10_000;
/**
 * Empty pages in a row, each with a link to another, after which a list is taken never to end:
 * Resource Manager sends an empty page with a `nextLink` now and then (it filters after paging), but
 * not a hundred in a row, and links that differ each time would otherwise be followed MAX_PAGES
 * times (10,000 requests, half an hour against Azure).
 */
const MAX_EMPTY_PAGES = 100;
/** The error for a list that sent MAX_EMPTY_PAGES empty pages in a row. */
function endlessEmptyPages(who, doing) {
    return new ArmError(`${who} sent ${MAX_EMPTY_PAGES} empty pages in a row, each with a link to another, while ${doing}; cmk-guard stopped, as the list would never end.`, undefined, 'Paging', '');
}
class ArmRest {
    endpoint;
    pipeline;
    secrets;
    deadline;
    httpClient = (0,esm/* createDefaultHttpClient */.fl)();
    constructor(endpoint, pipeline, secrets, deadline) {
        this.endpoint = endpoint;
        this.pipeline = pipeline;
        this.secrets = secrets;
        this.deadline = deadline;
    }
    /** The absolute URL of a path or URL on this endpoint, with `api-version` and the query. */
    url(request) {
        const url = new URL(request.path, `${this.endpoint}/`);
        if (request.apiVersion && !url.searchParams.has('api-version'))
            url.searchParams.set('api-version', request.apiVersion);
        for (const [name, value] of Object.entries(request.query ?? {}))
            if (value !== undefined)
                url.searchParams.set(name, value);
        return url.toString();
    }
    async send(request) {
        const url = this.url(request);
        const doing = request.doing ?? `${request.method} ${new URL(url).pathname}`;
        let response;
        try {
            const pipelineRequest = (0,esm/* createPipelineRequest */.G6)({
                url,
                method: request.method,
                headers: (0,esm/* createHttpHeaders */.Nc)({ accept: 'application/json' }),
                body: request.body === undefined ? undefined : JSON.stringify(request.body)
            });
            if (request.body !== undefined)
                pipelineRequest.headers.set('content-type', 'application/json');
            response = await this.pipeline.sendRequest(this.httpClient, pipelineRequest);
        }
        catch (error) {
            throw toArmError(error, doing, this.secrets);
        }
        const body = this.parse(response, doing);
        const ok = request.expect
            ? request.expect.includes(response.status)
            : response.status >= 200 && response.status < 300;
        if (!ok) {
            const { code, message } = readArmErrorBody(body);
            const cleanMessage = cleanText(message ?? `status ${response.status}`, this.secrets);
            throw toArmError(new ArmError(`Azure answered ${response.status}${code ? ` ${cleanText(code)}` : ''} while ${doing}: ${cleanMessage}${adviceFor(response.status, code)}${triesNote(response.request)}`, response.status, code, cleanMessage), doing);
        }
        return { status: response.status, headers: response.headers.toJSON(), body: body };
    }
    /** Every item of a paged list (`{value: [...], nextLink}`), page after page. */
    async *list(request) {
        let next = this.url(request);
        const seen = new Set();
        let empty = 0;
        for (let page = 0; next; page++) {
            if (page >= MAX_PAGES || seen.has(next)) {
                throw new ArmError(`Resource Manager kept sending more pages (or the same page again) while ${request.doing ?? 'listing'}; cmk-guard stopped after ${page}.`, undefined, 'Paging', '');
            }
            seen.add(next);
            const response = await this.send({
                ...request,
                method: 'GET',
                path: next,
                query: undefined
            });
            const { value, nextLink } = response.body ?? {};
            if (!Array.isArray(value)) {
                throw new ArmError(`Resource Manager's answer while ${request.doing ?? 'listing'} has no \`value\` list; the endpoint does not speak the Resource Manager API.`, response.status, 'Paging', '');
            }
            yield* value;
            next = typeof nextLink === 'string' && nextLink !== '' ? nextLink : undefined;
            empty = value.length ? 0 : empty + 1;
            if (next && empty >= MAX_EMPTY_PAGES)
                throw endlessEmptyPages('Resource Manager', request.doing ?? 'listing');
        }
    }
    async listAll(request) {
        const items = [];
        for await (const item of this.list(request))
            items.push(item);
        return items;
    }
    /**
     * Follows a long-running operation started by `started` (a 201 or 202 with
     * `Azure-AsyncOperation` or `Location`) until it ends, waiting as `Retry-After` says.
     * Returns the final answer; fails when the operation fails or `timeoutMs` passes.
     */
    async waitForOperation(started, options) {
        const asyncOperation = started.headers['azure-asyncoperation'];
        const location = started.headers['location'];
        if (started.status !== 201 && started.status !== 202)
            return started;
        if (!asyncOperation && !location)
            return started;
        const deadline = Date.now() + options.timeoutMs;
        let last = started;
        for (;;) {
            const remaining = deadline - Date.now();
            if (remaining <= 0)
                break;
            try {
                await (0,azure_deadline/* pause */.v7)(Math.min(retryAfterMs(last.headers) ?? options.defaultWaitMs ?? 5000, remaining), this.deadline);
            }
            catch (error) {
                if (error instanceof azure_deadline/* RunTimeoutError */.NE)
                    throw toArmError(error, options.doing, this.secrets);
                throw error;
            }
            if (asyncOperation) {
                last = await this.send({
                    method: 'GET',
                    path: asyncOperation,
                    apiVersion: options.apiVersion,
                    doing: options.doing
                });
                const status = last.body?.status;
                // The status monitor's `status` is required: an answer without one (an error body answered 200, a
                // proxy's page) would be polled until the deadline, ten minutes for a write.
                if (typeof status !== 'string' || status.trim() === '')
                    throw toArmError(new MalformedAnswerError("the operation's status answer has no `status`", asyncOperation), options.doing, this.secrets);
                if (/^(succeeded)$/i.test(status)) {
                    return location
                        ? this.send({ method: 'GET', path: location, apiVersion: options.apiVersion, doing: options.doing })
                        : last;
                }
                if (/^(failed|canceled|cancelled)$/i.test(status)) {
                    const { code, message } = readArmErrorBody(last.body);
                    const clean = cleanText(message ?? status, this.secrets);
                    throw new ArmError(`the operation ended ${status} while ${options.doing}: ${clean}`, last.status, code ?? status, clean);
                }
            }
            else {
                last = await this.send({
                    method: 'GET',
                    path: location,
                    apiVersion: options.apiVersion,
                    doing: options.doing
                });
                if (last.status !== 202)
                    return last;
            }
        }
        throw new ArmError(`the operation did not end within ${Math.round(options.timeoutMs / 1000)} s while ${options.doing}.`, undefined, 'OperationTimeout', '');
    }
    parse(response, doing) {
        const text = response.bodyAsText ?? '';
        if (text.trim() === '')
            return undefined;
        try {
            return (0,jsonText/* parseJson */.qF)(text);
        }
        catch {
            throw new ArmError(`Resource Manager answered ${response.status} with a body that is not JSON while ${doing}; a proxy or the endpoint is not Resource Manager.`, response.status, 'PARSE_ERROR', '');
        }
    }
}
/** Retry-After in seconds or as an HTTP-date (RFC 9110 allows either), at most a minute. */
function retryAfterMs(headers, now = Date.now()) {
    const value = headers['retry-after']?.trim();
    if (value === undefined || value === '')
        return undefined;
    const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 60_000) : undefined;
}
/** A write Resource Manager accepted to finish later: a 202 that says where to follow it. */
function isAcceptedLater(response) {
    return (response.status === 202 &&
        (response.headers['azure-asyncoperation'] !== undefined || response.headers['location'] !== undefined));
}
/** How long a write Resource Manager finishes later may take before cmk-guard gives up on it. */
const WRITE_OPERATION_TIMEOUT_MS = 10 * 60_000;

;// CONCATENATED MODULE: ./src/azure/connection.ts








const DEFAULT_RETRY = {
    maxRetries: 6,
    retryDelayInMs: 1000,
    maxRetryDelayInMs: 30_000
};
const DEFAULT_TIMEOUT_MS = 60_000;
/** A page of 1,000 definitions is a few MB; nothing Resource Manager sends for policy is near this. */
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
class ArmConnection {
    endpoint;
    credential;
    signedInWith;
    retry;
    secrets;
    deadline;
    rest;
    guard;
    /** Where what the requests meet is told for the run's log (a wait Azure asked for, cut short); none: nowhere. */
    log;
    constructor(endpoint, credential, 
    /** How cmk-guard signed in (never the token). */
    signedInWith, retry, guard, 
    /** Secrets to keep out of every message. */
    secrets = [], 
    /** The run's time limit, if it has one. */
    deadline) {
        this.endpoint = endpoint;
        this.credential = credential;
        this.signedInWith = signedInWith;
        this.retry = retry;
        this.secrets = secrets;
        this.deadline = deadline;
        this.guard = {
            ...guard,
            origin: endpoint.url,
            maxRetryAfterMs: retry.maxRetryDelayInMs ?? DEFAULT_RETRY.maxRetryDelayInMs,
            firstRetryDelayMs: retry.retryDelayInMs ?? DEFAULT_RETRY.retryDelayInMs,
            notice: line => this.log?.(line)
        };
        const pipeline = (0,esm/* createPipelineFromOptions */.Fp)(this.clientOptions());
        this.attach(pipeline, true);
        this.rest = new ArmRest(endpoint.url, pipeline, this.secrets, deadline);
    }
    /** Options for any Azure SDK management client's constructor. */
    clientOptions() {
        return {
            endpoint: this.endpoint.url,
            credentials: { scopes: [this.endpoint.scope] },
            retryOptions: this.retry,
            userAgentOptions: { userAgentPrefix: `cmk-guard/${version/* VERSION */.x}` }
        };
    }
    /**
     * Adds cmk-guard's policies to a client's pipeline: the guard (origin, deadline, size) and,
     * for a plain-http loopback endpoint, the bearer policy that allows it. `bare` is a pipeline
     * with no authentication yet (the raw REST one), which always gets a bearer policy.
     */
    attach(pipeline, bare = false) {
        const names = new Set(pipeline.getOrderedPolicies().map(p => p.name));
        if (names.has(ARM_GUARD_POLICY))
            return;
        if (this.endpoint.loopbackHttp) {
            pipeline.removePolicy({ name: esm/* bearerTokenAuthenticationPolicyName */.uQ });
            pipeline.addPolicy(loopbackBearerPolicy(this.credential, this.endpoint.scope), { phase: 'Sign' });
        }
        else if (bare || !names.has(esm/* bearerTokenAuthenticationPolicyName */.uQ)) {
            pipeline.addPolicy((0,esm/* bearerTokenAuthenticationPolicy */.N$)({ credential: this.credential, scopes: this.endpoint.scope }), { phase: 'Sign' });
        }
        pipeline.addPolicy(armGuardPolicy(this.guard), { afterPhase: 'Sign' });
        // Outside the retries, so that it ends a wait between tries too.
        if (this.deadline)
            pipeline.addPolicy(this.deadline.policy());
    }
    redact(text) {
        return cleanText(text, this.secrets);
    }
}
/** Reads a positive integer setting from the environment, or the fallback. */
function envNumber(env, name, fallback) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '')
        return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0)
        throw new model_errors/* UserError */.yo(`${name} is '${raw}'; give a whole number of milliseconds.`);
    return value;
}
/** Chooses the endpoint and the credential; nothing is sent until a client makes a request. */
function connectArm(settings) {
    const endpoint = resolveArmEndpoint(settings.cloud, settings.armEndpoint);
    const selected = settings.credential
        ? { credential: settings.credential, description: 'the credential given', secret: undefined }
        : selectCredential({
            env: settings.env,
            authorityHost: endpoint.authorityHost,
            tenantId: settings.tenantId,
            clientId: settings.clientId,
            idToken: settings.idToken
        });
    if (selected.secret !== undefined && settings.staticTokenEndpoints !== undefined)
        checkStaticTokenEndpoint(endpoint, settings.staticTokenEndpoints);
    const retry = {
        ...DEFAULT_RETRY,
        retryDelayInMs: envNumber(settings.env, 'CMK_GUARD_AZURE_RETRY_DELAY_MS', DEFAULT_RETRY.retryDelayInMs),
        ...settings.retry
    };
    return new ArmConnection(endpoint, sharedTokenCredential(selected.credential), selected.description, retry, {
        timeoutMs: settings.timeoutMs ?? envNumber(settings.env, 'CMK_GUARD_AZURE_TIMEOUT_MS', DEFAULT_TIMEOUT_MS),
        maxResponseBytes: settings.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    }, selected.secret ? [selected.secret] : [], settings.deadline);
}
/** Refuses to send the static token to an endpoint that is neither one of `named` nor a named cloud's. */
function checkStaticTokenEndpoint(endpoint, named) {
    const origin = (url) => {
        try {
            return resolveArmEndpoint(undefined, url).url;
        }
        catch {
            return undefined;
        }
    };
    const allowed = [...Object.values(clouds).map(cloud => cloud.arm), ...named.map(origin)];
    if (allowed.includes(endpoint.url))
        return;
    throw new model_errors/* UserError */.yo(`cmk-guard sends the token in ${TOKEN_VARIABLE} on a pull request only to the Resource Manager the workflow names (the \`arm-endpoint\` input, or --arm-endpoint) or to a named cloud's, and ${endpoint.url} is named only by a configuration file: name it in the workflow if it is yours.`);
}

// EXTERNAL MODULE: ./node_modules/@azure/arm-policy/dist/esm/index.js + 23 modules
var arm_policy_dist_esm = __webpack_require__(9067);
;// CONCATENATED MODULE: ./src/azure/bounded.ts
/** Requests to Azure a few at a time: how many a run keeps in flight against one Resource Manager. */
const DEFAULT_CONCURRENCY = 8;
/**
 * Runs `task` on each item with at most `limit` at once, in the items' order. Once a task fails no further
 * item is started; the first failure is thrown when the tasks in flight have settled.
 */
async function runBounded(items, limit, task) {
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const index = next++;
            try {
                await task(items[index], index);
            }
            catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    for (const outcome of settled)
        if (outcome.status === 'rejected')
            throw outcome.reason;
}
/**
 * Reads each id, `limit` at a time, and keeps what `keep` accepts of what was found, in the ids' order
 * (a read answering undefined, a 404, keeps nothing).
 */
async function readEach(ids, limit, read, keep = () => true) {
    const found = new Array(ids.length);
    await runBounded(ids, limit, async (id, index) => {
        found[index] = await read(id);
    });
    return found.filter((item) => item !== undefined && keep(item));
}

// EXTERNAL MODULE: ./node_modules/@azure/arm-resourcegraph/dist/esm/index.js + 22 modules
var arm_resourcegraph_dist_esm = __webpack_require__(5087);
;// CONCATENATED MODULE: ./src/azure/resourceGraph.ts







const RESOURCE_GRAPH_API_VERSION = '2024-04-01';
/** The most rows Resource Graph returns in one answer. */
const RESOURCE_GRAPH_PAGE_SIZE = 1000;
/**
 * Set to `true` on an answer that covers only the first 10,000 subscriptions of a management group's or the tenant's
 * scope (https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests).
 */
const SUBSCRIPTION_LIMIT_HEADER = 'x-ms-tenant-subscription-limit-hit';
/** How many times a result that changes while it is paged is read before cmk-guard gives up on it. */
const MAX_READS = 3;
/** KQL string literal: single-quoted, with `\` and `'` escaped. */
function kqlString(text) {
    return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
/**
 * The query: the `resources` table, the types asked for (all when `types` is null), a resource
 * group's rows when the scope is one, ordered by id so pages follow one another
 * deterministically. Rows keep every column (properties, identity, sku, kind, tags, \u2026).
 */
function resourceQuery(scope, types) {
    const lines = ['resources'];
    if (types !== null)
        lines.push(`| where type in~ (${[...types].sort().map(kqlString).join(', ')})`);
    if (scope.kind === 'resourceGroup')
        lines.push(`| where resourceGroup =~ ${kqlString(scope.resourceGroup)}`);
    lines.push('| order by id asc');
    return lines.join('\n');
}
/**
 * The policy assignments of a definition or initiative in Resource Graph's `policyresources`
 * table: in every subscription and resource group of the scope, which no Azure Policy list gives
 * for a management group. Only ids: Azure Policy is asked for each (Resource Graph lags writes).
 * https://learn.microsoft.com/azure/governance/policy/samples/resource-graph-samples
 */
function policyAssignmentsQuery(definitionId) {
    return [
        'policyresources',
        "| where type =~ 'microsoft.authorization/policyassignments'",
        `| where tostring(properties.policyDefinitionId) =~ ${kqlString(definitionId)}`,
        '| project id',
        '| order by id asc'
    ].join('\n');
}
/**
 * The policy exemptions that name any of the assignments `ids`, in `policyresources` (which holds
 * `microsoft.authorization/policyexemptions`): only ids, as each is read again from the exemptions
 * API (Resource Graph lags writes).
 * https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources
 */
function policyExemptionsQuery(ids) {
    return [
        'policyresources',
        "| where type =~ 'microsoft.authorization/policyexemptions'",
        `| where tostring(properties.policyAssignmentId) in~ (${[...ids].map(kqlString).join(', ')})`,
        '| project id',
        '| order by id asc'
    ].join('\n');
}
/**
 * Where the query runs: a management group's subscriptions (and the groups at and below it), one
 * subscription, or the whole tenant as far as the identity can read it (no scope named).
 */
function queryScope(scope) {
    if (scope === 'tenant')
        return {};
    return scope.kind === 'managementGroup'
        ? { managementGroups: [scope.managementGroup] }
        : { subscriptions: [scope.subscription] };
}
class ResourceGraph {
    connection;
    client;
    constructor(connection) {
        this.connection = connection;
    }
    graph() {
        if (!this.client) {
            this.client = new arm_resourcegraph_dist_esm/* ResourceGraphClient */.OO(this.connection.credential, this.connection.clientOptions());
            // Its throttling (429 with `x-ms-user-quota-resets-after`, not always Retry-After) is waited out as the
            // guard reads it (throttle.ts).
            this.connection.attach(this.client.pipeline);
            this.client.pipeline.addPolicy(answerCheckPolicy((path, body) => /\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(path)
                ? checkResourceGraphAnswer(body)
                : undefined, ['POST']), { afterPhase: 'Sign' });
        }
        return this.client;
    }
    /**
     * The ids of the rows `query` answers that are resources of `type` (e.g. `Microsoft.Authorization/policyAssignments`),
     * once each. A row of any other kind is not what the query asked for (a Resource Graph that does not filter as
     * Azure's does) and is passed over, so nothing is read back as what it is not.
     */
    async idsOf(scope, query, doing, type) {
        const suffix = new RegExp(`/providers/${type.replace(/[.]/g, '\\.')}/[^/]+$`, 'i');
        const ids = new Map();
        for await (const row of this.rows(scope, query, doing))
            if (typeof row.id === 'string' && suffix.test(row.id))
                ids.set((0,foldCase/* foldCase */.SP)(row.id), row.id);
        return [...ids.values()];
    }
    /**
     * Every row a query gives at a scope, page after page. Each page runs the query again, and its `$skipToken` holds
     * an offset into the result: a resource created or deleted between two pages shifts the rows, so a page repeats
     * one or skips one, even ordered by id (paging-results, "Pagination in dynamic environments"). A result that
     * changed while it was paged (a row on two pages, or `totalRecords` other than the first page's) is read again from the
     * first page, up to MAX_READS times; one that never holds still is an error, as a skipped row is a resource never
     * read.
     */
    async *rows(scope, query, doing) {
        for (let read = 1;; read++) {
            const { rows, changed } = await this.readOnce(scope, query, doing);
            if (changed === undefined) {
                yield* rows;
                return;
            }
            if (read >= MAX_READS)
                throw new ArmError(`Resource Graph's answer changed while cmk-guard read it page by page, ${read} times in a row, while ${doing} (${changed}): resources there are being created or deleted, and a row a page skipped would be a resource never read. Run it again when the scope is quieter, or narrow it.`, 200, 'ResultChanged', '');
            this.connection.log?.(`Resource Graph's answer changed while it was read page by page (${changed}); reading it again from the first page.`);
        }
    }
    /** The pages of one read of a query, and how the result changed meanwhile, if it did. */
    async readOnce(scope, query, doing) {
        let skipToken;
        const seen = new Set();
        const rows = [];
        const ids = new Set();
        let total;
        let changed;
        let empty = 0;
        for (let page = 0;; page++) {
            const request = {
                ...queryScope(scope),
                query,
                options: { top: RESOURCE_GRAPH_PAGE_SIZE, resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) }
            };
            let response;
            let limitHit = false;
            const onResponse = (raw) => {
                limitHit = (0,foldCase/* foldCase */.SP)(raw.headers.get(SUBSCRIPTION_LIMIT_HEADER)?.trim() ?? '') === 'true';
            };
            try {
                response = await sdkRead(() => this.graph().resources(request, { onResponse }));
            }
            catch (error) {
                throw toArmError(error, doing, this.connection.secrets);
            }
            if (limitHit)
                throw new ArmError(`Resource Graph answered for only part of the scope while ${doing}: the identity can read more subscriptions there than one query covers, and Resource Graph answered for the first of them only (${SUBSCRIPTION_LIMIT_HEADER}: true). cmk-guard evaluates all of a scope or nothing; narrow the scope (a management group lower down, or a subscription).`, 200, 'SubscriptionLimitHit', '');
            const data = response.data;
            if (!Array.isArray(data)) {
                throw new ArmError(`Resource Graph's answer while ${doing} has no \`data\` list of rows; the endpoint does not speak the Resource Graph API.`, 200, 'ResourceGraphShape', '');
            }
            const pageIds = new Set();
            for (const row of data) {
                if (row === null || typeof row !== 'object' || Array.isArray(row)) {
                    throw new ArmError(`Resource Graph's answer while ${doing} holds a row that is not an object.`, 200, 'ResourceGraphShape', '');
                }
                // A row an earlier page gave (within one page, a row twice is the query's, not paging's).
                const id = row.id;
                if (typeof id === 'string') {
                    if (ids.has((0,foldCase/* foldCase */.SP)(id)))
                        changed ??= `the row ${id} came on two pages`;
                    pageIds.add((0,foldCase/* foldCase */.SP)(id));
                }
                rows.push(row);
            }
            for (const id of pageIds)
                ids.add(id);
            if (typeof response.totalRecords === 'number') {
                if (total !== undefined && response.totalRecords !== total)
                    changed ??= `${total} rows on the first page, ${response.totalRecords} on a later one`;
                total ??= response.totalRecords;
            }
            const next = response.skipToken;
            empty = data.length ? 0 : empty + 1;
            if (next && empty >= MAX_EMPTY_PAGES)
                throw endlessEmptyPages('Resource Graph', doing);
            if (!next) {
                if ((0,foldCase/* foldCase */.SP)(String(response.resultTruncated)) === 'true') {
                    throw new ArmError(`Resource Graph cut its answer short while ${doing} (resultTruncated, no $skipToken, ${response.count} of ${response.totalRecords} rows): cmk-guard evaluates all of a scope or nothing; narrow the scope.`, 200, 'ResultTruncated', '');
                }
                return { rows, changed };
            }
            if (page + 1 >= MAX_PAGES || seen.has(next)) {
                throw new ArmError(`Resource Graph kept sending more pages (or the same page again) while ${doing}; cmk-guard stopped after ${page + 1}.`, undefined, 'Paging', '');
            }
            seen.add(next);
            skipToken = next;
        }
    }
    /** The resources of these types (lowercased; null for every type) at a scope. */
    async resources(scope, types) {
        if (types !== null && types.length === 0)
            return [];
        const doing = `reading the resources of ${(0,azure_scope/* shortScope */.ZD)(scope)} from Resource Graph`;
        const rows = [];
        for await (const row of this.rows(scope, resourceQuery(scope, types), doing))
            rows.push(row);
        return rows;
    }
    /**
     * The management groups each subscription of `scope` is in (the subscription's id and the groups' names, folded),
     * from its row in `resourcecontainers`: `properties.managementGroupAncestorsChain` lists them from the group that
     * holds it up to the root group. A subscription without the list is in none Azure names.
     * https://learn.microsoft.com/azure/governance/management-groups/resource-graph-samples
     */
    async groupsOfSubscriptions(scope) {
        const query = [
            'resourcecontainers',
            "| where type =~ 'microsoft.resources/subscriptions'",
            '| project id, subscriptionId, properties',
            '| order by id asc'
        ].join('\n');
        const doing = `reading which management groups hold the subscriptions of ${(0,azure_scope/* shortScope */.ZD)(scope)}`;
        const groups = new Map();
        for await (const row of this.rows(scope, query, doing)) {
            if (typeof row.subscriptionId !== 'string')
                continue;
            const properties = row.properties;
            const chain = properties !== null && typeof properties === 'object' && !Array.isArray(properties)
                ? properties.managementGroupAncestorsChain
                : undefined;
            const names = Array.isArray(chain)
                ? chain.map(entry => entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry.name : undefined)
                : [];
            if ((chain !== undefined && chain !== null && !Array.isArray(chain)) || names.some(n => typeof n !== 'string'))
                throw new ArmError(`Resource Graph's answer while ${doing} gives the subscription ${row.subscriptionId} a managementGroupAncestorsChain that is not a list of groups with names.`, 200, 'ResourceGraphShape', '');
            groups.set((0,foldCase/* foldCase */.SP)(row.subscriptionId), names.map(name => (0,foldCase/* foldCase */.SP)(name)));
        }
        return groups;
    }
    /** The ids of the subscriptions under a management group (a subscription scope is its own). */
    async subscriptions(scope) {
        return (await this.subscriptionStates(scope)).map(subscription => subscription.id);
    }
    /**
     * The subscriptions under a management group with the state Resource Graph gives each (`Enabled`, `Warned`,
     * `PastDue`, `Disabled`, `Deleted`, \u2026; undefined where it gives none, and for a subscription scope, which is its own).
     */
    async subscriptionStates(scope) {
        if (scope.kind !== 'managementGroup')
            return [{ id: scope.subscription }];
        const query = [
            'resourcecontainers',
            "| where type =~ 'microsoft.resources/subscriptions'",
            '| project id, subscriptionId, properties',
            '| order by id asc'
        ].join('\n');
        const found = [];
        for await (const row of this.rows(scope, query, `listing the subscriptions under ${(0,azure_scope/* shortScope */.ZD)(scope)}`)) {
            if (typeof row.subscriptionId !== 'string')
                continue;
            const properties = row.properties;
            const said = properties !== null && typeof properties === 'object' ? properties.state : undefined;
            const state = typeof said === 'string' && said !== '' ? said : undefined;
            found.push(state === undefined ? { id: (0,foldCase/* foldCase */.SP)(row.subscriptionId) } : { id: (0,foldCase/* foldCase */.SP)(row.subscriptionId), state });
        }
        return found;
    }
}

;// CONCATENATED MODULE: ./src/azure/restShape.ts
/** A copy without undefined members (JSON has none), recursively. */
function dropUndefined(value) {
    if (Array.isArray(value))
        return value.map(dropUndefined);
    if (value !== null && typeof value === 'object') {
        const out = {};
        for (const [k, v] of Object.entries(value))
            if (v !== undefined)
                out[k] = dropUndefined(v);
        return out;
    }
    return value;
}
function pick(model, names) {
    const out = {};
    for (const name of names)
        if (model[name] !== undefined)
            out[name] = model[name];
    return dropUndefined(out);
}
function parameterDefinitions(parameters) {
    if (parameters === undefined || parameters === null)
        return undefined;
    const out = {};
    for (const [name, spec] of Object.entries(parameters)) {
        const { metadata, ...rest } = spec ?? {};
        const entry = dropUndefined(rest);
        if (metadata && typeof metadata === 'object') {
            const { additionalProperties, ...known } = metadata;
            entry.metadata = dropUndefined({ ...(additionalProperties ?? {}), ...known });
        }
        out[name] = entry;
    }
    return out;
}
function withParameters(properties, parameters) {
    const rest = parameterDefinitions(parameters);
    if (rest !== undefined)
        properties.parameters = rest;
    return properties;
}
const DEFINITION_FIELDS = [
    'displayName',
    'description',
    'policyType',
    'mode',
    'metadata',
    'policyRule',
    'version',
    'versions',
    'externalEvaluationEnforcementSettings'
];
function definitionToRest(model) {
    const loose = model;
    return {
        id: String(model.id ?? ''),
        name: String(model.name ?? ''),
        properties: withParameters(pick(loose, DEFINITION_FIELDS), loose.parameters)
    };
}
const SET_FIELDS = [
    'displayName',
    'description',
    'policyType',
    'metadata',
    'policyDefinitionGroups',
    'version',
    'versions'
];
const REFERENCE_FIELDS = [
    'policyDefinitionId',
    'definitionVersion',
    'parameters',
    'policyDefinitionReferenceId',
    'groupNames'
];
function setDefinitionToRest(model) {
    const loose = model;
    const properties = withParameters(pick(loose, SET_FIELDS), loose.parameters);
    if (Array.isArray(model.policyDefinitions))
        properties.policyDefinitions = model.policyDefinitions.map(ref => pick(ref, REFERENCE_FIELDS));
    return { id: String(model.id ?? ''), name: String(model.name ?? ''), properties };
}
const ASSIGNMENT_FIELDS = [
    'displayName',
    'policyDefinitionId',
    'definitionVersion',
    'scope',
    'notScopes',
    'parameters',
    'description',
    'metadata',
    'enforcementMode',
    'nonComplianceMessages',
    'resourceSelectors',
    'overrides',
    'assignmentType',
    'instanceId'
];
function assignmentToRest(model) {
    const resource = {
        id: String(model.id ?? ''),
        name: String(model.name ?? ''),
        properties: pick(model, ASSIGNMENT_FIELDS)
    };
    if (model.location !== undefined)
        resource.location = model.location;
    if (model.identity !== undefined)
        resource.identity = dropUndefined(model.identity);
    return resource;
}
const KNOWN_METADATA = ['displayName', 'description', 'strongType', 'assignPermissions'];
/**
 * A REST body \u2192 the flattened model the SDK's create methods take (they wrap `properties`
 * again). Parameter metadata beyond the four fields the model knows goes into
 * `additionalProperties`, or the SDK's serializer would drop it.
 */
function toModel(body) {
    const { properties, ...rest } = body;
    const model = { ...properties, ...rest };
    const parameters = properties.parameters;
    if (parameters && typeof parameters === 'object' && !Array.isArray(parameters)) {
        model.parameters = Object.fromEntries(Object.entries(parameters).map(([name, spec]) => {
            const entry = { ...spec };
            const metadata = entry.metadata;
            if (metadata && typeof metadata === 'object') {
                const known = {};
                const additionalProperties = {};
                for (const [k, v] of Object.entries(metadata))
                    (KNOWN_METADATA.includes(k) ? known : additionalProperties)[k] = v;
                entry.metadata = { ...known, additionalProperties };
            }
            return [name, entry];
        }));
    }
    return model;
}

;// CONCATENATED MODULE: ./src/azure/policyStore.ts










const POLICY_API_VERSION = '2025-03-01';
/**
 * More than any scope holds: Azure keeps at most 500 custom definitions, 200 initiatives and
 * 200 assignments at one scope. A list that goes on past this is not Azure's.
 */
const MAX_LISTED = 20_000;
/** Each policy list page, and each policy resource read by name, is checked for the documented shape before the SDK reads it. */
const checkAnswer = (path, body) => {
    const list = policyListKind(path);
    if (list)
        return checkPolicyListPage(list, body);
    const item = policyItemKind(path);
    return item ? checkPolicyItem(item, body) : undefined;
};
/**
 * Statuses Resource Manager answers when a write succeeded. A DELETE answered 404 (what was
 * planned was deleted meanwhile, or its resource group with it) leaves it absent, as asked.
 */
const PUT_OK = [200, 201];
const DELETE_OK = [200, 204, 404];
/**
 * The SDK could not read the answer to a write (sdkCouldNotRead), of a status it does not document for it: say what
 * came, and that whether it was done is not known.
 */
function unexpectedAnswer(error, answered, doing) {
    if (!answered || !sdkCouldNotRead(error))
        return error;
    return new ArmError(`Resource Manager answered ${answered.status} while ${doing}, which is not an answer the API documents for it; cmk-guard does not know whether it was done. Run plan to see what Azure holds.`, answered.status, 'UnexpectedAnswer', '');
}
/** The pages of a list as the SDK reads them, each read through sdkRead. */
async function* sdkPages(pages) {
    const iterator = pages[Symbol.asyncIterator]();
    for (;;) {
        const next = await sdkRead(() => iterator.next());
        if (next.done)
            return;
        yield next.value;
    }
}
/** `subscriptions/\u2026` for the SDK's `{+scope}` path parameter, which takes no leading slash. */
function scopeParameter(scope) {
    return scope.id.replace(/^\//, '');
}
class PolicyStore {
    connection;
    clients = new Map();
    constructor(connection) {
        this.connection = connection;
    }
    /** A client per subscription id ('' for calls that need none); each gets our policies. */
    client(subscription = '') {
        let client = this.clients.get(subscription);
        if (!client) {
            const options = this.connection.clientOptions();
            client = subscription
                ? new arm_policy_dist_esm/* PolicyClient */.WO(this.connection.credential, subscription, options)
                : new arm_policy_dist_esm/* PolicyClient */.WO(this.connection.credential, options);
            this.connection.attach(client.pipeline);
            client.pipeline.addPolicy(answerCheckPolicy(checkAnswer), { afterPhase: 'Sign' });
            this.clients.set(subscription, client);
        }
        return client;
    }
    async list(doing, pages, convert, scope, 
    // Lists may also hold what is inherited (built-ins, parent management groups): keep this scope's.
    keep = resource => (0,azure_scope/* sameId */.s)((0,azure_scope/* scopeOfId */.J5)(resource.id), scope.id)) {
        const found = [];
        const seen = new Set();
        let listed = 0;
        let count = 0;
        let empty = 0;
        try {
            for await (const page of sdkPages(pages.byPage())) {
                listed += page.length;
                empty = page.length ? 0 : empty + 1;
                if (page.continuationToken && empty >= MAX_EMPTY_PAGES)
                    throw endlessEmptyPages('Resource Manager', doing);
                // A nextLink that repeats, or pages without end, would never finish.
                const repeated = page.continuationToken !== undefined && seen.has(page.continuationToken);
                if (repeated || ++count > MAX_PAGES || listed > MAX_LISTED) {
                    throw new ArmError(repeated
                        ? `Resource Manager sent the same page link again while ${doing}; cmk-guard stopped after ${count} pages, as the list would never end.`
                        : `Resource Manager kept sending more pages while ${doing}; cmk-guard stopped after ${count} pages and ${listed} items, more than a scope can hold (${MAX_LISTED}).`, undefined, 'Paging', '');
                }
                if (page.continuationToken)
                    seen.add(page.continuationToken);
                for (const model of page) {
                    const resource = convert(model);
                    if (keep(resource))
                        found.push(resource);
                }
            }
        }
        catch (error) {
            throw toArmError(error, doing, this.connection.secrets);
        }
        return found;
    }
    listDefinitions(scope) {
        const doing = `listing the policy definitions at ${(0,azure_scope/* shortScope */.ZD)(scope)}`;
        const options = { filter: 'atExactScope()' };
        const pages = scope.kind === 'managementGroup'
            ? this.client().policyDefinitions.listByManagementGroup(scope.managementGroup, options)
            : this.client(subscriptionOf(scope)).policyDefinitions.list(options);
        return this.list(doing, pages, definitionToRest, scope);
    }
    listSetDefinitions(scope) {
        const doing = `listing the initiatives at ${(0,azure_scope/* shortScope */.ZD)(scope)}`;
        const options = { filter: 'atExactScope()' };
        const pages = scope.kind === 'managementGroup'
            ? this.client().policySetDefinitions.listByManagementGroup(scope.managementGroup, options)
            : this.client(subscriptionOf(scope)).policySetDefinitions.list(options);
        return this.list(doing, pages, setDefinitionToRest, scope);
    }
    listAssignments(scope) {
        const doing = `listing the policy assignments at ${(0,azure_scope/* shortScope */.ZD)(scope)}`;
        const options = { filter: 'atExactScope()' };
        const pages = this.assignmentPages(scope, options);
        return this.list(doing, pages, assignmentToRest, scope);
    }
    assignmentPages(scope, options) {
        return scope.kind === 'managementGroup'
            ? this.client().policyAssignments.listForManagementGroup(scope.managementGroup, options)
            : scope.kind === 'resourceGroup'
                ? this.client(scope.subscription).policyAssignments.listForResourceGroup(scope.resourceGroup, options)
                : this.client(scope.subscription).policyAssignments.list(options);
    }
    /**
     * The assignments of a definition or initiative that Azure lists at `scope`: at a subscription,
     * every one in it (its resource groups too); at a management group or resource group, those
     * there (and, as Azure lists them, above it).
     */
    listAssignmentsOf(scope, definitionId) {
        const doing = `listing the assignments of ${(0,azure_scope/* nameOfId */.gu)(definitionId)} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`;
        const options = { filter: `policyDefinitionId eq '${definitionId.replace(/'/g, "''")}'` };
        const pages = this.assignmentPages(scope, options);
        return this.list(doing, pages, assignmentToRest, scope, resource => (0,azure_scope/* sameId */.s)(resource.properties.policyDefinitionId, definitionId));
    }
    /**
     * The assignments of a definition in every subscription and resource group under a management
     * group, which no Azure Policy list gives: their ids from Resource Graph's `policyresources`,
     * each then read from Azure Policy. Resource Graph catches up with writes only after some
     * seconds, so one it still lists that Azure Policy no longer has (404) is gone, and what is
     * planned is what Azure Policy holds.
     */
    async findAssignmentsOf(scope, definitionId) {
        const doing = `finding the assignments of ${(0,azure_scope/* nameOfId */.gu)(definitionId)} under ${(0,azure_scope/* shortScope */.ZD)(scope)} with Resource Graph`;
        const ids = await new ResourceGraph(this.connection).idsOf(scope, policyAssignmentsQuery(definitionId), doing, 'Microsoft.Authorization/policyAssignments');
        return readEach(ids, DEFAULT_CONCURRENCY, id => this.getAssignment(id), assignment => (0,azure_scope/* sameId */.s)(assignment.properties.policyDefinitionId, definitionId));
    }
    /** A definition at a scope, or undefined when Azure Policy answers 404 (it is not there). */
    async getDefinition(scope, name) {
        return this.read(`reading the policy definition ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, async () => definitionToRest(scope.kind === 'managementGroup'
            ? await this.client().policyDefinitions.getAtManagementGroup(scope.managementGroup, name)
            : await this.client(subscriptionOf(scope)).policyDefinitions.get(name)));
    }
    /** An initiative at a scope, or undefined when Azure Policy answers 404 (it is not there). */
    async getSetDefinition(scope, name) {
        return this.read(`reading the initiative ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, async () => setDefinitionToRest(scope.kind === 'managementGroup'
            ? await this.client().policySetDefinitions.getAtManagementGroup(scope.managementGroup, name)
            : await this.client(subscriptionOf(scope)).policySetDefinitions.get(name)));
    }
    async read(doing, get) {
        try {
            return await sdkRead(get);
        }
        catch (error) {
            if ((0,esm/* isRestError */.T0)(error) && error.statusCode === 404)
                return undefined;
            throw toArmError(error, doing, this.connection.secrets);
        }
    }
    /** An assignment by id, or undefined when Azure Policy answers 404 (it is not there). */
    async getAssignment(id) {
        return this.read(`reading the policy assignment ${id}`, async () => assignmentToRest(await this.client().policyAssignments.get((0,azure_scope/* scopeOfId */.J5)(id).replace(/^\//, ''), (0,azure_scope/* nameOfId */.gu)(id))));
    }
    putDefinition(scope, name, body) {
        const model = toModel(body);
        return this.write(`writing the policy definition ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'PUT', options => scope.kind === 'managementGroup'
            ? this.client().policyDefinitions.createOrUpdateAtManagementGroup(scope.managementGroup, name, model, options)
            : this.client(subscriptionOf(scope)).policyDefinitions.createOrUpdate(name, model, options));
    }
    putSetDefinition(scope, name, body) {
        const model = toModel(body);
        return this.write(`writing the initiative ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'PUT', options => scope.kind === 'managementGroup'
            ? this.client().policySetDefinitions.createOrUpdateAtManagementGroup(scope.managementGroup, name, model, options)
            : this.client(subscriptionOf(scope)).policySetDefinitions.createOrUpdate(name, model, options));
    }
    putAssignment(scope, name, body) {
        const model = toModel(body);
        return this.write(`writing the policy assignment ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'PUT', options => this.client().policyAssignments.create(scopeParameter(scope), name, model, options));
    }
    deleteDefinition(scope, name) {
        return this.write(`deleting the policy definition ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'DELETE', options => scope.kind === 'managementGroup'
            ? this.client().policyDefinitions.deleteAtManagementGroup(scope.managementGroup, name, options)
            : this.client(subscriptionOf(scope)).policyDefinitions.delete(name, options));
    }
    deleteSetDefinition(scope, name) {
        return this.write(`deleting the initiative ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'DELETE', options => scope.kind === 'managementGroup'
            ? this.client().policySetDefinitions.deleteAtManagementGroup(scope.managementGroup, name, options)
            : this.client(subscriptionOf(scope)).policySetDefinitions.delete(name, options));
    }
    deleteAssignment(scope, name) {
        return this.write(`deleting the policy assignment ${name} at ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'DELETE', options => this.client().policyAssignments.delete(scopeParameter(scope), name, options));
    }
    /**
     * Runs an SDK write; ARM's status decides whether it succeeded (see the module comment), and a
     * success must come with what a success answers (`writeAnswerError`): an error body or a proxy's
     * page answered 200 says nothing of whether the write was done.
     */
    async write(doing, method, call) {
        const ok = method === 'PUT' ? PUT_OK : DELETE_OK;
        let answered;
        let failure;
        try {
            await call({ onResponse: response => void (answered = response) });
        }
        catch (error) {
            failure = error;
            const accepted = answered && {
                status: answered.status,
                headers: answered.headers?.toJSON() ?? {},
                body: undefined
            };
            if (accepted && isAcceptedLater(accepted)) {
                // Resource Manager's asynchronous pattern: 202, then the operation to follow until it ends.
                try {
                    const done = await this.connection.rest.waitForOperation(accepted, {
                        timeoutMs: WRITE_OPERATION_TIMEOUT_MS,
                        doing
                    });
                    return { status: done.status };
                }
                catch (failed) {
                    throw toArmError(failed, doing, this.connection.secrets);
                }
            }
            if (!answered || !ok.includes(answered.status))
                throw toArmError(unexpectedAnswer(error, answered, doing), doing, this.connection.secrets);
        }
        const status = answered?.status ?? 0;
        if (ok.includes(status) && status < 300) {
            const unreadable = (0,esm/* isRestError */.T0)(failure) && failure.code === 'PARSE_ERROR';
            const unexpected = writeAnswerError(method, status, unreadable ? NOT_JSON : answered?.parsedBody, doing);
            if (unexpected)
                throw unexpected;
        }
        return { status };
    }
}
function subscriptionOf(scope) {
    if (scope.kind === 'managementGroup')
        throw new Error('a management group has no subscription');
    return scope.subscription;
}

// EXTERNAL MODULE: ./src/compiler/canonical.ts
var canonical = __webpack_require__(6143);
;// CONCATENATED MODULE: ./src/azure/compare.ts
/**
 * What we would PUT against what Azure holds, both in the REST shape, after taking out what
 * Azure adds itself: readOnly bookkeeping (`version`, `versions`, `instanceId`, `scope`,
 * `definitionVersion` when we set none, `metadata.createdBy/createdOn/updatedBy/updatedOn`,
 * an identity's principal), and defaults Azure fills in (`notScopes: []`,
 * `enforcementMode: Default`, empty parameters), and `null` for what is unset (outside a policy rule and
 * parameter values, at any depth). Ids and locations compare as ARM compares
 * them (case-insensitively; `West Europe` is `westeurope`). The result is a list of field
 * changes; none means the resource is unchanged and nothing is written.
 */


const AZURE_METADATA = ['createdBy', 'createdOn', 'updatedBy', 'updatedOn'];
function asObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}
function withoutKeys(value, keys) {
    const out = {};
    for (const [k, v] of Object.entries(value))
        if (!keys.includes(k))
            out[k] = v;
    return out;
}
/**
 * A copy without the object members that are `null`, at any depth (list items stay): Resource Manager answers
 * `null` or nothing for an optional field that is unset, nested ones too (a parameter's `schema`, its metadata's
 * `strongType`). Not for a policy rule or a parameter's value, where `null` is a value.
 */
function withoutNulls(value) {
    if (Array.isArray(value))
        return value.map(v => withoutNulls(v));
    if (value === null || typeof value !== 'object')
        return value;
    const out = {};
    for (const [k, v] of Object.entries(value))
        if (v !== null)
            out[k] = withoutNulls(v);
    return out;
}
function nonEmpty(out, name, value) {
    if (value === undefined || value === null)
        return;
    if (Array.isArray(value) && value.length === 0)
        return;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
        return;
    out[name] = value;
}
/**
 * An enum value or name Azure reads case-insensitively (`Waiver`, `waiver`; `Indexed`, `indexed`):
 * spelled as we would write it when it is the same word, so only a real change is a change.
 */
function asWritten(value, wanted) {
    if (typeof value === 'string' && typeof wanted === 'string' && (0,foldCase/* foldCase */.SP)(value) === (0,foldCase/* foldCase */.SP)(wanted))
        return wanted;
    if (Array.isArray(value) && Array.isArray(wanted) && value.length === wanted.length)
        return value.map((v, i) => asWritten(v, wanted[i]));
    return value;
}
function lowerId(value) {
    return typeof value === 'string' ? (0,foldCase/* foldCase */.SP)(value) : value;
}
/** Parameter declarations: metadata as a plain object, nothing Azure adds, an unset field (`null`) absent. */
function parameterDeclarations(value) {
    const out = {};
    for (const [name, spec] of Object.entries(asObject(value))) {
        const entry = {};
        for (const [k, v] of Object.entries(asObject(withoutNulls(spec))))
            if (k !== 'metadata')
                entry[k] = v;
        nonEmpty(entry, 'metadata', asObject(asObject(withoutNulls(spec)).metadata));
        out[name] = entry;
    }
    return out;
}
function parameterValues(value) {
    const out = {};
    for (const [name, entry] of Object.entries(asObject(value)))
        out[name] = { value: asObject(entry).value ?? null };
    return out;
}
/** The comparable form of a body. `desired` says which optional fields we set ourselves. */
function comparable(kind, body, desired) {
    const p = asObject(body.properties);
    const want = asObject(desired.properties);
    const out = {};
    const properties = {};
    for (const field of ['displayName', 'description'])
        nonEmpty(properties, field, p[field]);
    nonEmpty(properties, 'metadata', withoutKeys(asObject(withoutNulls(p.metadata)), AZURE_METADATA));
    if (kind === 'definition' || kind === 'initiative') {
        properties.policyType = asWritten(p.policyType ?? 'Custom', want.policyType ?? 'Custom');
        nonEmpty(properties, 'parameters', parameterDeclarations(p.parameters));
        if ('version' in want)
            properties.version = p.version ?? null;
    }
    if (kind === 'definition') {
        properties.mode = asWritten(p.mode ?? 'Indexed', want.mode ?? 'Indexed');
        nonEmpty(properties, 'policyRule', p.policyRule);
    }
    if (kind === 'initiative') {
        const members = {};
        const wantVersion = Array.isArray(want.policyDefinitions)
            ? want.policyDefinitions.some(m => 'definitionVersion' in asObject(m))
            : false;
        for (const member of Array.isArray(p.policyDefinitions) ? p.policyDefinitions : []) {
            const m = asObject(member);
            const entry = { policyDefinitionId: lowerId(m.policyDefinitionId) ?? null };
            nonEmpty(entry, 'parameters', parameterValues(m.parameters));
            nonEmpty(entry, 'groupNames', m.groupNames);
            if (wantVersion)
                nonEmpty(entry, 'definitionVersion', m.definitionVersion);
            // Members are matched by reference id: Azure keeps their order, but it changes nothing.
            members[String(m.policyDefinitionReferenceId ?? m.policyDefinitionId)] = entry;
        }
        properties.policyDefinitions = members;
        nonEmpty(properties, 'policyDefinitionGroups', withoutNulls(p.policyDefinitionGroups));
    }
    if (kind === 'exemption') {
        properties.policyAssignmentId = lowerId(p.policyAssignmentId) ?? null;
        properties.exemptionCategory = (asWritten(p.exemptionCategory, want.exemptionCategory) ?? null);
        nonEmpty(properties, 'policyDefinitionReferenceIds', asWritten(p.policyDefinitionReferenceIds, want.policyDefinitionReferenceIds));
        // An instant compares as an instant: Azure may answer `\u2026Z` for `\u2026.000Z`.
        const expires = typeof p.expiresOn === 'string' ? Date.parse(p.expiresOn) : NaN;
        if (!Number.isNaN(expires))
            properties.expiresOn = new Date(expires).toISOString();
        properties.assignmentScopeValidation = asWritten(p.assignmentScopeValidation ?? 'Default', want.assignmentScopeValidation ?? 'Default');
        // Selectors narrow what the exemption covers: one Azure holds with them is not the one we would write.
        nonEmpty(properties, 'resourceSelectors', withoutNulls(p.resourceSelectors));
    }
    if (kind === 'assignment') {
        properties.policyDefinitionId = lowerId(p.policyDefinitionId) ?? null;
        nonEmpty(properties, 'parameters', parameterValues(p.parameters));
        properties.enforcementMode = asWritten(p.enforcementMode ?? 'Default', want.enforcementMode ?? 'Default');
        nonEmpty(properties, 'notScopes', Array.isArray(p.notScopes) ? p.notScopes.map(lowerId) : undefined);
        // Messages are matched by the member they are for (none: the assignment's own).
        const messages = {};
        for (const message of Array.isArray(p.nonComplianceMessages) ? p.nonComplianceMessages : []) {
            const m = asObject(message);
            messages[String(m.policyDefinitionReferenceId ?? '(all)')] = m.message ?? null;
        }
        nonEmpty(properties, 'nonComplianceMessages', messages);
        nonEmpty(properties, 'resourceSelectors', withoutNulls(p.resourceSelectors));
        nonEmpty(properties, 'overrides', withoutNulls(p.overrides));
        if ('definitionVersion' in want)
            nonEmpty(properties, 'definitionVersion', p.definitionVersion);
        if (typeof body.location === 'string')
            out.location = (0,foldCase/* foldCase */.SP)(body.location.replace(/\s+/g, ''));
        const identity = asObject(body.identity);
        if (identity.type !== undefined && identity.type !== 'None') {
            const entry = { type: identity.type };
            nonEmpty(entry, 'userAssignedIdentities', Object.fromEntries(Object.keys(asObject(identity.userAssignedIdentities)).map(id => [(0,foldCase/* foldCase */.SP)(id), {}])));
            out.identity = entry;
        }
    }
    out.properties = properties;
    return out;
}
/** The fields that differ between two comparable forms, as paths into the REST body. */
function fieldChanges(before, after, path = '') {
    if (before !== undefined && after !== undefined && (0,canonical/* canonicalJson */.d)(before) === (0,canonical/* canonicalJson */.d)(after))
        return [];
    const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap(k => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((b, i) => fieldChanges(b, after[i], `${path}[${i}]`));
    }
    const change = { path };
    if (before !== undefined)
        change.before = before;
    if (after !== undefined)
        change.after = after;
    return [change];
}
/** The differences between what Azure holds and what we would PUT, ignoring what Azure adds. */
function compareBodies(kind, existing, desired) {
    return fieldChanges(comparable(kind, existing, desired), comparable(kind, desired, desired));
}

;// CONCATENATED MODULE: ./src/azure/hierarchy.ts




const MANAGEMENT_GROUPS_API_VERSION = '2020-05-01';
const GROUP_ID = /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/i;
/**
 * The ids of every management group and subscription below `scope` (not itself), in the order
 * Azure lists them. An entry is told by its id (`type` has been spelled
 * `Microsoft.Management/managementGroups` and `/providers/Microsoft.Management/managementGroups`
 * across api-versions, and `/subscriptions` for a subscription). An entry without a string id is
 * a malformed answer, not one to leave out.
 */
async function descendants(connection, scope) {
    if (scope.kind !== 'managementGroup')
        return [];
    const doing = `listing what is below the management group ${scope.managementGroup}`;
    const found = new Map();
    for await (const entry of connection.rest.list({
        path: `${scope.id}/descendants`,
        apiVersion: MANAGEMENT_GROUPS_API_VERSION,
        doing
    })) {
        const id = entry !== null && typeof entry === 'object' ? entry.id : undefined;
        if (typeof id !== 'string' || !id.startsWith('/'))
            throw toArmError(new MalformedAnswerError('a descendant has no id', scope.id), doing, connection.secrets);
        if ((0,foldCase/* foldCase */.SP)(id) !== (0,foldCase/* foldCase */.SP)(scope.id))
            found.set((0,foldCase/* foldCase */.SP)(id), id.replace(/\/+$/, ''));
    }
    return [...found.values()];
}
/** The management groups below `scope` (not itself), as scopes. */
async function groupsBelow(connection, scope) {
    const groups = [];
    for (const id of await descendants(connection, scope)) {
        if (!GROUP_ID.test(id))
            continue;
        try {
            groups.push((0,azure_scope/* parseScope */.Sk)(id, 'a management group Azure listed'));
        }
        catch {
            // Not a name Azure gives a group: the answer is not what the API documents.
            throw toArmError(new MalformedAnswerError(`a descendant's id is not a management group's: ${id}`, scope.id), `listing what is below ${scope.id}`, connection.secrets);
        }
    }
    return groups;
}
/**
 * Whether an id (a scope, or a resource in one) is at or below `scope`: under its path, or, for a
 * management group, under one of the groups or subscriptions Azure lists below it.
 */
async function containment(connection, scope) {
    const roots = [scope.id, ...(await descendants(connection, scope))].map(id => (0,foldCase/* foldCase */.SP)(id));
    return id => {
        const lower = (0,foldCase/* foldCase */.SP)(id).replace(/\/+$/, '');
        return roots.some(root => lower === root || lower.startsWith(`${root}/`));
    };
}

;// CONCATENATED MODULE: ./src/azure/searches.ts
/**
 * The searches that widen what plan, deploy and the live commands look at beyond the lists Azure Policy itself
 * gives: the management groups below a management group (Management Groups API), the subscriptions under it and
 * the pack's assignments and exemptions anywhere in them (Resource Graph). A Resource Manager that does not offer
 * one of those APIs (it answers 404, 405 or 501, or 400 with a code that says the API, its version or the query is
 * unknown there: an Azure Stack Hub, a proxy, an emulator) leaves that part unsearched: the run goes on with what
 * Azure Policy listed and says, in the plan's notes and the log, what it did not search and what follows from it,
 * instead of failing where every list it must read succeeded. A refusal (401, 403), throttling or a failure (429,
 * 5xx, the network) still stops the run, and so does any other 400: Resource Graph answers one for a search it
 * serves but will not run (`TooManySubscriptionsUnderScope` past 18,000 subscriptions), and a prune that went on
 * without that search would leave the pack assigned where it was.
 */

/** The statuses of an API the endpoint does not offer. */
const NOT_OFFERED = new Set([404, 405, 501]);
/**
 * The codes of a 400 that says the endpoint does not know the API, its version or the query cmk-guard sends
 * (Resource Graph's own is `BadRequest` with `InvalidQuery` in its details).
 */
const UNKNOWN_THERE = /^(?:NoRegisteredProviderFound|InvalidResourceType|InvalidResourceNamespace|InvalidApiVersionParameter|UnsupportedApiVersion|InvalidQuery)$/i;
/** Whether `error` is the endpoint saying it does not offer an API (rather than a refusal or a failure). */
function notOffered(error) {
    if (!(error instanceof ArmError) || error.status === undefined)
        return false;
    if (NOT_OFFERED.has(error.status))
        return true;
    if (error.status !== 400)
        return false;
    if (error.code !== undefined && UNKNOWN_THERE.test(error.code))
        return true;
    // ARM's reader puts the details after "Details:", each "code: message", the last "code" alone when it says no more.
    return /^BadRequest$/i.test(error.code ?? '') && /\bDetails: (?:.*; )?InvalidQuery(?::|;|$)/.test(error.armMessage);
}
class Searches {
    onNote;
    /** What was not searched, once each, in the order met. */
    notes = [];
    constructor(onNote = () => undefined) {
        this.onNote = onNote;
    }
    /**
     * `read()`, or `fallback` when the endpoint does not offer it. `what` names what was searched for, and
     * `consequence` says what follows when it is not (a sentence).
     */
    async widen(what, consequence, read, fallback) {
        try {
            return await read();
        }
        catch (error) {
            if (!notOffered(error))
                throw error;
            const note = `Not searched: ${what}, because ${error.message.replace(/\.$/, '')}. ${consequence}`;
            if (!this.notes.includes(note)) {
                this.notes.push(note);
                this.onNote(note);
            }
            return fallback;
        }
    }
}

;// CONCATENATED MODULE: ./src/azure/exemptions.ts









const EXEMPTIONS_API_VERSION = '2022-07-01-preview';
const exemptions_PUT_OK = [200, 201];
/** 404: gone already (deleted meanwhile, or with the resource it was on), which is what was asked. */
const exemptions_DELETE_OK = [200, 204, 404];
/** `{scope}/providers/Microsoft.Authorization/policyExemptions/{name}`. */
function exemptionId(scope, name) {
    return `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/policyExemptions/${name}`;
}
/** The scope an exemption is at: everything before its `/providers/Microsoft.Authorization/policyExemptions/`. */
function exemptionScope(id) {
    const at = (0,foldCase/* foldCase */.SP)(id).lastIndexOf('/providers/microsoft.authorization/policyexemptions/');
    return at < 0 ? id : id.slice(0, at);
}
/**
 * An exemption as Azure answered it, checked for what cmk-guard reads: a string `id` and `name`,
 * `properties` an object with a string `policyAssignmentId` (required by the API). Anything else
 * is a malformed answer, not an exemption to skip: skipping one could plan a create over it.
 * Fields that are `null` are read as absent (ARM answers either for an unset optional field).
 */
function checkExemption(value, doing, secrets = []) {
    const problem = (what) => toArmError(new MalformedAnswerError(`a policy exemption ${what}`, ''), doing, secrets);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
        throw problem('is not an object');
    const item = value;
    if (typeof item.id !== 'string' || item.id === '')
        throw problem('has no id');
    const properties = item.properties;
    if (properties === null || typeof properties !== 'object' || Array.isArray(properties))
        throw problem(`${item.id} has no properties object`);
    const kept = {};
    for (const [key, field] of Object.entries(properties))
        if (field !== null && field !== undefined)
            kept[key] = field;
    if (typeof kept.policyAssignmentId !== 'string' || kept.policyAssignmentId === '')
        throw problem(`${item.id} names no policyAssignmentId`);
    if (typeof kept.exemptionCategory !== 'string')
        throw problem(`${item.id} has no exemptionCategory`);
    const name = typeof item.name === 'string' && item.name !== '' ? item.name : item.id.slice(item.id.lastIndexOf('/') + 1);
    return { ...value, id: item.id, name, properties: kept };
}
class ExemptionStore {
    connection;
    searches;
    constructor(connection, 
    /** Where the searches below a management group and across the tenant say what they could not do. */
    searches = new Searches()) {
        this.connection = connection;
        this.searches = searches;
    }
    /** The exemptions a list at `scope` gives (`filter` as the API takes it; none: at, above and below). */
    async list(scope, filter) {
        const doing = `listing the policy exemptions at ${scope}`;
        const items = await this.connection.rest.listAll({
            path: `${scope}/providers/Microsoft.Authorization/policyExemptions`,
            apiVersion: EXEMPTIONS_API_VERSION,
            query: { $filter: filter },
            doing
        });
        return items.map(item => checkExemption(item, doing, this.connection.secrets));
    }
    /**
     * Every exemption that can apply to a resource in `scope`: at it, above it or below it. A
     * subscription's or resource group's unfiltered list holds all of those. A management group's
     * list does not go below it: its own `atScope()` list gives it and the groups above, each
     * subscription's list what is in the subscription and at the groups holding it, and each group
     * below it (from the descendants list; one that holds no subscription is in no subscription's
     * list) is listed `atExactScope()`.
     */
    async affecting(scope) {
        const lists = [
            [scope.id, scope.kind === 'managementGroup' ? 'atScope()' : undefined]
        ];
        if (scope.kind === 'managementGroup') {
            const unlisted = 'An exemption there is not listed: none is deleted there, and one to write there is read by its id first.';
            const [subscriptions, groups] = await Promise.all([
                this.searches.widen(`the exemptions in the subscriptions under ${(0,azure_scope/* shortScope */.ZD)(scope)}`, unlisted, () => new ResourceGraph(this.connection).subscriptions(scope), []),
                this.searches.widen(`the exemptions at the management groups under ${(0,azure_scope/* shortScope */.ZD)(scope)}`, unlisted, () => groupsBelow(this.connection, scope), [])
            ]);
            for (const id of subscriptions)
                lists.push([`/subscriptions/${id}`, undefined]);
            for (const group of groups)
                lists.push([group.id, 'atExactScope()']);
        }
        const found = new Map();
        for (const [at, filter] of lists)
            for (const e of await this.list(at, filter))
                found.set((0,foldCase/* foldCase */.SP)(e.id), e);
        return [...found.values()].sort((a, b) => ((0,foldCase/* foldCase */.SP)(a.id) < (0,foldCase/* foldCase */.SP)(b.id) ? -1 : 1));
    }
    /**
     * The exemptions of the given assignments. An exemption is at or below its assignment's scope,
     * so each assignment scope's exemptions are listed once and those naming one of `ids` kept;
     * and, as one made with `assignmentScopeValidation: DoNotValidate` may be anywhere (Azure allows
     * it outside the assignment's scope, e.g. on a subscription about to move under it), those
     * Resource Graph finds anywhere else (`outside`) are added.
     */
    async ofAssignments(ids) {
        const wanted = new Set(ids.map(id => (0,foldCase/* foldCase */.SP)(id)));
        const scopes = new Map();
        for (const id of ids) {
            const scope = (0,azure_scope/* parseScope */.Sk)((0,azure_scope/* scopeOfId */.J5)(id), 'the scope of a policy assignment');
            scopes.set((0,foldCase/* foldCase */.SP)(scope.id), scope);
        }
        const found = new Map();
        for (const scope of scopes.values())
            for (const e of await this.affecting(scope))
                if (wanted.has((0,foldCase/* foldCase */.SP)(e.properties.policyAssignmentId)))
                    found.set((0,foldCase/* foldCase */.SP)(e.id), e);
        for (const e of await this.naming(ids))
            found.set((0,foldCase/* foldCase */.SP)(e.id), e);
        return [...found.values()].sort((a, b) => ((0,foldCase/* foldCase */.SP)(a.id) < (0,foldCase/* foldCase */.SP)(b.id) ? -1 : 1));
    }
    /**
     * Every exemption in the tenant (as far as the identity can read) that names one of the
     * assignments `ids`, wherever it is: their ids from Resource Graph's `policyresources`, each then
     * read from the exemptions API. Resource Graph lags writes by some seconds, so a row whose
     * exemption is gone (404), or names another assignment now, counts for nothing.
     */
    async naming(ids) {
        if (!ids.length)
            return [];
        const doing = `finding the policy exemptions of ${ids.join(', ')} with Resource Graph`;
        const candidates = await this.searches.widen(`the exemptions of ${ids.join(', ')} anywhere in the tenant (those made outside the assignment's scope)`, 'One outside the scope is not listed: none is deleted there.', () => new ResourceGraph(this.connection).idsOf('tenant', policyExemptionsQuery(ids), doing, 'Microsoft.Authorization/policyExemptions'), []);
        return readEach(candidates, DEFAULT_CONCURRENCY, id => this.get(id), exemption => ids.some(a => (0,azure_scope/* sameId */.s)(exemption.properties.policyAssignmentId, a)));
    }
    /** An exemption by id, or undefined when there is none (404). */
    async get(id) {
        const doing = `reading the policy exemption ${id}`;
        const answer = await this.connection.rest.send({
            method: 'GET',
            path: id,
            apiVersion: EXEMPTIONS_API_VERSION,
            expect: [200, 404],
            doing
        });
        return answer.status === 200 ? checkExemption(answer.body, doing, this.connection.secrets) : undefined;
    }
    async put(scope, name, properties) {
        const answer = await this.connection.rest.send({
            method: 'PUT',
            path: exemptionId(scope, name),
            apiVersion: EXEMPTIONS_API_VERSION,
            body: { properties },
            expect: [...exemptions_PUT_OK, 202],
            doing: `writing the policy exemption ${name} at ${scope}`
        });
        return this.finished(answer, `writing the policy exemption ${name} at ${scope}`, exemptions_PUT_OK, 'PUT');
    }
    async delete(scope, name) {
        const answer = await this.connection.rest.send({
            method: 'DELETE',
            path: exemptionId(scope, name),
            apiVersion: EXEMPTIONS_API_VERSION,
            expect: [...exemptions_DELETE_OK, 202],
            doing: `deleting the policy exemption ${name} at ${scope}`
        });
        return this.finished(answer, `deleting the policy exemption ${name} at ${scope}`, exemptions_DELETE_OK, 'DELETE');
    }
    /**
     * A write's answer, or, when Resource Manager accepted it to finish later (202), the operation's end. A
     * success must come with what a success answers (`writeAnswerError`).
     */
    async finished(answer, doing, ok, method) {
        const unexpected = ok.includes(answer.status) && answer.status < 300
            ? writeAnswerError(method, answer.status, answer.body, doing)
            : undefined;
        if (unexpected)
            throw unexpected;
        if (ok.includes(answer.status))
            return { status: answer.status };
        if (!isAcceptedLater(answer))
            throw new ArmError(`Resource Manager answered 202 while ${doing} without saying where to follow it; cmk-guard does not know whether it was done. Run plan to see what Azure holds.`, 202, 'UnexpectedAnswer', '');
        const done = await this.connection.rest.waitForOperation(answer, { timeoutMs: WRITE_OPERATION_TIMEOUT_MS, doing });
        return { status: done.status };
    }
    /**
     * The exemptions that apply to resources in `scope` for assignments of an initiative `isOurs`
     * accepts (given the assignment's `policyDefinitionId`): each exemption's assignment read once.
     */
    async forInitiative(scope, isOurs) {
        const exemptions = await this.affecting(scope);
        const ours = new Map();
        for (const id of new Set(exemptions.map(e => (0,foldCase/* foldCase */.SP)(e.properties.policyAssignmentId)))) {
            const definition = (await this.assignment(id))?.properties.policyDefinitionId;
            ours.set(id, typeof definition === 'string' && isOurs(definition));
        }
        return exemptions.filter(e => ours.get((0,foldCase/* foldCase */.SP)(e.properties.policyAssignmentId)) === true);
    }
    /** The assignment an exemption is for (policy 2025-03-01), or undefined when it is gone. */
    async assignment(id) {
        const answer = await this.connection.rest.send({
            method: 'GET',
            path: id,
            apiVersion: '2025-03-01',
            expect: [200, 404],
            doing: `reading the policy assignment ${id}`
        });
        if (answer.status !== 200)
            return undefined;
        const body = answer.body;
        const properties = body !== null && typeof body === 'object' ? body.properties : undefined;
        if (properties === null || typeof properties !== 'object' || Array.isArray(properties))
            throw toArmError(new MalformedAnswerError(`the policy assignment ${id} has no properties object`, ''), `reading the policy assignment ${id}`, this.connection.secrets);
        return answer.body;
    }
}

;// CONCATENATED MODULE: ./src/azure/apply.ts







/** A wait is its delay give or take this share of it, so the waits stay within a quarter of the doubling series. */
const SETTLE_JITTER = 0.25;
/** `delayMs` moved by up to SETTLE_JITTER of it either way, by `random` (in [0, 1); out of range is clamped). */
function jittered(delayMs, random = Math.random) {
    const r = Math.min(Math.max(random(), 0), 1);
    return Math.round(delayMs * (1 - SETTLE_JITTER + 2 * SETTLE_JITTER * r));
}
/** About a minute in all: 1 + 2 + 4 + 8 + 16 + 30 seconds, each give or take a quarter. */
const DEFAULT_SETTLE = { retries: 6, delayMs: 1000, maxDelayMs: 30_000 };
/** The same count and delays as the connection's retries (`CMK_GUARD_AZURE_RETRY_DELAY_MS` sets the first). */
function settleOptions(retry) {
    return {
        retries: retry.maxRetries ?? DEFAULT_SETTLE.retries,
        delayMs: retry.retryDelayInMs ?? DEFAULT_SETTLE.delayMs,
        maxDelayMs: retry.maxRetryDelayInMs ?? DEFAULT_SETTLE.maxDelayMs
    };
}
/**
 * What Azure answers when a write references something its replicas do not see as it is yet
 * (written or deleted moments ago): the codes seen from real Resource Manager in that case
 * (Azure/Enterprise-Scale#161, #337, #902; Azure/terraform-azurerm-avm-ptn-alz#28; the
 * InvalidDelete\u2026 codes in ../shared/corpus/rest-api/policy/arm-errors-observed.json).
 */
function notSeenYet(error) {
    const code = (0,foldCase/* foldCase */.SP)(error.code ?? '');
    if (error.status === 404)
        return code === 'policyassignmentnotfound';
    if (error.status !== 400)
        return false;
    if ([
        'policydefinitionnotfound',
        'policysetdefinitionnotfound',
        'policyassignmentnotfound',
        'invaliddeletepolicydefinitionrequest',
        'invaliddeletepolicysetdefinitionrequest',
        'invalidpolicydefinitionreference'
    ].includes(code))
        return true;
    // "\u2026 is out of scope. Policy definitions should be specified only at or above the policy
    // assignment scope. \u2026 please allow up to 30 minutes \u2026 and try again." (Azure/Enterprise-Scale#902)
    return ((code === 'invalidcreatepolicyassignmentrequest' || code === 'invalidcreatepolicysetdefinitionrequest') &&
        /at or above the policy (set definition|assignment)'?s? scope/i.test(error.armMessage));
}
/**
 * Runs a write; while Azure answers that it does not see what the write references yet, waits
 * (doubling, each wait give or take a quarter at random) and tries again, `settle.retries` times. The last answer is reported with what it
 * most likely means and what to do.
 */
async function settled(write, settle, onWait, deadline, 
/** Why an answer `notSeenYet` takes for lag is not (what waiting cannot change), said after it; undefined when it may be lag. */
notLag) {
    let delay = settle.delayMs;
    let waited = 0;
    for (let attempt = 0;; attempt++) {
        try {
            return await write();
        }
        catch (error) {
            if (!(error instanceof ArmError) || !notSeenYet(error))
                throw error;
            const lasting = notLag?.(error);
            if (lasting !== undefined)
                throw new ArmError(`${error.message.replace(/\s*$/, '')} ${lasting}`, error.status, error.code, error.armMessage);
            if (attempt >= settle.retries) {
                throw new ArmError(`${error.message} cmk-guard tried ${attempt + 1} times over ${Math.round(waited / 1000)} s: Azure Policy's replicas had not caught up with what was written or deleted moments before, or someone changed the scope meanwhile. Run deploy again in a few minutes; it plans from what Azure then holds.`, error.status, error.code, error.armMessage);
            }
            const wait = jittered(delay, settle.random);
            onWait?.(error, wait);
            try {
                await (0,azure_deadline/* pause */.v7)(wait, deadline);
            }
            catch (stop) {
                if (!(stop instanceof azure_deadline/* RunTimeoutError */.NE))
                    throw stop;
                throw new ArmError(`${error.message} ${stop.message[0].toUpperCase()}${stop.message.slice(1)} while cmk-guard waited to try again: it was not written.`, error.status, 'RunTimeout', error.armMessage);
            }
            waited += wait;
            delay = Math.min(delay * 2, settle.maxDelayMs);
        }
    }
}
/**
 * A write that failed, but that Azure may have done all the same: every failure but a refusal
 * (a 4xx other than 408 and 429, which say "not now", after which the answer of an earlier try may
 * have been lost).
 */
function mayHaveBeenDone(error) {
    if (error.status === undefined || error.code === 'UnexpectedAnswer')
        return true;
    return error.status >= 500 || error.status === 408 || error.status === 429 || error.status < 400;
}
function scopeOf(item) {
    return (0,azure_scope/* parseScope */.Sk)((0,azure_scope/* scopeOfId */.J5)(item.id), 'the scope of a resource id');
}
async function applyPlan(plan, store, options = {}) {
    if (plan.items.some(i => i.action === 'conflict')) {
        throw new Error('applyPlan was given a plan with conflicts; deploy stops before this.');
    }
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    const settle = options.settle ?? DEFAULT_SETTLE;
    const { deadline } = options;
    // A replaced item is deleted in the first steps and written again later: its result is the write's.
    const deletedForReplace = new Set();
    /** Why an item is not written when the run's time limit has passed (a replaced one may be deleted already). */
    const timeUp = (item) => `not attempted: ${deadline.error().message} before it was started${deletedForReplace.has(item) ? `; it was deleted to be created again, so Azure does not hold it until deploy runs again` : ''}`;
    const waiting = (item) => (error, delayMs) => options.log?.(`Azure ${/^InvalidDelete/i.test(error.code ?? '') ? `still sees what referenced the ${item.kind} ${item.name}` : `does not see yet what the ${item.kind} ${item.name} references`} (${error.code}); trying again in ${delayMs < 1000 ? `${delayMs} ms` : `${Math.round(delayMs / 1000)} s`}.`);
    // What the pack holds: a reference from one of these goes (it is deleted, replaced or rewritten without it) before
    // the delete it blocks, and Azure's replicas may answer as if it had not for a while.
    const packs = new Set(plan.items.map(i => (0,foldCase/* foldCase */.SP)(i.id)));
    /** A delete Azure refuses because something this deploy does not delete references what it deletes. */
    const heldElsewhere = (error) => {
        if (!/^InvalidDeletePolicy(?:Set)?DefinitionRequest$/i.test(error.code ?? ''))
            return undefined;
        const holder = /referenced by the (policy set definition|policy assignment) '([^']+)'/i.exec(error.armMessage);
        if (holder === null || packs.has((0,foldCase/* foldCase */.SP)(holder[2])))
            return undefined;
        return `The ${holder[1]} ${holder[2]} is not the pack's (cmk-guard does not own it, or the plan did not see it), so trying again cannot help: remove that reference, then deploy --prune again.`;
    };
    const results = [];
    let failed = false;
    const record = (item, outcome, message) => results.push({
        kind: item.kind,
        name: item.name,
        id: item.id,
        action: item.action,
        outcome,
        ...(message ? { message } : {}),
        ...(item.source ? { source: item.source } : {})
    });
    const attempt = async (item, write) => {
        try {
            await write();
            record(item, 'applied');
        }
        catch (error) {
            if (!(error instanceof ArmError))
                throw error;
            failed = true;
            record(item, 'failed', error.message);
        }
    };
    const exemptionStore = () => {
        if (!options.exemptions)
            throw new Error('applyPlan was given exemptions but no exemption store.');
        return options.exemptions;
    };
    const readBack = async (item) => {
        if (item.kind === 'exemption')
            return exemptionStore().get(item.id);
        if (item.kind === 'assignment')
            return store.getAssignment(item.id);
        if (item.kind === 'initiative')
            return store.getSetDefinition(scopeOf(item), item.name);
        return store.getDefinition(scopeOf(item), item.name);
    };
    /**
     * After a write that failed as `mayHaveBeenDone` says: whether Azure holds what it was to leave
     * (`true`), or what to add to the error: that it was not done, or that this is not known.
     */
    const confirm = async (item, deleting) => {
        let found;
        try {
            found = await readBack(item);
        }
        catch (error) {
            if (!(error instanceof ArmError))
                throw error;
            return ` Whether Azure did it is not known: reading it back failed too (${error.message.replace(/\.$/, '')}). Run plan to see what Azure holds.`;
        }
        if (deleting)
            return found === undefined ? true : ' Read back afterwards, Azure still holds it: it was not deleted.';
        if (found === undefined)
            return ' Read back afterwards, Azure does not hold it: it was not written.';
        const changes = compareBodies(item.kind, found, item.body);
        if (!changes.length)
            return true;
        return ` Read back afterwards, Azure holds it otherwise (${changes
            .slice(0, 3)
            .map(c => c.path)
            .join(', ')}${changes.length > 3 ? ', \u2026' : ''}): it was not written.`;
    };
    /** Runs a write; one that fails as Azure may have done it is read back, and done when it was. */
    const confirmed = async (item, deleting, write) => {
        try {
            await write();
        }
        catch (error) {
            if (error instanceof ArmError && error.code === 'RunTimeout' && error.status === undefined)
                throw new ArmError(`${error.message.replace(/\.$/, '')}, with the request under way: whether Azure did it is not known (it does a write whole or not at all). Run plan to see what Azure holds; deploy again finishes the job.`, undefined, error.code, '');
            if (!(error instanceof ArmError) || !mayHaveBeenDone(error))
                throw error;
            const read = await confirm(item, deleting);
            if (read !== true)
                throw new ArmError(`${error.message.replace(/\s*$/, '')}${read}`, error.status, error.code, error.armMessage);
            options.log?.(`The answer to ${deleting ? 'deleting' : 'writing'} the ${item.kind} ${item.name} was lost (${error.code ?? error.status}); read back, Azure ${deleting ? 'no longer holds it' : 'holds it as planned'}.`);
        }
    };
    const remove = (item) => {
        if (item.kind === 'exemption')
            return exemptionStore().delete(exemptionScope(item.id), item.name);
        const scope = scopeOf(item);
        if (item.kind === 'assignment')
            return store.deleteAssignment(scope, item.name);
        if (item.kind === 'initiative')
            return store.deleteSetDefinition(scope, item.name);
        return store.deleteDefinition(scope, item.name);
    };
    const put = (item) => {
        const body = item.body;
        if (item.kind === 'exemption')
            return exemptionStore().put(exemptionScope(item.id), item.name, body.properties);
        const scope = scopeOf(item);
        if (item.kind === 'assignment')
            return store.putAssignment(scope, item.name, body);
        if (item.kind === 'initiative')
            return store.putSetDefinition(scope, item.name, body);
        return store.putDefinition(scope, item.name, body);
    };
    const of = (kind, actions) => plan.items.filter(i => i.kind === kind && actions.includes(i.action));
    const replaced = plan.items.filter(i => i.action === 'replace');
    // Azure refuses to delete an initiative that is assigned: when it is replaced, assignments
    // pruned (the pack's own, left at another scope) go first, with the one replaced.
    const initiativeReplaced = replaced.some(i => i.kind === 'initiative');
    const prunedAssignments = of('assignment', ['delete']);
    const steps = [
        // Exemptions name an assignment, and Azure keeps them when it goes: deleted before any assignment is.
        { items: of('exemption', ['delete']), run: remove, parallel: true },
        {
            items: [...replaced.filter(i => i.kind === 'assignment'), ...(initiativeReplaced ? prunedAssignments : [])],
            run: remove,
            parallel: false,
            teardown: true
        },
        { items: replaced.filter(i => i.kind === 'initiative'), run: remove, parallel: false, teardown: true },
        { items: replaced.filter(i => i.kind === 'definition'), run: remove, parallel: true, teardown: true },
        { items: of('definition', ['create', 'update', 'replace']), run: put, parallel: true },
        { items: of('initiative', ['create', 'update', 'replace']), run: put, parallel: false },
        { items: of('assignment', ['create', 'update', 'replace']), run: put, parallel: false },
        // Exemptions name the assignment: written after it.
        { items: of('exemption', ['create', 'update']), run: put, parallel: true },
        { items: initiativeReplaced ? [] : prunedAssignments, run: remove, parallel: true },
        { items: of('initiative', ['delete']), run: remove, parallel: true },
        { items: of('definition', ['delete']), run: remove, parallel: true }
    ];
    for (const step of steps) {
        if (!step.items.length)
            continue;
        if (deadline?.expired) {
            for (const item of step.items)
                if (!step.teardown || item.action === 'delete')
                    record(item, 'not-applied', timeUp(item));
            continue;
        }
        if (failed) {
            for (const item of step.items) {
                if (!step.teardown || !deletedForReplace.has(item))
                    record(item, 'not-applied', 'not attempted: an earlier step failed, and this one depends on it');
            }
            continue;
        }
        const run = async (item) => {
            // Within a step, what has not started when the limit passes is not started.
            if (deadline?.expired) {
                if (!step.teardown || item.action === 'delete')
                    record(item, 'not-applied', timeUp(item));
                return;
            }
            if (step.teardown) {
                try {
                    await confirmed(item, true, () => settled(() => step.run(item), settle, waiting(item), deadline, heldElsewhere));
                    // A replaced item's result is its write, later; a pruned one's is this.
                    if (item.action === 'delete')
                        record(item, 'applied');
                    else
                        deletedForReplace.add(item);
                }
                catch (error) {
                    if (!(error instanceof ArmError))
                        throw error;
                    failed = true;
                    record(item, 'failed', item.action === 'delete' ? error.message : `could not delete it to create it again: ${error.message}`);
                }
                return;
            }
            await attempt(item, () => confirmed(item, step.run === remove, () => settled(() => step.run(item), settle, waiting(item), deadline, heldElsewhere)));
        };
        await runBounded(step.items, step.parallel ? concurrency : 1, run);
    }
    return results;
}

// EXTERNAL MODULE: ./src/azure/desired.ts
var azure_desired = __webpack_require__(9701);
;// CONCATENATED MODULE: ./src/azure/limits.ts


const AZURE_POLICY_LIMITS = {
    /** Custom policy definitions at one management group or subscription. */
    definitionsPerScope: 500,
    /** Custom initiatives at one management group or subscription. */
    initiativesPerScope: 200,
    /** Assignments at one scope. */
    assignmentsPerScope: 200,
    parametersPerDefinition: 20,
    parametersPerInitiative: 400,
    membersPerInitiative: 1000
};
function countOf(value) {
    if (Array.isArray(value))
        return value.length;
    return value !== null && typeof value === 'object' ? Object.keys(value).length : 0;
}
/** What the pack itself must respect, checked before Azure is asked anything. */
function checkPackLimits(desired, pack, members) {
    const errors = [];
    const limits = AZURE_POLICY_LIMITS;
    for (const definition of desired.definitions) {
        const count = countOf(definition.body.properties.parameters);
        if (count > limits.parametersPerDefinition) {
            const rule = members.find(m => m.name === definition.name);
            errors.push(new model_errors/* UserError */.yo(`the policy definition ${definition.name} has ${count} parameters; Azure allows at most ${limits.parametersPerDefinition} per definition. Give the rule fewer parameters.`, rule ? { file: rule.file } : { file: pack.file }));
        }
    }
    const where = pack.positionOf?.('/rules') ?? { file: pack.file };
    const memberCount = countOf(desired.initiative.body.properties.policyDefinitions);
    if (memberCount > limits.membersPerInitiative) {
        errors.push(new model_errors/* UserError */.yo(`the pack's initiative has ${memberCount} policy definitions; Azure allows at most ${limits.membersPerInitiative} per initiative. Split the pack.`, where));
    }
    const parameterCount = countOf(desired.initiative.body.properties.parameters);
    if (parameterCount > limits.parametersPerInitiative) {
        errors.push(new model_errors/* UserError */.yo(`the pack's initiative has ${parameterCount} parameters (one effect per rule, and the rules' own); Azure allows at most ${limits.parametersPerInitiative} per initiative. Split the pack.`, where));
    }
    (0,model_errors/* throwUserErrors */.zu)(errors);
}
/**
 * What the scopes would hold once the plan is applied: everything listed there (cmk-guard's and
 * anyone else's), plus what the plan creates, minus what it deletes.
 */
function checkScopeLimits(plan, existing, scope, assignmentScope) {
    const errors = [];
    const after = (kind, held) => held +
        plan.items.filter(i => i.kind === kind && i.action === 'create').length -
        plan.items.filter(i => i.kind === kind && i.action === 'delete').length;
    const check = (kind, held, limit, noun, at) => {
        const total = after(kind, held);
        if (total > limit) {
            errors.push(new model_errors/* UserError */.yo(`after this deploy ${(0,azure_scope/* shortScope */.ZD)(at)} would hold ${total} ${noun} (${held} there now); Azure allows at most ${limit}. Delete some there${kind === 'assignment' ? '' : ', prune what left the pack (--prune)'}, or publish to another scope.`));
        }
    };
    const limits = AZURE_POLICY_LIMITS;
    check('definition', existing.definitions.length, limits.definitionsPerScope, 'custom policy definitions', scope);
    check('initiative', existing.initiatives.length, limits.initiativesPerScope, 'custom initiatives', scope);
    check('assignment', existing.assignments.length, limits.assignmentsPerScope, 'policy assignments', assignmentScope);
    (0,model_errors/* throwUserErrors */.zu)(errors);
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./src/azure/owner.ts
/**
 * The owner id cmk-guard writes into everything it publishes (`metadata.cmkGuard.owner`), as
 * EPAC's `pacOwnerId` does: by default the repository the rules come from, so two repositories
 * publishing to one scope never change each other's definitions.
 */



const MAX_OWNER = 256;
function checkOwner(owner, what = '--owner') {
    const trimmed = owner.trim();
    // eslint-disable-next-line no-control-regex
    if (!trimmed || trimmed.length > MAX_OWNER || /[\u0000-\u001f\u007f]/.test(trimmed)) {
        throw new model_errors/* UserError */.yo(`${what} must be 1 to ${MAX_OWNER} printable characters, such as github.com/contoso/policies.`);
    }
    return trimmed;
}
/** `https://user:token@github.com/o/r.git`, `git@github.com:o/r.git` \u2192 `github.com/o/r`. */
function ownerFromRemote(remote) {
    const text = remote.trim();
    const scp = /^[^@/]+@([^:/]+):(.+)$/.exec(text);
    let host;
    let repoPath;
    if (scp) {
        host = scp[1];
        repoPath = scp[2];
    }
    else {
        try {
            const url = new URL(text);
            host = url.hostname;
            repoPath = url.pathname;
        }
        catch {
            return undefined;
        }
    }
    const cleaned = repoPath
        .replace(/^\/+/, '')
        .replace(/\.git$/, '')
        .replace(/\/+$/, '');
    return host && cleaned ? `${(0,foldCase/* foldCase */.SP)(host)}/${cleaned}` : undefined;
}
/** The owner id: `--owner`, else the GitHub repository of the run, else the git remote `origin`. */
function resolveOwner(given, env, cwd) {
    if (given !== undefined && given.trim() !== '')
        return checkOwner(given);
    if (env.GITHUB_REPOSITORY) {
        let host = 'github.com';
        try {
            host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname;
        }
        catch {
            // keep github.com
        }
        return checkOwner(`${host}/${env.GITHUB_REPOSITORY}`, 'the owner derived from GITHUB_REPOSITORY');
    }
    let remote = '';
    try {
        remote = (0,external_node_child_process_.execFileSync)('git', ['config', '--get', 'remote.origin.url'], {
            cwd,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
            timeout: 10_000
        });
    }
    catch {
        // not a git repository, or no remote
    }
    const derived = ownerFromRemote(remote);
    if (!derived) {
        throw new model_errors/* UserError */.yo('cmk-guard cannot tell whose definitions these are: there is no GITHUB_REPOSITORY and no git remote `origin`; give --owner ID (the same every time you publish this pack).');
    }
    return checkOwner(derived, 'the owner derived from the git remote');
}

;// CONCATENATED MODULE: ./src/azure/plan.ts






/**
 * Where assignments of the initiative at other scopes can be listed: a subscription's list holds
 * those at its resource groups too; a management group's only those at it. So an assignment
 * moved within a subscription, or between a management group and a subscription below it, is
 * listed; one in another subscription under a management group is not (Azure Policy has no list
 * for it), and is found with Resource Graph instead (`readExisting`).
 */
function searchScopes(scope, assignmentScope) {
    if (scope.kind === 'subscription')
        return [scope];
    if (assignmentScope.kind === 'managementGroup')
        return [];
    const subscription = (0,azure_scope/* parseScope */.Sk)(`/subscriptions/${assignmentScope.subscription}`, 'the assignment scope');
    return [scope, subscription];
}
/** Reads what the scope holds: three lists, and the initiative's assignments elsewhere, read at once. */
async function readExisting(store, scope, assignmentScope, initiativeId, searches = new Searches()) {
    const searched = initiativeId ? searchScopes(scope, assignmentScope) : [];
    const [definitions, initiatives, assignments, ...found] = await Promise.all([
        store.listDefinitions(scope),
        store.listSetDefinitions(scope),
        store.listAssignments(assignmentScope),
        ...searched.map(at => store.listAssignmentsOf(at, initiativeId)),
        // Under a management group, every subscription's and resource group's, with Resource Graph.
        ...(initiativeId && scope.kind === 'managementGroup'
            ? [
                searches.widen(`the pack's assignments in the subscriptions and resource groups under ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'An assignment of the pack there is neither updated nor pruned.', () => store.findAssignmentsOf(scope, initiativeId), [])
            ]
            : [])
    ]);
    const elsewhere = new Map();
    for (const assignment of found.flat())
        if (!(0,azure_scope/* sameId */.s)((0,azure_scope/* scopeOfId */.J5)(assignment.id), assignmentScope.id))
            elsewhere.set((0,foldCase/* foldCase */.SP)(assignment.id), assignment);
    return { definitions, initiatives, assignments, elsewhere: [...elsewhere.values()] };
}
/** A scope for a sentence: `resource group x (subscription y)`, or the id when it is no scope cmk-guard names. */
function scopeName(id) {
    try {
        return (0,azure_scope/* shortScope */.ZD)((0,azure_scope/* parseScope */.Sk)(id, 'a scope'));
    }
    catch {
        return id;
    }
}
const NOUN = {
    definition: 'policy definition',
    initiative: 'initiative',
    assignment: 'policy assignment',
    exemption: 'policy exemption'
};
/** Parameter types by lowercased name (Azure's names are case-insensitive), with the name as written. */
function parameterTypes(body) {
    const types = new Map();
    const parameters = body.properties.parameters;
    if (parameters && typeof parameters === 'object' && !Array.isArray(parameters)) {
        for (const [name, spec] of Object.entries(parameters)) {
            const type = spec && typeof spec === 'object' && !Array.isArray(spec) ? spec.type : undefined;
            types.set((0,foldCase/* foldCase */.SP)(name), { name, type: (0,foldCase/* foldCase */.SP)(String(type ?? '')) });
        }
    }
    return types;
}
/** Why Azure would refuse updating `existing` to `desired` in place, or undefined when it would not. */
function refusedInPlace(existing, desired) {
    const before = parameterTypes(existing);
    const after = parameterTypes(desired);
    const removed = [...before.keys()].filter(key => !after.has(key)).map(key => before.get(key)?.name);
    const retyped = [...before.keys()]
        .filter(key => after.has(key) && after.get(key)?.type !== before.get(key)?.type)
        .map(key => before.get(key)?.name);
    const parts = [];
    if (removed.length)
        parts.push(`removes the parameter${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`);
    if (retyped.length)
        parts.push(`changes the type of ${retyped.join(', ')}`);
    return parts.length ? parts.join(' and ') : undefined;
}
/** A region as Azure compares them: `West Europe` is `westeurope`. */
function region(location) {
    return (0,foldCase/* foldCase */.SP)(location.replace(/\s+/g, ''));
}
/** Why the assignment must be replaced rather than updated: Azure refuses a new location in place. */
function movedLocation(existing, desired) {
    if (typeof existing.location !== 'string' || typeof desired.location !== 'string')
        return undefined;
    if (region(existing.location) === region(desired.location))
        return undefined;
    return `Azure cannot change the location of an assignment (${existing.location} to ${desired.location}): it is deleted and created again, with a new managed identity (grant it the roles it needs again), and its compliance results start anew`;
}
/**
 * The assignment as it is PUT: when it needs no location (no effect needs its managed identity)
 * but Azure holds one, the same location, which Azure refuses to drop.
 */
function keepingLocation(desired, existing) {
    if (typeof existing?.location !== 'string' || desired.body.location !== undefined)
        return desired;
    return { ...desired, body: { ...desired.body, location: existing.location } };
}
function byName(resources) {
    return new Map(resources.map(r => [(0,foldCase/* foldCase */.SP)(r.name), r]));
}
function conflictReason(kind, name, scope, owner) {
    const held = owner === undefined ? 'without a cmk-guard owner id' : `owned by '${owner}'`;
    const mine = owner === undefined ? '' : ` (or pass --owner '${owner}' if it is yours)`;
    return `a ${NOUN[kind]} named ${name} already exists at ${(0,azure_scope/* shortScope */.ZD)(scope)}, ${held}; cmk-guard never changes what it does not own. Rename the rule or pack, or delete that ${NOUN[kind]} in Azure${mine}.`;
}
function planItem(desired, existing, owner) {
    const base = { kind: desired.kind, name: desired.name, id: desired.id, source: desired.source };
    if (!existing)
        return {
            ...base,
            action: 'create',
            body: desired.body,
            ...(desired.createNote ? { reason: desired.createNote } : {})
        };
    const theirs = (0,azure_desired/* ownerOf */.bf)(existing);
    if (theirs !== owner) {
        return {
            ...base,
            id: existing.id,
            action: 'conflict',
            reason: conflictReason(desired.kind, desired.name, desired.scope, theirs)
        };
    }
    const changes = compareBodies(desired.kind, existing, desired.body);
    if (!changes.length)
        return { ...base, id: existing.id, action: 'unchanged' };
    const refusedUpdate = desired.kind === 'assignment' ? undefined : refusedInPlace(existing, desired.body);
    const refused = desired.kind === 'assignment'
        ? movedLocation(existing, desired.body)
        : refusedUpdate && `the update ${refusedUpdate}, which Azure refuses in place: it is deleted and created again`;
    if (refused) {
        return {
            ...base,
            id: existing.id,
            action: 'replace',
            changes,
            body: desired.body,
            reason: refused
        };
    }
    return { ...base, id: existing.id, action: 'update', changes, body: desired.body };
}
/**
 * What, of what the plan read and does not own, references the definition or initiative `id` (an initiative that
 * lists the definition, an assignment of the initiative), so that Azure refuses to delete it
 * (`InvalidDeletePolicyDefinitionRequest`, `InvalidDeletePolicySetDefinitionRequest`): a phrase naming it, or
 * undefined. What the pack owns is deleted or rewritten by the same deploy, and so holds nothing.
 */
function heldBy(kind, id, existing, owner) {
    const target = (0,foldCase/* foldCase */.SP)(id);
    const theirs = (resource) => (0,azure_desired/* ownerOf */.bf)(resource) !== owner;
    if (kind === 'definition') {
        const initiative = existing.initiatives.find(set => {
            const members = set.properties.policyDefinitions;
            return (theirs(set) &&
                Array.isArray(members) &&
                members.some(member => member !== null &&
                    typeof member === 'object' &&
                    !Array.isArray(member) &&
                    typeof member.policyDefinitionId === 'string' &&
                    (0,foldCase/* foldCase */.SP)(member.policyDefinitionId) === target));
        });
        return initiative && `the initiative ${initiative.name} (${initiative.id})`;
    }
    if (kind === 'initiative') {
        const assignment = [...existing.assignments, ...(existing.elsewhere ?? [])].find(held => theirs(held) &&
            typeof held.properties.policyDefinitionId === 'string' &&
            (0,foldCase/* foldCase */.SP)(held.properties.policyDefinitionId) === target);
        return assignment && `the policy assignment ${assignment.name} (${assignment.id})`;
    }
    return undefined;
}
function planDeployment(desired, existing, options) {
    const definitions = byName(existing.definitions);
    const initiatives = byName(existing.initiatives);
    const assignments = byName(existing.assignments);
    const items = [];
    const definitionItems = [...desired.definitions]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map(d => planItem(d, definitions.get((0,foldCase/* foldCase */.SP)(d.name)), options.owner));
    const initiative = planItem(desired.initiative, initiatives.get((0,foldCase/* foldCase */.SP)(desired.initiative.name)), options.owner);
    const heldAssignment = assignments.get((0,foldCase/* foldCase */.SP)(desired.assignment.name));
    const assignment = planItem(keepingLocation(desired.assignment, heldAssignment), heldAssignment, options.owner);
    // A definition replaced must first leave the initiative, which is replaced too; an initiative
    // replaced must first lose its assignment, which is replaced too.
    const replacedDefinitions = definitionItems.filter(d => d.action === 'replace');
    if (replacedDefinitions.length && ['update', 'unchanged'].includes(initiative.action)) {
        initiative.action = 'replace';
        initiative.body = desired.initiative.body;
        initiative.reason = `it references ${replacedDefinitions.map(d => d.name).join(', ')}, which ${replacedDefinitions.length > 1 ? 'are' : 'is'} replaced: it is deleted and created again`;
    }
    if (initiative.action === 'replace' && ['update', 'unchanged'].includes(assignment.action)) {
        assignment.action = 'replace';
        assignment.body = desired.assignment.body;
        assignment.reason = `it assigns the initiative ${initiative.name}, which is replaced: it is deleted and created again, and its compliance results start anew`;
    }
    items.push(...definitionItems, initiative, assignment);
    const leftOver = (kind, resources, wanted) => {
        for (const resource of resources) {
            if (wanted.has((0,foldCase/* foldCase */.SP)(resource.name)) || (0,azure_desired/* ownerOf */.bf)(resource) !== options.owner)
                continue;
            const holder = options.prune ? heldBy(kind, resource.id, existing, options.owner) : undefined;
            items.push({
                kind,
                name: resource.name,
                id: resource.id,
                action: options.prune && holder === undefined ? 'delete' : 'orphan',
                reason: holder !== undefined
                    ? `owned by '${options.owner}' and no longer in the pack, but ${holder}, which cmk-guard does not own, references it, and Azure refuses to delete a ${NOUN[kind]} while anything does: it is kept. Remove that reference, and deploy --prune deletes it`
                    : options.prune
                        ? `owned by '${options.owner}' and no longer in the pack`
                        : `owned by '${options.owner}' and no longer in the pack; --prune deletes it`
            });
        }
    };
    leftOver('assignment', existing.assignments, new Set([(0,foldCase/* foldCase */.SP)(desired.assignment.name)]));
    // The pack's own assignment at another scope: left behind when --assignment-scope moved.
    for (const resource of existing.elsewhere ?? []) {
        if ((0,azure_desired/* ownerOf */.bf)(resource) !== options.owner)
            continue;
        const blocks = initiative.action === 'replace' && !options.prune
            ? ' Azure refuses to delete an initiative that is still assigned, so the replace fails until it is gone.'
            : '';
        items.push({
            kind: 'assignment',
            name: resource.name,
            id: resource.id,
            action: options.prune ? 'delete' : 'orphan',
            reason: `an assignment of the pack's initiative at ${scopeName((0,azure_scope/* scopeOfId */.J5)(resource.id))}, owned by '${options.owner}'; the pack is now assigned at ${(0,azure_scope/* shortScope */.ZD)(options.assignmentScope)}${options.prune ? '' : '; --prune deletes it'}.${blocks}`
        });
    }
    leftOver('initiative', existing.initiatives, new Set([(0,foldCase/* foldCase */.SP)(desired.initiative.name)]));
    leftOver('definition', existing.definitions, new Set(desired.definitions.map(d => (0,foldCase/* foldCase */.SP)(d.name))));
    return {
        scope: options.scope.id,
        assignmentScope: options.assignmentScope.id,
        scopeName: (0,azure_scope/* shortScope */.ZD)(options.scope),
        assignmentScopeName: (0,azure_scope/* shortScope */.ZD)(options.assignmentScope),
        owner: options.owner,
        prune: options.prune,
        enforcementMode: options.enforcementMode,
        effects: desired.effects,
        items
    };
}
/**
 * The exemptions the configuration's exceptions make, against those Azure holds for the
 * assignment: owned like everything else (a same-named exemption without our owner id is a
 * conflict), and pruned like everything else (an owned exemption no exception makes any more is
 * deleted with --prune, listed otherwise).
 */
function planExemptions(desired, existing, options) {
    const where = (found) => options.outside?.has((0,foldCase/* foldCase */.SP)(found.id))
        ? `at ${scopeName(exemptionScope(found.id))}, outside the assignment's scope (made with assignmentScopeValidation DoNotValidate, which Azure allows there)`
        : undefined;
    const held = new Map(existing.map(e => [(0,foldCase/* foldCase */.SP)(e.id), e]));
    const items = [];
    const wanted = new Set();
    for (const exemption of desired) {
        const id = exemptionId(exemption.scope, exemption.name);
        wanted.add((0,foldCase/* foldCase */.SP)(id));
        const body = { properties: exemption.properties };
        const base = { kind: 'exemption', name: exemption.name, id, source: exemption.source };
        const found = held.get((0,foldCase/* foldCase */.SP)(id));
        if (!found) {
            const outside = /^DoNotValidate$/i.test(String(exemption.properties.assignmentScopeValidation ?? ''));
            items.push({
                ...base,
                action: 'create',
                body: body,
                ...(outside
                    ? {
                        reason: `at ${scopeName(exemptionScope(id))}, outside the assignment's scope: written with assignmentScopeValidation DoNotValidate, without which Azure refuses it there`
                    }
                    : {})
            });
            continue;
        }
        const theirs = (0,azure_desired/* ownerOf */.bf)(found);
        if (theirs !== options.owner) {
            const who = theirs === undefined ? 'without a cmk-guard owner id' : `owned by '${theirs}'`;
            items.push({
                ...base,
                id: found.id,
                action: 'conflict',
                reason: `a policy exemption named ${exemption.name} already exists at ${exemption.scope}, ${who}; cmk-guard never changes what it does not own.`
            });
            continue;
        }
        // Made with DoNotValidate (e.g. outside the assignment's scope): kept so, or Azure may refuse the update.
        const keepsValidation = /^DoNotValidate$/i.test(String(found.properties.assignmentScopeValidation ?? ''));
        if (keepsValidation)
            body.properties = { ...body.properties, assignmentScopeValidation: 'DoNotValidate' };
        const changes = compareBodies('exemption', found, body);
        const reason = where(found) ??
            (keepsValidation ? 'made with assignmentScopeValidation DoNotValidate, which is kept' : undefined);
        items.push(changes.length
            ? {
                ...base,
                id: found.id,
                action: 'update',
                changes,
                body: body,
                ...(reason ? { reason } : {})
            }
            : { ...base, id: found.id, action: 'unchanged', ...(reason ? { reason } : {}) });
    }
    for (const found of existing) {
        if (wanted.has((0,foldCase/* foldCase */.SP)(found.id)))
            continue;
        if (options.assignmentId !== undefined && !(0,azure_scope/* sameId */.s)(found.properties.policyAssignmentId, options.assignmentId))
            continue;
        if ((0,azure_desired/* ownerOf */.bf)(found) !== options.owner)
            continue;
        const at = where(found);
        items.push({
            kind: 'exemption',
            name: found.name,
            id: found.id,
            action: options.prune ? 'delete' : 'orphan',
            reason: `owned by '${options.owner}'${at ? `, ${at},` : ''} and no exception makes it any more${options.prune ? '' : '; --prune deletes it'}`
        });
    }
    return items.sort((a, b) => ((0,foldCase/* foldCase */.SP)(a.id) < (0,foldCase/* foldCase */.SP)(b.id) ? -1 : 1));
}
/**
 * The exemptions that name an assignment the plan deletes (with --prune) or keeps as an orphan.
 * Azure does not delete an exemption with its assignment: it stays, naming an assignment that
 * no longer exists, and exempts again whatever assignment is later created with that id. So
 * the pack's own exemptions of such an assignment go with it (deleted before it, with
 * --prune; listed with it otherwise). Someone else's are never touched: the plan's notes name
 * each, so its owner can delete it or keep it knowingly.
 */
function planExemptionsOfLeaving(leaving, held, owner) {
    const assignments = new Map(leaving.map(a => [(0,foldCase/* foldCase */.SP)(a.id), a]));
    const items = [];
    const notes = [];
    const seen = new Set();
    for (const exemption of [...held].sort((a, b) => ((0,foldCase/* foldCase */.SP)(a.id) < (0,foldCase/* foldCase */.SP)(b.id) ? -1 : 1))) {
        const assignment = assignments.get((0,foldCase/* foldCase */.SP)(String(exemption.properties.policyAssignmentId)));
        if (!assignment || seen.has((0,foldCase/* foldCase */.SP)(exemption.id)))
            continue;
        seen.add((0,foldCase/* foldCase */.SP)(exemption.id));
        const theirs = (0,azure_desired/* ownerOf */.bf)(exemption);
        const where = scopeName(exemptionScope(exemption.id));
        if (theirs !== owner) {
            const who = theirs === undefined ? 'without a cmk-guard owner id' : `owned by '${theirs}'`;
            const fate = assignment.action === 'delete'
                ? 'this deploy deletes that assignment; cmk-guard leaves the exemption, which Azure keeps, naming an assignment that no longer exists (and exempting again if one is created with that id). Delete it in Azure if it is no longer wanted.'
                : '--prune would delete that assignment and leave this exemption, which Azure keeps.';
            notes.push(`The policy exemption ${exemption.name} at ${where}, ${who}, exempts from the assignment ${assignment.name} at ${scopeName((0,azure_scope/* scopeOfId */.J5)(assignment.id))}: ${fate}`);
            continue;
        }
        items.push({
            kind: 'exemption',
            name: exemption.name,
            id: exemption.id,
            action: assignment.action === 'delete' ? 'delete' : 'orphan',
            reason: assignment.action === 'delete'
                ? `owned by '${owner}' and exempts from the assignment ${assignment.name} at ${scopeName((0,azure_scope/* scopeOfId */.J5)(assignment.id))}, which is deleted: it goes first, as Azure would keep it`
                : `owned by '${owner}' and exempts from the assignment ${assignment.name} at ${scopeName((0,azure_scope/* scopeOfId */.J5)(assignment.id))}, which is kept; --prune deletes both`
        });
    }
    return { items, notes };
}

// EXTERNAL MODULE: ./src/model/resourceId.ts
var resourceId = __webpack_require__(5008);
;// CONCATENATED MODULE: ./src/azure/publish.ts
















/** `Namespace/type[/child\u2026]` of a resource id in a resource group, or undefined for any other id. */
function resourceTypeOf(id) {
    const chain = (0,resourceId/* parseResourceIdChain */.k)(id);
    if (!chain || chain.namespace === '' || chain.scope.length !== 4)
        return undefined;
    const [subscriptions, , resourceGroups] = chain.scope;
    if ((0,foldCase/* foldCase */.SP)(subscriptions) !== 'subscriptions' || (0,foldCase/* foldCase */.SP)(resourceGroups) !== 'resourcegroups')
        return undefined;
    return [chain.namespace, ...chain.types].join('/');
}
/** The scopes of a request, checked: the assignment at the definitions' scope or below it. */
function publishScopes(scope, assignmentScope) {
    const definitions = (0,azure_scope/* parseDefinitionScope */.R5)(scope, '--scope');
    const assignment = assignmentScope ? (0,azure_scope/* parseScope */.Sk)(assignmentScope, '--assignment-scope') : definitions;
    if (!(0,azure_scope/* canAssignAt */.HF)(definitions, assignment)) {
        throw new model_errors/* UserError */.yo(`--assignment-scope is ${(0,azure_scope/* shortScope */.ZD)(assignment)}, which cannot use definitions at ${(0,azure_scope/* shortScope */.ZD)(definitions)}: an assignment must be at the definitions' scope or below it.`);
    }
    return { scope: definitions, assignmentScope: assignment };
}
/**
 * Under a management group, an assignment may go to any scope below it: a child group at any depth, a
 * subscription or a resource group in one. Whether `assignmentScope` is one is asked of the Management Groups
 * API before anything is planned, so a scope elsewhere is refused with why, not by Azure halfway through a
 * deploy. An endpoint without that API leaves the question to Azure (noted in the plan).
 */
async function checkAssignmentScope(connection, scope, assignmentScope, searches) {
    if (scope.kind !== 'managementGroup' || (0,azure_scope/* sameId */.s)(scope.id, assignmentScope.id))
        return;
    const below = await searches.widen(`the management groups and subscriptions under ${(0,azure_scope/* shortScope */.ZD)(scope)}`, `Whether ${(0,azure_scope/* shortScope */.ZD)(assignmentScope)} is below it is left to Azure, which refuses the assignment if it is not.`, () => containment(connection, scope), null);
    if (below && !below(assignmentScope.id))
        throw new model_errors/* UserError */.yo(`--assignment-scope is ${(0,azure_scope/* shortScope */.ZD)(assignmentScope)}, which is not below ${(0,azure_scope/* shortScope */.ZD)(scope)}, where the definitions are: an assignment must be at the definitions' scope or below it. Give a scope under ${(0,azure_scope/* shortScope */.ZD)(scope)}, or publish the definitions higher up.`);
}
async function publishCompiled(compiled, request) {
    const log = request.log ?? (() => undefined);
    const { scope, assignmentScope } = publishScopes(request.scope, request.assignmentScope);
    const owner = resolveOwner(request.owner, request.env, request.cwd);
    const desired = (0,azure_desired/* desiredState */.Iq)(compiled, {
        scope,
        assignmentScope,
        owner,
        enforcementMode: request.enforcementMode,
        effects: request.effects,
        effectOverrides: request.effectOverrides,
        location: request.location
    });
    checkPackLimits(desired, compiled.pack, compiled.members);
    const connection = connectArm({ ...request.connection, env: request.env });
    connection.log = log;
    log(`Signed in to ${connection.endpoint.description} with ${connection.signedInWith}.`);
    const store = new PolicyStore(connection);
    // What an endpoint does not offer (Resource Graph, the Management Groups API) is left unsearched and noted.
    const searches = new Searches(log);
    await checkAssignmentScope(connection, scope, assignmentScope, searches);
    log(`Reading what ${(0,azure_scope/* shortScope */.ZD)(scope)} holds${(0,azure_scope/* sameId */.s)(assignmentScope.id, scope.id) ? '' : ` and the assignments at ${(0,azure_scope/* shortScope */.ZD)(assignmentScope)}`}.`);
    const existing = await readExisting(store, scope, assignmentScope, desired.initiative.id, searches);
    const plan = planDeployment(desired, existing, {
        scope,
        assignmentScope,
        owner,
        prune: request.prune,
        enforcementMode: request.enforcementMode
    });
    checkScopeLimits(plan, existing, scope, assignmentScope);
    if (desired.notes.length)
        plan.notes = [...desired.notes];
    const exemptions = new ExemptionStore(connection, searches);
    if (request.exemptions) {
        const made = await request.exemptions(desired.assignment.id, owner, types => new ResourceGraph(connection).resources(assignmentScope, types));
        // Azure refuses an exemption outside its assignment's scope unless it is made with
        // assignmentScopeValidation DoNotValidate (meant for what is about to move under it).
        const within = await searches.widen(`the management groups and subscriptions under ${(0,azure_scope/* shortScope */.ZD)(assignmentScope)}`, "Every exemption is written with Azure's default scope validation, which refuses one outside the assignment's scope.", () => containment(connection, assignmentScope), () => true);
        made.exemptions = made.exemptions.map(e => within(e.scope) ? e : { ...e, properties: { ...e.properties, assignmentScopeValidation: 'DoNotValidate' } });
        // An exception that names by id a resource Azure no longer holds: Azure refuses an exemption there (404
        // ResourceNotFound, or ResourceGroupNotFound) at every deploy. Resource Graph lists what the scope holds.
        const ruled = new Set((made.types ?? []).map(type => (0,foldCase/* foldCase */.SP)(type)));
        const named = made.exemptions.filter(e => {
            const type = resourceTypeOf(e.scope);
            return type !== undefined && ruled.has((0,foldCase/* foldCase */.SP)(type)) && within(e.scope);
        });
        if (named.length) {
            const types = [...new Set(named.map(e => resourceTypeOf(e.scope)))];
            const rows = await searches.widen(`whether the resources the exceptions name by id are in ${(0,azure_scope/* shortScope */.ZD)(assignmentScope)}`, 'An exemption on a resource that is gone is written all the same, and Azure refuses it.', () => new ResourceGraph(connection).resources(assignmentScope, types), undefined);
            if (rows !== undefined) {
                const held = new Set(rows.map(row => (0,foldCase/* foldCase */.SP)(String(row.id))));
                const gone = new Set(named.filter(e => !held.has((0,foldCase/* foldCase */.SP)(e.scope))));
                for (const e of gone)
                    made.notes.push(`${e.source}: ${e.scope} is not in Azure (Resource Graph does not list it), so no exemption is written on it: Azure refuses one on a resource that does not exist. Take it out of the exception once it is gone for good.`);
                made.exemptions = made.exemptions.filter(e => !gone.has(e));
            }
        }
        log(`Reading the exemptions of ${desired.assignment.id}.`);
        // All of them: a same-named exemption of another assignment is updated (or a conflict), not created over.
        const held = await exemptions.affecting(assignmentScope);
        const seen = new Set(held.map(e => (0,foldCase/* foldCase */.SP)(e.id)));
        // Those of the assignment made outside its scope (assignmentScopeValidation DoNotValidate).
        const outside = (await exemptions.naming([desired.assignment.id])).filter(e => !seen.has((0,foldCase/* foldCase */.SP)(e.id)));
        for (const e of outside)
            seen.add((0,foldCase/* foldCase */.SP)(e.id));
        // An exemption to create that no list showed is read by its id: what a list misses (a scope
        // it does not reach, an index not caught up) is never created over unseen.
        const unseen = made.exemptions.map(e => exemptionId(e.scope, e.name)).filter(id => !seen.has((0,foldCase/* foldCase */.SP)(id)));
        const read = await readEach(unseen, request.concurrency ?? DEFAULT_CONCURRENCY, id => exemptions.get(id));
        // Azure no longer honours an exemption past its expiresOn, and keeps it for the record: one Azure holds is
        // kept (updated as the entry says), but none is created for an exception that has already expired.
        const present = new Set([...held, ...outside, ...read].map(e => (0,foldCase/* foldCase */.SP)(e.id)));
        const now = Date.now();
        made.exemptions = made.exemptions.filter(e => {
            const ends = typeof e.properties.expiresOn === 'string' ? Date.parse(e.properties.expiresOn) : NaN;
            if (!(ends <= now) || present.has((0,foldCase/* foldCase */.SP)(exemptionId(e.scope, e.name))))
                return true;
            const lastDay = new Date(ends - 1).toISOString().slice(0, 10);
            made.notes.push(`${e.source}: the exception expired on ${lastDay}, so no exemption is written on ${e.scope}: Azure does not honour an exemption past its expiresOn. Renew the exception, or take it out.`);
            return false;
        });
        plan.items.push(...planExemptions(made.exemptions, [...held, ...outside, ...read], {
            owner,
            prune: request.prune,
            assignmentId: desired.assignment.id,
            outside: new Set(outside.map(e => (0,foldCase/* foldCase */.SP)(e.id)))
        }));
        if (made.notes.length)
            plan.notes = [...(plan.notes ?? []), ...made.notes];
    }
    // Azure keeps an exemption when its assignment is deleted: those of an assignment leaving go with it.
    const leaving = plan.items.filter(i => i.kind === 'assignment' && (i.action === 'delete' || i.action === 'orphan'));
    if (leaving.length) {
        log(`Reading the exemptions of ${leaving.map(i => i.id).join(', ')}.`);
        const ofLeaving = planExemptionsOfLeaving(leaving, await exemptions.ofAssignments(leaving.map(i => i.id)), owner);
        const planned = new Set(plan.items.map(i => (0,foldCase/* foldCase */.SP)(i.id)));
        plan.items.push(...ofLeaving.items.filter(i => !planned.has((0,foldCase/* foldCase */.SP)(i.id))));
        if (ofLeaving.notes.length)
            plan.notes = [...(plan.notes ?? []), ...ofLeaving.notes];
    }
    if (searches.notes.length)
        plan.notes = [...(plan.notes ?? []), ...searches.notes];
    if (!request.apply)
        return { plan, stoppedForConflicts: false };
    if (plan.items.some(i => i.action === 'conflict'))
        return { plan, stoppedForConflicts: true };
    log(`Applying the plan, ${request.concurrency ?? DEFAULT_CONCURRENCY} requests at a time.`);
    plan.results = await applyPlan(plan, store, {
        concurrency: request.concurrency,
        exemptions,
        settle: settleOptions(connection.retry),
        log,
        ...(connection.deadline ? { deadline: connection.deadline } : {})
    });
    return { plan, stoppedForConflicts: false };
}

// EXTERNAL MODULE: ./node_modules/@azure/arm-policyinsights/dist/esm/index.js + 28 modules
var arm_policyinsights_dist_esm = __webpack_require__(4321);
;// CONCATENATED MODULE: ./src/azure/compliance.ts











const POLICY_INSIGHTS_API_VERSION = '2024-10-01';
/** An OData string literal: single quotes doubled. */
function odataString(text) {
    return `'${text.replace(/'/g, "''")}'`;
}
function toRecord(state) {
    return {
        resourceId: state.resourceId ?? '',
        resourceType: (state.resourceType ?? '').replace(/^\//, ''),
        complianceState: state.complianceState ?? (state.isCompliant === true ? 'Compliant' : 'Unknown'),
        policyAssignmentId: state.policyAssignmentId ?? '',
        policyDefinitionId: state.policyDefinitionId ?? '',
        policyDefinitionReferenceId: state.policyDefinitionReferenceId ?? '',
        policyDefinitionName: state.policyDefinitionName ?? '',
        effect: state.policyDefinitionAction ?? '',
        ...(state.timestamp ? { timestamp: new Date(state.timestamp).toISOString() } : {}),
        ...(state.resourceLocation ? { resourceLocation: state.resourceLocation } : {})
    };
}
/** The `$skiptoken` of a nextLink, which must point back at this endpoint's queryResults. */
function skipTokenOf(nextLink, doing) {
    let url;
    try {
        url = new URL(nextLink);
    }
    catch {
        throw new ArmError(`Azure sent a next-page link that is not a URL while ${doing}.`, undefined, 'Paging', '');
    }
    const token = [...url.searchParams].find(([name]) => (0,foldCase/* foldCase */.SP)(name) === '$skiptoken')?.[1];
    if (!token) {
        throw new ArmError(`Azure sent a next-page link without a $skiptoken while ${doing}; cmk-guard cannot ask for the next page.`, undefined, 'Paging', '');
    }
    return token;
}
class ComplianceStates {
    connection;
    client;
    constructor(connection) {
        this.connection = connection;
    }
    insights() {
        if (!this.client) {
            this.client = new arm_policyinsights_dist_esm/* PolicyInsightsClient */.rd(this.connection.credential, {
                ...this.connection.clientOptions(),
                // The operations build their URLs from `$host`, not from `endpoint`.
                $host: this.connection.endpoint.url
            });
            this.connection.attach(this.client.pipeline);
            // Each page of states is checked before the SDK reads it (a POST, as the contract pages).
            this.client.pipeline.addPolicy(answerCheckPolicy((path, body) => /\/policyStates\/latest\/queryResults$/i.test(path) ? checkPolicyStatesPage(body) : undefined, ['POST']), { afterPhase: 'Sign' });
        }
        return this.client;
    }
    /** One page of the latest states at a scope; its records and the next page's token. */
    async page(scope, filter, skipToken, doing) {
        const options = { queryOptions: { filter, ...(skipToken ? { skipToken } : {}) } };
        const states = this.insights().policyStates;
        const pages = (scope.kind === 'managementGroup'
            ? states.listQueryResultsForManagementGroup('latest', scope.managementGroup, options)
            : scope.kind === 'resourceGroup'
                ? states.listQueryResultsForResourceGroup('latest', scope.subscription, scope.resourceGroup, options)
                : states.listQueryResultsForSubscription('latest', scope.subscription, options)).byPage();
        try {
            const first = await pages.next();
            if (first.done)
                return { records: [] };
            const nextLink = (0,arm_policyinsights_dist_esm/* getContinuationToken */.LT)(first.value);
            return { records: first.value.map(toRecord), next: nextLink ? skipTokenOf(nextLink, doing) : undefined };
        }
        catch (error) {
            throw toArmError(error, doing, this.connection.secrets);
        }
        finally {
            // Only the first page is read through the SDK's iterator: end it before it asks for more.
            await pages.return?.(undefined);
        }
    }
    /** Every latest state at `scope` for members of the initiative `initiativeId`. */
    async forInitiative(scope, initiativeId) {
        const doing = `reading the compliance states of ${(0,azure_scope/* shortScope */.ZD)(scope)} from Azure Policy`;
        // Policy Insights records ids lowercased; the filter says the id as it records it.
        const filter = `policySetDefinitionId eq ${odataString(initiativeId.toLowerCase())}`;
        const records = [];
        const seen = new Set();
        let skipToken;
        let empty = 0;
        for (let page = 0;; page++) {
            const answer = await this.page(scope, filter, skipToken, doing);
            records.push(...answer.records);
            if (!answer.next)
                return records;
            empty = answer.records.length ? 0 : empty + 1;
            if (empty >= MAX_EMPTY_PAGES)
                throw endlessEmptyPages('Azure', doing);
            if (page + 1 >= MAX_PAGES || seen.has(answer.next)) {
                throw new ArmError(`Azure kept sending more pages (or the same page again) while ${doing}; cmk-guard stopped after ${page + 1}.`, undefined, 'Paging', '');
            }
            seen.add(answer.next);
            skipToken = answer.next;
        }
    }
    /**
     * The subscriptions under `scope` (itself, for a subscription), with their states where Resource Graph gives
     * them: from Resource Graph, or, where the endpoint does not offer it, from the Management Groups API's
     * descendants (which give none).
     */
    async subscriptionsOf(scope) {
        try {
            return await new ResourceGraph(this.connection).subscriptionStates(scope);
        }
        catch (error) {
            if (!notOffered(error))
                throw error;
            const subscription = /^\/subscriptions\/([^/]+)$/i;
            return (await descendants(this.connection, scope)).flatMap(id => {
                const found = subscription.exec(id)?.[1];
                return found === undefined ? [] : [{ id: (0,foldCase/* foldCase */.SP)(found) }];
            });
        }
    }
    /**
     * Starts an on-demand evaluation of every subscription (or the resource group) in `scope` and
     * waits until each has ended, or `timeoutMs` has passed in all. A subscription that cannot take a write (its
     * state is `Disabled`, `Deleted` or `Expired`, or Azure answers that it is read-only) is not scanned, and the
     * log says so: Azure Policy does not evaluate it either. The scans are waited for together, so the wait is the
     * longest scan's, not their sum.
     */
    async scan(scope, options) {
        const deadline = Date.now() + options.timeoutMs;
        const log = options.log ?? (() => undefined);
        const targets = [];
        if (scope.kind === 'resourceGroup') {
            targets.push(`/subscriptions/${scope.subscription}/resourceGroups/${scope.resourceGroup}`);
        }
        else {
            for (const { id, state } of await this.subscriptionsOf(scope)) {
                if (state !== undefined && READ_ONLY_STATES.test(state))
                    log(`Not scanned: subscription ${id} is ${state}, and Azure takes no write there.`);
                else
                    targets.push(`/subscriptions/${id}`);
            }
        }
        if (targets.length === 0) {
            throw new ArmError(`${(0,azure_scope/* shortScope */.ZD)(scope)} holds no subscription the identity can read and Azure can scan, so there is nothing to scan; check the scope and the identity's Reader role.`, undefined, 'NoSubscriptions', '');
        }
        const rest = this.connection.rest;
        // Started a few at a time: a group of hundreds of subscriptions is not a burst Resource Manager throttles.
        const answers = [];
        await runBounded(targets, DEFAULT_CONCURRENCY, async (target, index) => {
            let answer;
            try {
                answer = await rest.send({
                    method: 'POST',
                    path: `${target}/providers/Microsoft.PolicyInsights/policyStates/latest/triggerEvaluation`,
                    apiVersion: POLICY_INSIGHTS_API_VERSION,
                    expect: [200, 202],
                    doing: `starting a compliance scan of ${target}`
                });
            }
            catch (error) {
                // A subscription disabled since Resource Graph indexed it (or where it gives no state).
                if (error instanceof ArmError && error.status === 409 && READ_ONLY_CODES.test(error.code ?? '')) {
                    log(`Not scanned: ${target} is read-only (Azure answered ${error.code}).`);
                    return;
                }
                throw error;
            }
            log(answer.status === 200 ? `The scan of ${target} is already done.` : `Started a compliance scan of ${target}.`);
            answers[index] = { target, answer };
        });
        const started = answers.filter(found => found !== undefined);
        // Polled together, a bounded number at a time: a wait is mostly the pause its answer asks for.
        await runBounded(started, SCANS_POLLED_AT_ONCE, async ({ target, answer }) => {
            await rest.waitForOperation(answer, {
                timeoutMs: Math.max(deadline - Date.now(), 1),
                doing: `waiting for the compliance scan of ${target} (the scan timeout is ${Math.round(options.timeoutMs / 1000)} s)`,
                apiVersion: POLICY_INSIGHTS_API_VERSION,
                defaultWaitMs: 30_000
            });
            log(`The compliance scan of ${target} has ended.`);
        });
    }
}
/** How many scans are waited for at once (each poll is one request after a pause of about 30 s). */
const SCANS_POLLED_AT_ONCE = 64;
/** The states of a subscription that takes no write ("Enabled, Warned, PastDue, Disabled, and Deleted", and Expired). */
const READ_ONLY_STATES = /^(?:Disabled|Deleted|Expired)$/i;
/** What Azure answers (409) for a write to a subscription that is read-only. */
const READ_ONLY_CODES = /^(?:ReadOnlyDisabledSubscription|SubscriptionNotEnabled|ReadOnlyExpiredSubscription)$/i;

// EXTERNAL MODULE: ./src/model/exemption.ts
var exemption = __webpack_require__(7934);
;// CONCATENATED MODULE: ./src/azure/live.ts








/** Whether a policy definition id is that of an initiative with one of these names. */
function initiativeNamed(names) {
    const wanted = new Set(names.map(n => (0,foldCase/* foldCase */.SP)(n)));
    return id => /\/providers\/microsoft\.authorization\/policysetdefinitions\/[^/]+$/i.test(id) &&
        wanted.has((0,foldCase/* foldCase */.SP)((0,azure_scope/* nameOfId */.gu)(id)));
}
/**
 * When an exemption is at a management group, the groups each subscription of `scope` is in, so that it covers the
 * resources below it (their ids name their subscription, not its groups); else nothing is read. A Resource Manager
 * without Resource Graph leaves such an exemption covering nothing live, and the log says so.
 */
async function groupsOfSubscriptions(connection, scope, exemptions, searches) {
    const atGroups = exemptions.filter(e => (0,exemption/* exemptionGroup */.z)(e) !== undefined);
    if (!atGroups.length)
        return new Map();
    connection.log?.(`Reading which management groups hold the subscriptions of ${(0,azure_scope/* shortScope */.ZD)(scope)}, for ${atGroups.length} exemption${atGroups.length === 1 ? '' : 's'} at a management group.`);
    return searches.widen(`which management groups hold the subscriptions of ${(0,azure_scope/* shortScope */.ZD)(scope)}`, 'An exemption at a management group covers none of the resources here: their findings stay.', () => new ResourceGraph(connection).groupsOfSubscriptions(scope), new Map());
}
/** The resources of these types (lowercased; null for all) in the scope. */
async function readLiveResources(request, types, options = {}) {
    const log = request.log ?? (() => undefined);
    const scope = (0,azure_scope/* parseScope */.Sk)(request.scope, '--scope');
    const connection = connectArm({ ...request.connection, env: request.env });
    connection.log = log;
    log(`Signed in to ${connection.endpoint.description} with ${connection.signedInWith}.`);
    log(`Reading ${types === null ? 'every resource' : `the resources of ${types.length} type${types.length === 1 ? '' : 's'}`} in ${(0,azure_scope/* shortScope */.ZD)(scope)} from Resource Graph.`);
    const rows = await new ResourceGraph(connection).resources(scope, types);
    log(`Read ${rows.length} resources.`);
    const initiatives = options.initiatives ?? [];
    const searches = new Searches(log);
    const exemptions = initiatives.length
        ? await new ExemptionStore(connection, searches).forInitiative(scope, initiativeNamed(initiatives))
        : [];
    if (exemptions.length)
        log(`Azure holds ${exemptions.length} exemptions for the pack's assignments here.`);
    const groupsOf = await groupsOfSubscriptions(connection, scope, exemptions, searches);
    return { scope, where: (0,azure_scope/* shortScope */.ZD)(scope), rows, exemptions, groupsOf };
}
const DEFAULT_SCAN_TIMEOUT_MS = 60 * 60 * 1000;
async function readCompliance(request) {
    const log = request.log ?? (() => undefined);
    const definitions = (0,azure_scope/* parseDefinitionScope */.R5)(request.scope, '--scope');
    const scope = request.assignmentScope ? (0,azure_scope/* parseScope */.Sk)(request.assignmentScope, '--assignment-scope') : definitions;
    const initiativeId = (0,azure_scope/* resourceIdAt */.DZ)(definitions, 'policySetDefinitions', request.initiative);
    const connection = connectArm({ ...request.connection, env: request.env });
    connection.log = log;
    log(`Signed in to ${connection.endpoint.description} with ${connection.signedInWith}.`);
    const states = new ComplianceStates(connection);
    if (request.triggerScan) {
        await states.scan(scope, { timeoutMs: request.scanTimeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS, log });
    }
    log(`Reading the compliance states of ${initiativeId} in ${(0,azure_scope/* shortScope */.ZD)(scope)}.`);
    const records = await states.forInitiative(scope, initiativeId);
    log(`Read ${records.length} compliance records.`);
    const searches = new Searches(log);
    const exemptions = await new ExemptionStore(connection, searches).forInitiative(scope, id => (0,azure_scope/* sameId */.s)(id, initiativeId));
    return {
        scope,
        where: (0,azure_scope/* shortScope */.ZD)(scope),
        initiativeId,
        records,
        exemptions,
        groupsOf: await groupsOfSubscriptions(connection, scope, exemptions, searches)
    };
}

;// CONCATENATED MODULE: ./src/azure/index.ts
/**
 * The part of cmk-guard that talks to Azure. It is the only code that imports `@azure/*`,
 * and the commands that need it load it with a dynamic `import()`, so `--version` and
 * `evaluate` never load the Azure SDKs.
 */



















/***/ })

};
