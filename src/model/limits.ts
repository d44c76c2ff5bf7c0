/**
 * The bounds on the work a pull request can make cmk-guard do. Each is far above what a real
 * template, rule or definition needs and low enough that hostile input ends in an error naming
 * the file, never a stuck or crashed runner. Each can be raised (or lowered) with an environment
 * variable (`env:` on the workflow step, or the shell): the README's Security section lists them.
 *
 * The limits Azure Resource Manager itself enforces (800 copies, 800 resources per template, 256
 * parameters, 512 variables, 64 outputs, 24,576 characters per expression) are not here: raising them would
 * accept templates Azure refuses.
 */
import { RunEndingError, UserError, type InputLocation } from './errors.js';

export interface Limits {
  /** Bytes in one input file (ARM accepts templates up to 4 MB). */
  fileBytes: number;
  /** Nesting of JSON objects and arrays, and of YAML collections. */
  jsonDepth: number;
  /** Values in one YAML file once its aliases are expanded (the "billion laughs"). */
  yamlValues: number;
  /** Nesting of calls in one template expression. */
  expressionDepth: number;
  /** Characters in one string a template expression builds. */
  stringLength: number;
  /** Levels of nested deployments. */
  nestedDeployments: number;
  /** Resource instances one template expands to, nested deployments and copy loops included. */
  expandedResources: number;
  /** Values the expressions of one template may build (each function result counts its size). */
  workUnits: number;
  /** Seconds spent expanding one template. */
  secondsPerFile: number;
  /** Seconds spent evaluating one file's resources: every definition on every resource it declares. */
  evaluationSecondsPerFile: number;
  /** Seconds one run may spend reading and evaluating all its inputs. */
  runSeconds: number;
  /** Files and folders one template pattern walks, symbolic links to folders followed. */
  walkedEntries: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  fileBytes: 16 * 1024 * 1024,
  jsonDepth: 512,
  yamlValues: 100_000,
  expressionDepth: 200,
  stringLength: 4 * 1024 * 1024,
  nestedDeployments: 32,
  expandedResources: 20_000,
  workUnits: 5_000_000,
  secondsPerFile: 60,
  evaluationSecondsPerFile: 60,
  runSeconds: 3600,
  walkedEntries: 1_000_000
});

/** The environment variable that sets each limit. */
export const LIMIT_VARIABLES: Readonly<Record<keyof Limits, string>> = Object.freeze({
  fileBytes: 'CMK_GUARD_MAX_FILE_BYTES',
  jsonDepth: 'CMK_GUARD_MAX_DEPTH',
  yamlValues: 'CMK_GUARD_MAX_YAML_VALUES',
  expressionDepth: 'CMK_GUARD_MAX_EXPRESSION_DEPTH',
  stringLength: 'CMK_GUARD_MAX_STRING_LENGTH',
  nestedDeployments: 'CMK_GUARD_MAX_NESTED_DEPLOYMENTS',
  expandedResources: 'CMK_GUARD_MAX_RESOURCES',
  workUnits: 'CMK_GUARD_MAX_WORK',
  secondsPerFile: 'CMK_GUARD_MAX_SECONDS_PER_FILE',
  evaluationSecondsPerFile: 'CMK_GUARD_MAX_EVALUATION_SECONDS',
  runSeconds: 'CMK_GUARD_MAX_RUN_SECONDS',
  walkedEntries: 'CMK_GUARD_MAX_WALKED_ENTRIES'
});

/**
 * A limit in force: its environment variable when set to a whole number, else the default. A
 * variable set to anything else is a mistake in the workflow, said as such.
 */
export function limit(name: keyof Limits, env: NodeJS.ProcessEnv = process.env): number {
  const variable = LIMIT_VARIABLES[name];
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LIMITS[name];
  if (!/^\d+$/.test(raw.trim())) {
    throw new UserError(`${variable} is '${raw}'; set it to a whole number (the default is ${DEFAULT_LIMITS[name]}).`);
  }
  return Number(raw.trim());
}

/** A limit reached: the input is refused with what to change, at the file it came from. */
export class LimitError extends UserError {
  constructor(message: string, location?: InputLocation) {
    super(message, location);
    this.name = 'LimitError';
  }
}

/** A time work must end by: `seconds` after it is made, on `clock` (milliseconds; a fake one in tests). */
export class Deadline {
  private readonly end: number;

  constructor(
    readonly seconds: number,
    private readonly clock: () => number = Date.now
  ) {
    this.end = clock() + seconds * 1000;
  }

  get passed(): boolean {
    return this.clock() >= this.end;
  }
}

/**
 * The work one file may cost: every value an expression builds spends units, and the clock is
 * read every so often. Spending past either bound throws a LimitError at the file.
 */
export class WorkBudget {
  private spent = 0;
  private calls = 0;
  private readonly units: number;
  private readonly stringLength: number;
  private readonly depth: number;
  private readonly deadline: Deadline;

  constructor(
    private readonly file: string,
    clock: () => number = Date.now
  ) {
    this.units = limit('workUnits');
    this.stringLength = limit('stringLength');
    this.depth = limit('jsonDepth');
    this.deadline = new Deadline(limit('secondsPerFile'), clock);
  }

  /**
   * A value an expression built. Its new members are spent; its size written out (shared parts
   * counted each time they appear, as a report or a traversal meets them) is held to the same
   * bound, so values that share parts cannot double their way past it; a string is held to the
   * string limit.
   */
  produced(value: unknown): void {
    if (typeof value === 'string' && value.length > this.stringLength) {
      throw new LimitError(
        `an expression builds a string of ${value.length} characters; the most cmk-guard holds is ${this.stringLength} (${LIMIT_VARIABLES.stringLength}).`,
        { file: this.file }
      );
    }
    if (typeof value === 'string') {
      // By 16-character blocks: strings are where memory goes.
      this.spend(1 + (value.length >>> 4));
      return;
    }
    if (value === null || typeof value !== 'object' || this.sizes.has(value)) {
      this.spend(1);
      return;
    }
    const members = Array.isArray(value) ? value.length : Object.keys(value).length;
    // Every walk of a value after it is built (the reports included) recurses into it: a value nested
    // deeper than a file may be is refused as the file would be, before a walk runs out of stack.
    if (this.depthOf(value) > this.depth) {
      throw new LimitError(
        `an expression builds a value nested more than ${this.depth} levels deep (${LIMIT_VARIABLES.jsonDepth}), which no template file may be.`,
        { file: this.file }
      );
    }
    if (this.sizeOf(value) > this.units) {
      throw new LimitError(
        `an expression builds a value of more than ${this.units} members once written out (${LIMIT_VARIABLES.workUnits}); look for values that contain themselves twice, level after level.`,
        { file: this.file }
      );
    }
    this.spend(1 + members);
  }

  private readonly sizes = new WeakMap<object, number>();
  private readonly depths = new WeakMap<object, number>();

  /**
   * Levels of objects and arrays in a value, counted up to just past the bound; known depths are remembered,
   * so a value built a level at a time is measured a level at a time.
   */
  private depthOf(value: unknown, budget = this.depth + 1): number {
    if (value === null || typeof value !== 'object') return 0;
    const known = this.depths.get(value);
    if (known !== undefined) return known;
    if (budget <= 0) return 1;
    let deepest = 0;
    const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    for (const item of items) {
      deepest = Math.max(deepest, this.depthOf(item, budget - 1));
      if (deepest >= budget) break;
    }
    const depth = 1 + deepest;
    if (depth <= budget) this.depths.set(value, depth);
    return depth;
  }

  /** Members of a value written out, counted up to just past the bound; known sizes are remembered. */
  private sizeOf(value: unknown): number {
    if (typeof value === 'string') return 1 + (value.length >>> 6);
    if (value === null || typeof value !== 'object') return 1;
    const known = this.sizes.get(value);
    if (known !== undefined) return known;
    let size = 1;
    if (Array.isArray(value)) {
      for (const item of value) if ((size += this.sizeOf(item)) > this.units) break;
    } else {
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) if ((size += this.sizeOf(object[key])) > this.units) break;
    }
    this.sizes.set(value, size);
    return size;
  }

  /** The units spent so far. */
  get used(): number {
    return this.spent;
  }

  spend(units: number): void {
    this.spent += units;
    if (this.spent > this.units) {
      throw new LimitError(
        `expanding this template builds more than ${this.units} values (${LIMIT_VARIABLES.workUnits}); a real template builds far fewer, so look for copy loops or lambdas that multiply each other.`,
        { file: this.file }
      );
    }
    if ((this.calls++ & 1023) === 0) this.checkClock();
  }

  checkClock(): void {
    if (this.deadline.passed) {
      throw new LimitError(
        `expanding this template took more than ${this.deadline.seconds} seconds (${LIMIT_VARIABLES.secondsPerFile}); simplify it or raise the limit.`,
        { file: this.file }
      );
    }
  }
}

/**
 * The time one file's evaluation may take (every definition on every resource the file declares):
 * `check` is called between the engine's steps and throws a LimitError at the file once the
 * seconds have passed, so one file cannot hold the run while the others wait.
 */
export class EvaluationDeadline {
  private readonly deadline: Deadline;

  constructor(
    private readonly file: string,
    clock: () => number = Date.now
  ) {
    this.deadline = new Deadline(limit('evaluationSecondsPerFile'), clock);
  }

  readonly check = (): void => {
    if (this.deadline.passed) {
      throw new LimitError(
        `evaluating the resources of this file took more than ${this.deadline.seconds} seconds (${LIMIT_VARIABLES.evaluationSecondsPerFile}); its findings are not reported. Split the file, run fewer rules on it, or raise the limit.`,
        { file: this.file }
      );
    }
  };
}

/**
 * The whole run's time bound reached: the run ends with this error and writes no report (a report of some
 * inputs would read as a pass on the others). It is no one input's error, so it is never kept as one.
 */
export class RunLimitError extends RunEndingError {
  constructor(seconds: number) {
    super(
      `the run took more than ${seconds} seconds reading and evaluating its inputs (${LIMIT_VARIABLES.runSeconds}); no report is written. Evaluate fewer inputs at a time (split the templates or snapshots across runs) or raise the limit.`
    );
    this.name = 'RunLimitError';
  }
}

/**
 * The time one run may spend reading and evaluating its inputs. Each file has its own bounds (expansion,
 * evaluation); this one is checked between files and between a snapshot's batches, so a run ends at most
 * one file's bound after it.
 */
export class RunDeadline {
  private readonly deadline: Deadline;

  constructor(clock: () => number = Date.now) {
    this.deadline = new Deadline(limit('runSeconds'), clock);
  }

  readonly check = (): void => {
    if (this.deadline.passed) throw new RunLimitError(this.deadline.seconds);
  };
}
