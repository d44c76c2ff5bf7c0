import { failureReason } from '../../src/report/publish.js';
import { documentOf, finding } from './fixture.js';

describe('failureReason', () => {
  const document = documentOf([
    finding(1, 'error'),
    finding(2, 'warning', { verdict: 'indeterminate', reason: 'parameter `x`' }),
    finding(3, 'error', { verdict: 'indeterminate', reason: 'parameter `y`' })
  ]);

  it('counts noncompliant findings at or above fail-on', () => {
    expect(failureReason(document, { failOn: 'error' })).toBe(
      "cmk-guard found 1 noncompliant finding at or above severity 'error' (fail-on); see the annotations and the job summary."
    );
    expect(failureReason(document, { failOn: 'never', failOnIndeterminate: true })).toBeUndefined();
  });

  it('counts indeterminate findings too with fail-on-indeterminate, at or above fail-on', () => {
    expect(failureReason(document, { failOn: 'error', failOnIndeterminate: true })).toBe(
      "cmk-guard found 1 noncompliant and 1 indeterminate (fail-on-indeterminate) findings at or above severity 'error' (fail-on); see the annotations and the job summary."
    );
    expect(
      failureReason(documentOf([finding(2, 'warning', { verdict: 'indeterminate' })]), {
        failOn: 'warning',
        failOnIndeterminate: true
      })
    ).toBe(
      "cmk-guard found 1 indeterminate (fail-on-indeterminate) finding at or above severity 'warning' (fail-on); see the annotations and the job summary."
    );
  });
});
