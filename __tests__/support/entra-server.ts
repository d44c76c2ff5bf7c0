/**
 * Sign-in with GitHub OpenID Connect, on loopback, for tests of the built action in a child process:
 * - the runner's ID token service (`ACTIONS_ID_TOKEN_REQUEST_URL`, plain http as on a runner's loopback), which
 *   @actions/core asks with the job's request token for a token of an audience;
 * - an Entra ID authority over https (MSAL speaks to nothing else), with the certificate in
 *   `__tests__/fixtures/tls`, so the child trusts it through `NODE_EXTRA_CA_CERTS`. It serves the tenant's
 *   OpenID configuration and the token endpoint, and gives an access token only for a client-credentials
 *   request whose client assertion is the runner's ID token, as a federated credential does.
 * Both record every request.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const tls = path.resolve('__tests__/fixtures/tls');
/** The certificate the authority presents: give it to the child as `NODE_EXTRA_CA_CERTS`. */
export const LOOPBACK_CERTIFICATE = path.join(tls, 'loopback.crt');

export interface SignInRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  /** A form body, decoded. */
  form: Record<string, string>;
}

export interface SignInServers {
  /** `ACTIONS_ID_TOKEN_REQUEST_URL`, with a query of its own as the runner's has. */
  idTokenRequestUrl: string;
  /** `ACTIONS_ID_TOKEN_REQUEST_TOKEN`. */
  idTokenRequestToken: string;
  /** The token the runner's service gives: the client assertion Entra ID expects. */
  idToken: string;
  /** The authority's origin, for `AZURE_AUTHORITY_HOST`. */
  authorityHost: string;
  idTokenRequests: SignInRequest[];
  authorityRequests: SignInRequest[];
  close(): Promise<void>;
}

export interface SignInOptions {
  tenantId: string;
  /** The application whose federated credential trusts the runner's token. */
  clientId: string;
  /** The access token Entra ID gives (the one the ARM server accepts). */
  accessToken: string;
}

function record(request: IncomingMessage, body: string): SignInRequest {
  const url = new URL(request.url ?? '/', 'http://loopback');
  const form = Object.fromEntries(new URLSearchParams(body));
  return {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    authorization: request.headers.authorization,
    form
  };
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function listen(server: ReturnType<typeof createHttpServer>): Promise<number> {
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: ReturnType<typeof createHttpServer>): Promise<void> {
  return new Promise(resolve => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

export async function startSignInServers(options: SignInOptions): Promise<SignInServers> {
  const idTokenRequestToken = 'actions-request-token-e2e';
  // Shaped like a JWT (three base64url parts); nothing here reads inside it.
  const idToken = [
    Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url'),
    Buffer.from('{"sub":"repo:Codertocat/Hello-World:pull_request","aud":"api://AzureADTokenExchange"}').toString(
      'base64url'
    ),
    Buffer.from('signature-e2e').toString('base64url')
  ].join('.');
  const idTokenRequests: SignInRequest[] = [];
  const authorityRequests: SignInRequest[] = [];

  const idTokenService = createHttpServer((request, response) => {
    void readBody(request).then(body => {
      const seen = record(request, body);
      idTokenRequests.push(seen);
      if (seen.authorization !== `Bearer ${idTokenRequestToken}`) return json(response, 401, { message: 'Bad token' });
      json(response, 200, { value: idToken });
    });
  });

  let authorityHost = '';
  const authority = createHttpsServer(
    { cert: readFileSync(LOOPBACK_CERTIFICATE), key: readFileSync(path.join(tls, 'loopback.key')) },
    (request, response) => {
      void readBody(request).then(body => {
        const seen = record(request, body);
        authorityRequests.push(seen);
        const tenant = `${authorityHost}/${options.tenantId}`;
        if (seen.method === 'GET' && seen.path === `/${options.tenantId}/v2.0/.well-known/openid-configuration`) {
          return json(response, 200, {
            issuer: `${tenant}/v2.0`,
            authorization_endpoint: `${tenant}/oauth2/v2.0/authorize`,
            token_endpoint: `${tenant}/oauth2/v2.0/token`,
            jwks_uri: `${authorityHost}/${options.tenantId}/discovery/v2.0/keys`,
            end_session_endpoint: `${tenant}/oauth2/v2.0/logout`
          });
        }
        if (seen.method === 'POST' && seen.path === `/${options.tenantId}/oauth2/v2.0/token`) {
          const form = seen.form;
          const federated =
            form.grant_type === 'client_credentials' &&
            form.client_id === options.clientId &&
            form.client_assertion_type === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' &&
            form.client_assertion === idToken;
          if (!federated) {
            return json(response, 401, {
              error: 'invalid_client',
              error_description: `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.`,
              error_codes: [700016]
            });
          }
          return json(response, 200, {
            token_type: 'Bearer',
            expires_in: 3599,
            ext_expires_in: 3599,
            access_token: options.accessToken
          });
        }
        json(response, 404, { error: 'not_found', error_description: `No route ${seen.method} ${seen.path}.` });
      });
    }
  );

  const idTokenPort = await listen(idTokenService);
  const authorityPort = await listen(authority);
  authorityHost = `https://127.0.0.1:${authorityPort}`;
  return {
    idTokenRequestUrl: `http://127.0.0.1:${idTokenPort}/idtoken?api-version=2.0`,
    idTokenRequestToken,
    idToken,
    authorityHost,
    idTokenRequests,
    authorityRequests,
    close: async () => {
      await closeServer(idTokenService);
      await closeServer(authority);
    }
  };
}
