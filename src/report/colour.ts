/**
 * Colour for terminal reports: only when standard output is a terminal, never when `NO_COLOR` is set
 * (https://no-color.org), and when `FORCE_COLOR` asks for it. The codes are ours; every value from the
 * input has been through `escapeTerminal` before it is painted, so no input can colour the terminal.
 */
export type Style = 'error' | 'warning' | 'note' | 'indeterminate' | 'heading' | 'dim';

export type Paint = (style: Style, text: string) => string;

const codes: Record<Style, string> = {
  error: '31',
  warning: '33',
  note: '36',
  indeterminate: '35',
  heading: '1',
  dim: '2'
};

export const plain: Paint = (_style, text) => text;

export const ansi: Paint = (style, text) => (text ? `\u001b[${codes[style]}m${text}\u001b[0m` : text);

/** Whether to colour a report written to a stream: `NO_COLOR` wins, then `FORCE_COLOR`, then whether it is a terminal. */
export function colourWanted(env: NodeJS.ProcessEnv, isTerminal: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return isTerminal && env.TERM !== 'dumb';
}
