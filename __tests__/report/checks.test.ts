import type { Annotation } from '../../src/report/annotations.js';
import { planCheckRun, toCheckRunAnnotations } from '../../src/report/checks.js';

// The Checks API takes 50 annotations per request; more are appended with updates:
// https://docs.github.com/en/rest/checks/runs#update-a-check-run
describe('check run annotations', () => {
  it.each([
    [
      { level: 'error', file: 'a.json', line: 4, column: 9, title: 'T', message: 'M' },
      {
        path: 'a.json',
        start_line: 4,
        end_line: 4,
        start_column: 9,
        end_column: 9,
        annotation_level: 'failure',
        title: 'T',
        message: 'M'
      }
    ],
    [
      { level: 'warning', file: 'b.json', line: 2, title: 'T', message: 'M' },
      { path: 'b.json', start_line: 2, end_line: 2, annotation_level: 'warning', title: 'T', message: 'M' }
    ],
    [
      { level: 'notice', file: 'c.json', title: 'T', message: 'M' },
      { path: 'c.json', start_line: 1, end_line: 1, annotation_level: 'notice', title: 'T', message: 'M' }
    ]
  ] as [Annotation, object][])('%j → %j', (annotation, expected) => {
    expect(toCheckRunAnnotations([annotation])).toEqual([expected]);
  });

  it('leaves out annotations without a file, which the Checks API cannot place', () => {
    expect(toCheckRunAnnotations([{ level: 'error', title: 'T', message: 'M' }])).toEqual([]);
  });

  it('cuts titles to 255 characters', () => {
    const [a] = toCheckRunAnnotations([{ level: 'error', file: 'a', line: 1, title: 'x'.repeat(300), message: 'm' }]);
    expect(a.title).toHaveLength(255);
    expect(a.title.endsWith('…')).toBe(true);
  });

  it('splits 101 annotations into batches of 50, 50 and 1', () => {
    const annotations: Annotation[] = Array.from({ length: 101 }, (_, i) => ({
      level: 'error',
      file: 'a.json',
      line: i + 1,
      title: 't',
      message: 'm'
    }));
    const plan = planCheckRun(annotations, { headSha: 'abc', conclusion: 'failure', title: 'T', summary: 'S' });
    expect(plan.batches.map(b => b.length)).toEqual([50, 50, 1]);
    expect(plan.batches[2][0].start_line).toBe(101);
    expect(plan).toMatchObject({ name: 'cmk-guard', headSha: 'abc', conclusion: 'failure', title: 'T', summary: 'S' });
  });
});
