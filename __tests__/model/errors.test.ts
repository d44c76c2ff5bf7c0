import { describe, expect, it } from '@jest/globals';
import { collectUserErrors, RunEndingError, UserError, UserErrors } from '../../src/model/errors.js';
import { RunLimitError } from '../../src/model/limits.js';
import { append } from '../../src/model/lists.js';
import { isolated } from '../../src/pipeline/isolated.js';

describe('collectUserErrors', () => {
  it('keeps a user error, and each error of several, as the input errors they are', () => {
    const errors: UserError[] = [];
    collectUserErrors(errors, () => {
      throw new UserError('one', { file: 'a.json', line: 3 });
    });
    collectUserErrors(errors, () => {
      throw new UserErrors([new UserError('two'), new UserError('three')]);
    });
    expect(errors.map(e => e.message)).toEqual(['one', 'two', 'three']);
  });

  it('rethrows an error that ends the run (the run time bound among them) and keeps nothing', () => {
    const errors: UserError[] = [];
    expect(() =>
      collectUserErrors(errors, () => {
        throw new RunLimitError(20);
      })
    ).toThrow(RunLimitError);
    expect(new RunLimitError(20)).toBeInstanceOf(RunEndingError);
    expect(errors).toEqual([]);
  });

  it('rethrows what is not a user error: a bug', () => {
    const errors: UserError[] = [];
    expect(() =>
      collectUserErrors(errors, () => {
        throw new TypeError('bug');
      })
    ).toThrow(TypeError);
    expect(errors).toEqual([]);
  });

  it('keeps several hundred thousand errors thrown at once (no spreading them as arguments)', () => {
    const many = Array.from({ length: 300_000 }, (_, i) => new UserError(`e${i}`));
    const errors: UserError[] = [new UserError('before')];
    collectUserErrors(errors, () => {
      throw new UserErrors(many);
    });
    expect(errors).toHaveLength(300_001);
    expect(errors[300_000].message).toBe('e299999');
  });
});

describe('isolated', () => {
  it('keeps a user error and a bug as the input error, and lets the run time bound end the run', () => {
    const errors: UserError[] = [];
    isolated(errors, { file: 'a.json' }, 'read a.json', () => {
      throw new UserError('bad input', { file: 'a.json', line: 1 });
    });
    isolated(errors, { file: 'b.json' }, 'read b.json', () => {
      throw new Error('boom');
    });
    expect(errors.map(e => [e.location?.file, e.message])).toEqual([
      ['a.json', 'bad input'],
      ['b.json', 'cmk-guard could not read b.json: internal error (a bug, please report it): boom.']
    ]);
    expect(() =>
      isolated(errors, { file: 'c.json' }, 'read c.json', () => {
        throw new RunLimitError(5);
      })
    ).toThrow(RunLimitError);
    expect(errors).toHaveLength(2);
  });
});

describe('append', () => {
  it('adds every item in order, half a million of them (too many to spread as arguments)', () => {
    const items = Array.from({ length: 500_000 }, (_, i) => i);
    const into = [-1];
    append(into, items);
    expect(into).toHaveLength(500_001);
    expect(into[0]).toBe(-1);
    expect(into[500_000]).toBe(499_999);
  });
});
