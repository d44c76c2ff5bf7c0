/**
 * CIDR functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr
 * and Azure Policy's ipRangeContains:
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 */
import type { Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import { defineFunction, type FunctionDefinition } from '../evaluate.js';
import { intArg, stringArg } from './args.js';

interface Address {
  value: bigint;
  bits: 32 | 128;
}

function parseAddress(fn: string, text: string): Address {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const octets = v4.slice(1).map(Number);
    if (octets.every(o => o <= 255)) {
      return { value: octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n), bits: 32 };
    }
  } else if (/^[0-9a-f:]+$/i.test(text) && text.includes(':')) {
    const halves = text.split('::');
    if (halves.length <= 2) {
      const head = halves[0] ? halves[0].split(':') : [];
      const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
      const missing = 8 - head.length - tail.length;
      if (
        (halves.length === 2 ? missing >= 1 : missing === 0) &&
        [...head, ...tail].every(g => /^[0-9a-f]{1,4}$/i.test(g))
      ) {
        const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
        return { value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), bits: 128 };
      }
    }
  }
  throw new ExpressionError(`The template function '${fn}' was given '${text}', which is not an IP address.`);
}

function formatAddress({ value, bits }: Address): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map(s => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // RFC 5952: the longest run (two or more) of zero groups becomes '::'.
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

interface Network {
  address: Address;
  prefix: number;
}

function parseNetwork(fn: string, text: string): Network {
  const slash = text.indexOf('/');
  if (slash < 0)
    throw new ExpressionError(`The template function '${fn}' expects CIDR notation like '10.0.0.0/16', not '${text}'.`);
  const address = parseAddress(fn, text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (!/^\d+$/.test(text.slice(slash + 1)) || prefix > address.bits) {
    throw new ExpressionError(
      `The template function '${fn}' was given the prefix length '/${text.slice(slash + 1)}', which is not valid.`
    );
  }
  const mask = maskOf(prefix, address.bits);
  return { address: { value: address.value & mask, bits: address.bits }, prefix };
}

function maskOf(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return (all << BigInt(bits - prefix)) & all;
}

function lastOf({ address, prefix }: Network): bigint {
  return address.value | (((1n << BigInt(address.bits)) - 1n) >> BigInt(prefix));
}

export const cidrFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'parseCidr',
    minArgs: 1,
    maxArgs: 1,
    call: (args): Value => {
      const network = parseNetwork('parseCidr', stringArg('parseCidr', args, 0));
      const { address, prefix } = network;
      const last = lastOf(network);
      const at = (value: bigint) => formatAddress({ value, bits: address.bits });
      if (address.bits === 32) {
        const small = prefix >= 31;
        return {
          network: at(address.value),
          netmask: at(maskOf(prefix, 32)),
          broadcast: at(last),
          firstUsable: at(small ? address.value : address.value + 1n),
          lastUsable: at(small ? last : last - 1n),
          cidr: prefix
        };
      }
      return {
        network: at(address.value),
        netmask: at(maskOf(prefix, 128)),
        firstUsable: at(address.value),
        lastUsable: at(last),
        cidr: prefix
      };
    }
  }),
  defineFunction({
    name: 'cidrSubnet',
    minArgs: 3,
    maxArgs: 3,
    call: args => {
      const network = parseNetwork('cidrSubnet', stringArg('cidrSubnet', args, 0));
      const newPrefix = intArg('cidrSubnet', args, 1);
      const index = intArg('cidrSubnet', args, 2);
      const bits = network.address.bits;
      if (newPrefix < network.prefix || newPrefix > bits) {
        throw new ExpressionError(
          `The new prefix length '${newPrefix}' of 'cidrSubnet' must be from ${network.prefix} to ${bits}.`
        );
      }
      const count = 1n << BigInt(newPrefix - network.prefix);
      if (index < 0 || BigInt(index) >= count) {
        throw new ExpressionError(
          `The subnet index '${index}' of 'cidrSubnet' is out of range: there are ${count} subnets.`
        );
      }
      const value = network.address.value + (BigInt(index) << BigInt(bits - newPrefix));
      return `${formatAddress({ value, bits })}/${newPrefix}`;
    }
  }),
  defineFunction({
    name: 'cidrHost',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const network = parseNetwork('cidrHost', stringArg('cidrHost', args, 0));
      const index = intArg('cidrHost', args, 1);
      // Host 0 is the address after the network's own, for IPv4 and IPv6 alike: the documented IPv6
      // example gives 'fdad:3236:5555:3000::1' for index 0 of fdad:3236:5555:3000::/52
      // (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr#cidrhost),
      // though parseCidr calls the IPv6 network address itself "firstUsable".
      const ipv4 = network.address.bits === 32;
      const first = network.prefix < network.address.bits - 1 ? network.address.value + 1n : network.address.value;
      const lastUsable = ipv4 && network.prefix < 31 ? lastOf(network) - 1n : lastOf(network);
      const value = first + BigInt(index);
      if (index < 0 || value > lastUsable) {
        throw new ExpressionError(
          `The host index '${index}' of 'cidrHost' is outside the network '${args[0] as string}'.`
        );
      }
      return formatAddress({ value, bits: network.address.bits });
    }
  }),
  defineFunction({
    name: 'ipRangeContains',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const outer = parseRange('ipRangeContains', stringArg('ipRangeContains', args, 0));
      const inner = parseRange('ipRangeContains', stringArg('ipRangeContains', args, 1));
      if (outer.bits !== inner.bits) {
        throw new ExpressionError("The template function 'ipRangeContains' cannot compare IPv4 and IPv6 ranges.");
      }
      return outer.first <= inner.first && inner.last <= outer.last;
    }
  })
];

/** An address, a CIDR block or a `first-last` range. */
function parseRange(fn: string, text: string): { first: bigint; last: bigint; bits: number } {
  if (text.includes('/')) {
    const network = parseNetwork(fn, text);
    return { first: network.address.value, last: lastOf(network), bits: network.address.bits };
  }
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const first = parseAddress(fn, text.slice(0, dash).trim());
    const last = parseAddress(fn, text.slice(dash + 1).trim());
    if (first.bits !== last.bits || first.value > last.value) {
      throw new ExpressionError(`The template function '${fn}' was given '${text}', which is not a valid range.`);
    }
    return { first: first.value, last: last.value, bits: first.bits };
  }
  const address = parseAddress(fn, text);
  return { first: address.value, last: address.value, bits: address.bits };
}
