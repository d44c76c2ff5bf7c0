/**
 * Relation rules (pull-request rules that relate a resource to others of its deployment) over the inputs
 * as they are read: a template's resources are checked together; a snapshot's targets and grants are
 * gathered as it is read, and its subjects are checked on a second reading.
 */
import type { UserError } from '../model/errors.js';
import { EvaluationDeadline, LimitError, type RunDeadline } from '../model/limits.js';
import type { Resource } from '../model/resource.js';
import type { Checkpoint, DeploymentRelation } from '../pr/relation.js';
import type { PullRequestChecks } from '../pr/rules.js';
import type { FindingStore } from '../report/store.js';
import type { Rule } from '../rules/index.js';
import { SNAPSHOT_BATCH } from './evaluateInput.js';
import { isolated } from './isolated.js';

export type PullRequestCheck<K extends keyof PullRequestChecks> = {
  rule: Rule;
  check: PullRequestChecks[K][number];
};

/** A snapshot's resources, as each relation rule still running gathers them (undefined: a rule not running). */
export class SnapshotRelations {
  constructor(readonly relating: readonly (DeploymentRelation | undefined)[]) {}

  /** Takes one resource of the snapshot, as it is read. */
  add(resource: Resource): void {
    for (const relation of this.relating) relation?.add(resource);
  }

  /** Whether any rule found a target: only then are the subjects worth a second reading. */
  get hasTargets(): boolean {
    return this.relating.some(r => r?.hasTargets);
  }
}

/**
 * The bounds relation rules are checked within, as the definitions are: the time to evaluate the file (the same
 * EvaluationDeadline as its definitions, for a template; each SNAPSHOT_BATCH subjects of a snapshot, as each batch
 * of its resources) and the run's. Reaching the file's ends in its LimitError at the subject being checked.
 */
export interface RelationBounds {
  deadline: EvaluationDeadline;
  run?: RunDeadline;
}

/** The checkpoint a relation calls (see Checkpoint): the run's bound, then the file's, said at the subject's line. */
export function relationCheckpoint(bounds: () => RelationBounds): Checkpoint {
  return subject => {
    const { deadline, run } = bounds();
    run?.check();
    try {
      deadline.check();
    } catch (error) {
      if (!(error instanceof LimitError) || !subject.source) throw error;
      const { file, line, column } = subject.source;
      throw new LimitError(error.message, { file, line, column });
    }
  };
}

export class RelationPass {
  /** Each rule's problems, in the order of the rules. */
  readonly problems: UserError[][];
  private readonly failed = new Set<number>();

  /** `group(i)` is the store's group of the `i`th rule's findings. */
  constructor(
    private readonly relations: readonly PullRequestCheck<'relations'>[],
    private readonly store: FindingStore,
    private readonly group: (i: number) => number
  ) {
    this.problems = relations.map(() => []);
  }

  /**
   * Relation rules on one deployment whose resources are all in memory (a template with its nested ones). A
   * bound reached (`bounds`) is the file's error, not the rule's: its LimitError is thrown, for the caller to
   * keep as the file's and take back the file's findings.
   */
  deployment(resources: Resource[], bounds?: RelationBounds): void {
    const checkpoint = bounds ? relationCheckpoint(() => bounds) : undefined;
    this.relations.forEach(({ rule, check }, i) => {
      if (this.failed.has(i)) return;
      const before = this.problems[i].length;
      let reached: LimitError | undefined;
      isolated(this.problems[i], { file: rule.file }, `evaluate the rule ${rule.name}`, () => {
        try {
          for (const finding of check(resources, checkpoint)) this.store.add(this.group(i), finding);
        } catch (error) {
          if (!(checkpoint && error instanceof LimitError)) throw error;
          reached = error;
        }
      });
      if (reached) throw reached;
      if (this.problems[i].length > before) this.failed.add(i);
    });
  }

  /**
   * What the rules still running gather of a snapshot read a resource at a time; null when none runs. Its
   * subjects are checked within `bounds` (see `subjects`).
   */
  snapshot(bounds?: { file: string; clock?: () => number }): SnapshotRelations | null {
    let deadline: EvaluationDeadline | undefined;
    this.snapshotBatch = bounds ? () => (deadline = new EvaluationDeadline(bounds.file, bounds.clock)) : undefined;
    const checkpoint = bounds
      ? relationCheckpoint(() => ({ deadline: (deadline ??= new EvaluationDeadline(bounds.file, bounds.clock)) }))
      : undefined;
    const relating = this.relations.map((relation, i) =>
      this.failed.has(i) ? undefined : relation.check.deployment(checkpoint)
    );
    return relating.some(r => r !== undefined) ? new SnapshotRelations(relating) : null;
  }

  /** Starts the time bound of the next batch of a snapshot's subjects (set by `snapshot`). */
  private snapshotBatch: (() => void) | undefined;

  /**
   * The rules on a snapshot's subjects (`read` reads it again), once every target and grant of it is known.
   * A rule that fails on one subject has no findings on this snapshot, as if it had been checked on the whole
   * snapshot at once. `run`, the run's time bound, is checked every batch of subjects, and each batch has the
   * time bound of a batch of the snapshot's resources: a rule that reaches it has no findings on this snapshot
   * and the LimitError (at the subject's line) is kept in `limits`; the rule still runs on the other inputs.
   */
  subjects(gathered: SnapshotRelations, read: () => Iterable<Resource>, run?: RunDeadline, limits?: UserError[]): void {
    this.store.beginInput();
    const checking = gathered.relating.map(relation => (relation?.hasTargets ? relation : undefined));
    let count = 0;
    for (const subject of read()) {
      if (count++ % SNAPSHOT_BATCH === 0) {
        run?.check();
        this.snapshotBatch?.();
      }
      checking.forEach((relation, i) => {
        if (!relation) return;
        const { rule } = this.relations[i];
        const before = this.problems[i].length;
        let reached: LimitError | undefined;
        isolated(this.problems[i], { file: rule.file }, `evaluate the rule ${rule.name}`, () => {
          try {
            const finding = relation.check(subject);
            if (finding) this.store.add(this.group(i), finding);
          } catch (error) {
            if (!(limits && error instanceof LimitError)) throw error;
            reached = error;
          }
        });
        if (reached) {
          limits!.push(reached);
          checking[i] = undefined;
          this.store.discardInput(this.group(i));
        } else if (this.problems[i].length > before) {
          this.failed.add(i);
          checking[i] = undefined;
          this.store.discardInput(this.group(i));
        }
      });
    }
  }
}

/**
 * What existence conditions keep of a snapshot's resource of a type they look for (inputLoop.ts), which no
 * finding points into: the resource without its text (kept to find positions), its values copied so that they
 * hold no part of the text read around them (a string cut from a larger one keeps the larger one alive).
 * `structuredClone` makes new strings, and is no slower than writing the values out as JSON and reading them
 * back (0.85 to 0.96 of its time on the 20,000 resources of a bench snapshot).
 */
export function detached(resource: Resource): Resource {
  const { id, type, name, json } = structuredClone({
    id: resource.id,
    type: resource.type,
    name: resource.name,
    json: resource.json
  });
  return { ...resource, id, type, name, json, positionOf: () => null };
}
