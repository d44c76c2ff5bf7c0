/**
 * Signing in: the authority (`AZURE_AUTHORITY_HOST`) and the one token every client of a run shares. The whole
 * OpenID Connect exchange, through the real @azure/identity and MSAL, is in __tests__/action/e2e.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { clouds, resolveAuthority } from '../../src/azure/clouds.js';
import { sharedTokenCredential, TOKEN_REFRESH_MARGIN_MS } from '../../src/azure/credential.js';

type TokenCredential = Parameters<typeof sharedTokenCredential>[0];
type AccessToken = NonNullable<Awaited<ReturnType<TokenCredential['getToken']>>>;
type GetTokenOptions = NonNullable<Parameters<TokenCredential['getToken']>[1]>;
import { UserError } from '../../src/model/errors.js';

describe('the Entra ID authority', () => {
  const cloud = clouds.AzureCloud.authority;

  it("is the cloud's unless AZURE_AUTHORITY_HOST names another, which is not looked up in instance discovery", () => {
    expect(resolveAuthority(cloud, {})).toEqual({ host: cloud, known: true });
    expect(resolveAuthority(cloud, { AZURE_AUTHORITY_HOST: '  ' })).toEqual({ host: cloud, known: true });
    expect(resolveAuthority(cloud, { AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/' })).toEqual({
      host: 'https://login.microsoftonline.us',
      known: true
    });
    expect(resolveAuthority(cloud, { AZURE_AUTHORITY_HOST: 'https://login.contoso.example:8443' })).toEqual({
      host: 'https://login.contoso.example:8443',
      known: false
    });
  });

  it('is refused, naming the variable, when it is not an https origin', () => {
    for (const [value, words] of [
      ['http://login.contoso.example', /reached over https only/],
      ['login.contoso.example', /not a URL/],
      ['https://login.contoso.example/tenant', /without a path, query or user name/],
      ['https://user:secret@login.contoso.example', /without a path, query or user name/],
      ['https://login.contoso.example/?x=1', /without a path, query or user name/]
    ] as const) {
      expect(() => resolveAuthority(cloud, { AZURE_AUTHORITY_HOST: value })).toThrow(UserError);
      expect(() => resolveAuthority(cloud, { AZURE_AUTHORITY_HOST: value })).toThrow(/^AZURE_AUTHORITY_HOST is /);
      expect(() => resolveAuthority(cloud, { AZURE_AUTHORITY_HOST: value })).toThrow(words);
    }
  });
});

/** A credential that counts its calls and answers when told to. */
function countingCredential(lifetimeMs: number, now: () => number) {
  const calls: { scopes: string | string[]; options?: GetTokenOptions }[] = [];
  const pending: { resolve: (token: AccessToken | null) => void; reject: (error: Error) => void }[] = [];
  const credential: TokenCredential = {
    getToken: (scopes, options) => {
      calls.push({ scopes, options });
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    }
  };
  const answer = (token = `token-${calls.length}`) =>
    pending.shift()!.resolve({ token, expiresOnTimestamp: now() + lifetimeMs });
  const fail = (message: string) => pending.shift()!.reject(new Error(message));
  return { credential, calls, answer, fail };
}

describe('the token shared by every client of a run', () => {
  it('is fetched once for callers that ask at the same time, and kept until five minutes before it expires', async () => {
    let now = 1_000_000;
    const inner = countingCredential(60 * 60 * 1000, () => now);
    const shared = sharedTokenCredential(inner.credential, () => now);
    const scope = 'https://management.azure.com/.default';
    const asked = [shared.getToken(scope), shared.getToken(scope), shared.getToken([scope])];
    expect(inner.calls).toHaveLength(1);
    inner.answer('first');
    expect((await Promise.all(asked)).map(t => t?.token)).toEqual(['first', 'first', 'first']);
    now += 60 * 60 * 1000 - TOKEN_REFRESH_MARGIN_MS - 1;
    expect((await shared.getToken(scope))?.token).toBe('first');
    expect(inner.calls).toHaveLength(1);
    now += 1;
    const renewed = shared.getToken(scope);
    expect(inner.calls).toHaveLength(2);
    inner.answer('second');
    expect((await renewed)?.token).toBe('second');
  });

  it('keeps no failure: the next caller asks again', async () => {
    const now = 0;
    const inner = countingCredential(60 * 60 * 1000, () => now);
    const shared = sharedTokenCredential(inner.credential, () => now);
    const first = shared.getToken('scope');
    const second = shared.getToken('scope');
    inner.fail('AADSTS700016');
    await expect(first).rejects.toThrow('AADSTS700016');
    await expect(second).rejects.toThrow('AADSTS700016');
    const third = shared.getToken('scope');
    expect(inner.calls).toHaveLength(2);
    inner.answer('after');
    expect((await third)?.token).toBe('after');
  });

  it('keeps a token per scope and tenant, and passes a claims challenge through every time', async () => {
    const now = 0;
    const inner = countingCredential(60 * 60 * 1000, () => now);
    const shared = sharedTokenCredential(inner.credential, () => now);
    const a = shared.getToken('a');
    const b = shared.getToken('b');
    const tenant = shared.getToken('a', { tenantId: 't2' });
    expect(inner.calls.map(c => [c.scopes, c.options?.tenantId])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['a', 't2']
    ]);
    inner.answer('A');
    inner.answer('B');
    inner.answer('A2');
    expect([(await a)?.token, (await b)?.token, (await tenant)?.token]).toEqual(['A', 'B', 'A2']);
    const challenged = shared.getToken('a', { claims: 'eyJhY2Nlc3NfdG9rZW4iOnt9fQ' });
    expect(inner.calls).toHaveLength(4);
    expect(inner.calls[3].options?.claims).toBe('eyJhY2Nlc3NfdG9rZW4iOnt9fQ');
    inner.answer('C');
    expect((await challenged)?.token).toBe('C');
    expect((await shared.getToken('a'))?.token).toBe('A');
  });
});
