import { describe, expect, it } from '@jest/globals';
import { isUnknown } from '../../../src/model/value.js';
import { ev } from '../support.js';

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date
describe('date functions', () => {
  it('dateTimeAdd adds ISO 8601 durations, answering in the layout of the base', () => {
    expect(ev("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]")).toBe('2023-04-07 14:53:14Z');
    expect(ev("[dateTimeAdd('2020-04-07 14:53:14Z', '-P9D')]")).toBe('2020-03-29 14:53:14Z');
    expect(ev("[dateTimeAdd('20200407T145314Z', 'PT1H')]")).toBe('20200407T155314Z');
    expect(ev("[dateTimeAdd('2020-04-07T14:53:14Z', 'P1M', 'yyyy-MM-dd')]")).toBe('2020-05-07');
    expect(() => ev("[dateTimeAdd('2020-04-07T14:53:14Z', '3 days')]")).toThrow(/ISO 8601 duration/);
  });

  it('dateTimeFromEpoch and dateTimeToEpoch', () => {
    expect(ev('[dateTimeFromEpoch(1683040573)]')).toBe('2023-05-02T15:16:13Z');
    expect(ev("[dateTimeToEpoch('2023-05-02T15:16:13Z')]")).toBe(1683040573);
  });

  // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
  // "addDays(dateTime, numberOfDaysToAdd) - dateTime: String in the Universal ISO 8601 DateTime format
  // yyyy-MM-ddTHH:mm:ss.FFFFFFFZ": F drops trailing zeros, and the point with them.
  it('addDays (Azure Policy) answers yyyy-MM-ddTHH:mm:ss.FFFFFFFZ', () => {
    expect(ev("[addDays('2024-02-28T00:00:00Z', 2)]")).toBe('2024-03-01T00:00:00Z');
    expect(ev("[addDays('2024-01-19T12:00:00.1200000Z', 1)]")).toBe('2024-01-20T12:00:00.12Z');
  });

  // .NET custom formats: "F" is "If non-zero, the tenths of a second"; trailing zero digits are not
  // shown, and neither is a decimal point that nothing follows.
  it('F specifiers drop trailing zeros and a bare decimal point; f specifiers keep them', () => {
    expect(ev("[dateTimeAdd('2020-04-07T14:53:14Z', 'PT1S', 'HH:mm:ss.FFF')]")).toBe('14:53:15');
    expect(ev("[dateTimeAdd('2020-04-07T14:53:14.250Z', 'PT0S', 'HH:mm:ss.FFF')]")).toBe('14:53:14.25');
    expect(ev("[dateTimeAdd('2020-04-07T14:53:14Z', 'PT1S', 'HH:mm:ss.fff')]")).toBe('14:53:15.000');
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-lambda
describe('lambda functions', () => {
  const dogs = {
    dogs: [
      { name: 'Evie', age: 5, interests: ['Ball', 'Frisbee'] },
      { name: 'Casper', age: 3, interests: ['Other dogs'] },
      { name: 'Indy', age: 2, interests: ['Butter'] },
      { name: 'Kira', age: 8, interests: ['Rubs'] }
    ]
  };

  it('filter, map, reduce, sort, toObject, groupBy, mapValues', () => {
    expect(
      ev("[filter(parameters('dogs'), lambda('dog', greaterOrEquals(lambdaVariables('dog').age, 5)))]", dogs)
    ).toEqual([dogs.dogs[0], dogs.dogs[3]]);
    expect(ev("[map(parameters('dogs'), lambda('dog', lambdaVariables('dog').name))]", dogs)).toEqual([
      'Evie',
      'Casper',
      'Indy',
      'Kira'
    ]);
    expect(
      ev("[map(createArray('a', 'b'), lambda('x', 'i', concat(string(lambdaVariables('i')), lambdaVariables('x'))))]")
    ).toEqual(['0a', '1b']);
    expect(
      ev(
        "[reduce(map(parameters('dogs'), lambda('d', lambdaVariables('d').age)), 0, lambda('cur', 'next', add(lambdaVariables('cur'), lambdaVariables('next'))))]",
        dogs
      )
    ).toBe(18);
    expect(
      ev("[sort(parameters('dogs'), lambda('a', 'b', less(lambdaVariables('a').age, lambdaVariables('b').age)))]", dogs)
    ).toEqual([dogs.dogs[2], dogs.dogs[1], dogs.dogs[0], dogs.dogs[3]]);
    expect(
      ev(
        "[toObject(parameters('dogs'), lambda('d', lambdaVariables('d').name), lambda('d', lambdaVariables('d').age))]",
        dogs
      )
    ).toEqual({
      Evie: 5,
      Casper: 3,
      Indy: 2,
      Kira: 8
    });
    expect(
      ev("[groupBy(createArray('foo', 'bar', 'baz'), lambda('x', substring(lambdaVariables('x'), 0, 1)))]")
    ).toEqual({
      f: ['foo'],
      b: ['bar', 'baz']
    });
    expect(ev("[mapValues(createObject('foo', 'foo'), lambda('v', toUpper(lambdaVariables('v'))))]")).toEqual({
      foo: 'FOO'
    });
  });

  it('keeps unknown items in map, and cannot filter on them', () => {
    const mapped = ev(
      "[map(createArray(parameters('x'), 'b'), lambda('v', toUpper(lambdaVariables('v'))))]"
    ) as unknown[];
    expect(isUnknown(mapped[0])).toBe(true);
    expect(mapped[1]).toBe('B');
    expect(
      isUnknown(ev("[filter(createArray(parameters('x')), lambda('v', equals(lambdaVariables('v'), 'a')))]"))
    ).toBe(true);
  });

  it('rejects lambdas elsewhere and undefined lambda variables', () => {
    expect(() => ev("[length(lambda('x', 1))]")).toThrow(/A lambda can only be an argument/);
    expect(() => ev("[lambdaVariables('x')]")).toThrow(/lambda variable 'x' is not defined/);
    expect(() => ev("[map(createArray(1), lambda('a', 'b', 'c', 1))]")).toThrow(/must take 1 or 2 parameter/);
  });
});

// https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-cidr
describe('CIDR functions', () => {
  it('parseCidr', () => {
    expect(ev("[parseCidr('10.144.0.0/20')]")).toEqual({
      network: '10.144.0.0',
      netmask: '255.255.240.0',
      broadcast: '10.144.15.255',
      firstUsable: '10.144.0.1',
      lastUsable: '10.144.15.254',
      cidr: 20
    });
    expect(ev("[parseCidr('fdad:3236:5555::/48')]")).toMatchObject({
      network: 'fdad:3236:5555::',
      netmask: 'ffff:ffff:ffff::',
      lastUsable: 'fdad:3236:5555:ffff:ffff:ffff:ffff:ffff',
      cidr: 48
    });
  });

  it('cidrSubnet and cidrHost', () => {
    expect(ev("[cidrSubnet('10.144.0.0/20', 24, 0)]")).toBe('10.144.0.0/24');
    expect(ev("[cidrSubnet('10.144.0.0/20', 24, 15)]")).toBe('10.144.15.0/24');
    expect(() => ev("[cidrSubnet('10.144.0.0/20', 24, 16)]")).toThrow(/out of range/);
    expect(ev("[cidrHost('10.144.3.0/24', 0)]")).toBe('10.144.3.1');
    expect(ev("[cidrHost('10.144.3.0/24', 253)]")).toBe('10.144.3.254');
    expect(() => ev("[cidrHost('10.144.3.0/24', 254)]")).toThrow(/outside the network/);
  });

  // https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
  it('ipRangeContains (Azure Policy)', () => {
    expect(ev("[ipRangeContains('10.0.0.0/24', '10.0.0.0-10.0.0.255')]")).toBe(true);
    expect(ev("[ipRangeContains('10.0.0.0/24', '10.0.1.1')]")).toBe(false);
    expect(ev("[ipRangeContains('2001:0DB8::/32', '2001:0DB8::1')]")).toBe(true);
    expect(() => ev("[ipRangeContains('10.0.0.0/24', '2001:0DB8::1')]")).toThrow(/IPv4 and IPv6/);
  });
});
