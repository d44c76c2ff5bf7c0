/**
 * Whether `text` matches `pattern` as a whole, `*` in the pattern standing for any run of characters,
 * `anyOne` (when given: `?`) for any one character, and every other character for itself (callers lower-case both for a case-insensitive match: Azure
 * Policy's `like`, the template function `like()`). Greedy with one remembered `*`: linear in practice
 * and never worse than text × pattern, whatever the number of wildcards (a backtracking regular
 * expression is exponential in them).
 */
export function wildcardMatches(text: string, pattern: string, anyOne?: '?'): boolean {
  let t = 0;
  let p = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.length && (pattern[p] === text[t] || pattern[p] === anyOne)) {
      t++;
      p++;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
