/**
 * A server on another loopback port, standing for a host that is not the Resource Manager cmk-guard was given (an
 * attacker's): it answers every request as an empty list and records it with its Authorization header, so a test
 * can say that no request, and no token, reached it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exemptionsModule } from './arm-exemptions.js';
import { policyModule } from './arm-policy.js';
import { startArmServer, type ArmServer, type ArmServerOptions } from './arm-server.js';

export interface ElsewhereRequest {
  method: string;
  url: string;
  authorization?: string;
}

export interface ElsewhereServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  requests: ElsewhereRequest[];
  close(): Promise<void>;
}

export async function startElsewhereServer(): Promise<ElsewhereServer> {
  const requests: ElsewhereRequest[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {})
    });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ value: [], status: 'Succeeded' }));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

export interface ArmAndElsewhere {
  /** A loopback Resource Manager with the policy and exemption endpoints: the one cmk-guard is meant to reach. */
  arm: ArmServer;
  elsewhere: ElsewhereServer;
}

/**
 * Called in a describe block (or at a file's top): before each of its tests, a fresh loopback ARM and a server
 * elsewhere, handed to `take` (which keeps them); after each test, both are closed. `arm.token`, if given, is the bearer
 * token the ARM accepts instead of startArmServer's default.
 */
export function eachTestArmAndElsewhere(
  take: (servers: ArmAndElsewhere) => void,
  arm: Pick<ArmServerOptions, 'token'> = {}
): void {
  let servers: ArmAndElsewhere | undefined;
  beforeEach(async () => {
    servers = {
      arm: await startArmServer({ ...arm, modules: [policyModule, exemptionsModule] }),
      elsewhere: await startElsewhereServer()
    };
    take(servers);
  });
  afterEach(async () => {
    await servers?.arm.close();
    await servers?.elsewhere.close();
    servers = undefined;
  });
}
