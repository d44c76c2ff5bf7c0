/**
 * The inputs of a run, each evaluated as it is read: a template as soon as it is expanded, a snapshot a
 * batch of resources at a time, a live scope at once. Findings go to a `FindingStore` in the report's order.
 * When a definition's existence condition looks among other resources, every input is held instead, and
 * evaluated by `evaluateHeld` once all are read, as those resources may be in any of them.
 */
import type { CompiledDefinition } from '../engine/index.js';
import type { UserError } from '../model/errors.js';
import { EvaluationDeadline, LimitError, type RunDeadline } from '../model/limits.js';
import type { ProgressReport } from '../model/progress.js';
import type { Resource } from '../model/resource.js';
import type { Value } from '../model/value.js';
import type { Exception } from '../exceptions/model.js';
import { declaresInlineExceptions, inlineExceptions } from '../exceptions/inline.js';
import { loadRuleTooling } from '../rules/tooling.js';
import type { FindingStore } from '../report/store.js';
import { loadResourceSnapshot, readResourceSnapshot } from '../sources/index.js';
import {
  countEvaluated,
  evaluateInput,
  SNAPSHOT_BATCH,
  type EvaluatedInput,
  type InputEvaluation
} from './evaluateInput.js';
import { isolated } from './isolated.js';
import { append } from '../model/lists.js';
import { detached, type RelationPass } from './relationPass.js';
import { foldCase } from '../model/foldCase.js';

export interface InputLoopOptions {
  definitions: CompiledDefinition[];
  /** Parameter values per definition (the configuration's overrides). */
  parameters: Record<string, Record<string, Value>>;
  store: FindingStore;
  /** The store's group of a definition's findings, by its name. */
  definitionGroup: (name: string) => number;
  relations: RelationPass;
  /** Keep every resource read (`resources`), for transition rules. */
  keepResources: boolean;
  /** The workspace: inline exceptions name files relative to it. */
  cwd: string;
  clock?: () => number;
  /** The run's time bound: checked before each input, and each batch of a snapshot. */
  run?: RunDeadline;
  progress?: ProgressReport;
}

export class InputLoop {
  /** Every resource read, in order, when `keepResources` is set. */
  readonly resources: Resource[] = [];
  /** Evaluation problems (time bounds, failing definitions), in the order met. */
  readonly problems: UserError[] = [];
  /** Exceptions written in the templates, and the errors in them. */
  readonly inline = { exceptions: [] as Exception[], errors: [] as UserError[] };
  private readonly declaringInline: Resource[] = [];
  /** Resources given a verdict so far. */
  resourceCount = 0;
  /** Existence conditions may find a resource of any input: then every input is read first, and held. */
  readonly holdsInputs: boolean;
  /**
   * The types existence conditions look for, when each names its type: then a held snapshot keeps only its
   * resources of those types, and is read again to be evaluated a batch at a time. Null: every resource held.
   */
  private readonly relatedTypes: Set<string> | null;
  private readonly heldInputs: (EvaluatedInput | HeldSnapshot)[] = [];
  private readonly heldDeployments: EvaluatedInput[] = [];

  constructor(private readonly options: InputLoopOptions) {
    this.holdsInputs = options.definitions.some(d => d.readsRelated);
    const types = options.definitions.map(d => d.relatedTypes);
    this.relatedTypes = this.holdsInputs && !types.includes(null) ? new Set(types.flatMap(t => t ?? [])) : null;
  }

  /** A template, as soon as it is expanded: evaluated, related, and let go (unless held). */
  template(template: { file: string; resources: Resource[] }): void {
    this.options.run?.check();
    // Read once every template is (`readInline`): checking them needs ajv, loaded only for a run that has some.
    for (const resource of template.resources)
      if (declaresInlineExceptions(resource)) this.declaringInline.push(resource);
    const input = { file: template.file, resources: template.resources };
    if (this.options.keepResources) append(this.resources, template.resources);
    if (this.holdsInputs) {
      this.heldInputs.push(input);
      this.heldDeployments.push(input);
      return;
    }
    this.options.store.beginInput();
    const deadline = this.deadline(input.file);
    const outcome = evaluateInput(input, this.evaluation(undefined), deadline, this.problems, new Set());
    this.resourceCount += countEvaluated(template.resources);
    this.relate(template.resources, outcome, deadline);
  }

  /**
   * The relation rules on one deployment, within the time bound of its file's evaluation (`deadline`, the one its
   * definitions had): a file whose evaluation stopped, or stops now, is the file's error without its findings.
   */
  private relate(resources: Resource[], outcome: 'evaluated' | 'stopped', deadline: EvaluationDeadline): void {
    const { relations, store, run } = this.options;
    if (outcome === 'stopped') {
      store.discardInput();
      return;
    }
    try {
      relations.deployment(resources, { deadline, run });
    } catch (error) {
      if (!(error instanceof LimitError)) throw error;
      this.problems.push(error);
      store.discardInput();
    }
  }

  /**
   * A snapshot (`file` as named, `full` its path): read whole and held when inputs are held, else evaluated
   * as it is read. Throws (a UserError) when it cannot be read, with nothing of it kept.
   */
  snapshot(file: string, full: string): void {
    this.options.run?.check();
    if (this.holdsInputs && this.relatedTypes && !this.options.keepResources) {
      this.heldInputs.push(heldSnapshot(file, full, this.relatedTypes));
      return;
    }
    if (this.holdsInputs) {
      const snapshot = loadResourceSnapshot(full);
      if (this.options.keepResources) append(this.resources, snapshot);
      this.heldInputs.push({ file, resources: snapshot });
      this.heldDeployments.push({ file, resources: snapshot });
      return;
    }
    // Streamed, its resources are kept as they are read when transition rules need them (once: not read whole first).
    this.streamSnapshot(file, full);
  }

  /** A live scope's resources (`file` names the scope): no relation rules, as it is no deployment. */
  live(input: EvaluatedInput): void {
    this.options.run?.check();
    if (this.options.keepResources) append(this.resources, input.resources);
    if (this.holdsInputs) {
      this.heldInputs.push(input);
      return;
    }
    this.options.store.beginInput();
    evaluateInput(input, this.evaluation(undefined), this.deadline(input.file), this.problems, new Set());
    this.resourceCount += countEvaluated(input.resources);
  }

  /** The templates' inline exceptions and the mistakes in them, into `inline`, once every template is read. */
  async readInline(): Promise<void> {
    if (this.declaringInline.length === 0) return;
    await loadRuleTooling();
    const found = inlineExceptions(this.declaringInline.splice(0), this.options.cwd);
    append(this.inline.exceptions, found.exceptions);
    append(this.inline.errors, found.errors);
  }

  /** The held inputs, once every input is read: each with every other's resources as candidates. */
  evaluateHeld(): void {
    if (!this.holdsInputs) return;
    const related: Resource[] = [];
    const offsets = new Map<HeldSnapshot, number>();
    for (const input of this.heldInputs) {
      if ('candidates' in input) {
        offsets.set(input, related.length);
        append(related, input.candidates);
      } else for (const resource of input.resources) if (!resource.existing) related.push(resource);
    }
    // Relation rules see the deployments in the order they were read: the templates (held) before the snapshots.
    for (const deployment of this.heldDeployments) {
      this.options.run?.check();
      this.options.store.beginInput();
      this.relate(deployment.resources, 'evaluated', this.deadline(deployment.file));
    }
    for (const input of this.heldInputs) {
      if ('candidates' in input) {
        // Read again: an error now (the file changed since) is the snapshot's, as reading it the first time.
        isolated(this.problems, { file: input.file }, `read the snapshot ${input.file}`, () =>
          this.streamSnapshot(input.file, input.full, { related, offset: offsets.get(input)!, at: input.at })
        );
        continue;
      }
      this.options.run?.check();
      this.options.store.beginInput();
      evaluateInput(input, this.evaluation(related), this.deadline(input.file), this.problems, new Set());
      this.resourceCount += countEvaluated(input.resources);
      this.options.progress?.('evaluating resources', this.resourceCount);
    }
  }

  private evaluation(related: Resource[] | undefined): InputEvaluation {
    const { definitions, parameters, store, definitionGroup } = this.options;
    return {
      definitions,
      parameters,
      related,
      add: finding => store.add(definitionGroup(finding.definition), finding)
    };
  }

  private deadline(file: string): EvaluationDeadline {
    return new EvaluationDeadline(file, this.options.clock);
  }

  /**
   * A snapshot, a batch of resources at a time as it is read: its findings are taken back if the file
   * turns out not to be a snapshot after all (an error near its end), as if it had been read whole first.
   */
  private streamSnapshot(
    file: string,
    full: string,
    held?: { related: Resource[]; offset: number; at: Map<number, number> }
  ): void {
    const { store, definitionGroup, progress } = this.options;
    store.beginInput();
    const problems: UserError[] = [];
    const spoiled = new Set<CompiledDefinition>();
    const relating = this.options.relations.snapshot({ file, clock: this.options.clock });
    const keptBefore = this.resources.length;
    let count = 0;
    let stopped = false;
    let batch: Resource[] = [];
    const flush = () => {
      this.options.run?.check();
      if (!stopped && batch.length) {
        const before = spoiled.size;
        const outcome = evaluateInput(
          { file, resources: batch },
          this.evaluation(held && relatedFor(held, batch, count - batch.length)),
          this.deadline(file),
          problems,
          spoiled
        );
        if (outcome === 'stopped') {
          stopped = true;
          store.discardInput();
        } else if (spoiled.size > before) {
          // A definition that failed on this batch has no verdicts on this snapshot at all.
          for (const definition of [...spoiled].slice(before)) store.discardInput(definitionGroup(definition.name));
        }
      }
      batch = [];
      progress?.('evaluating resources', this.resourceCount + count);
    };
    try {
      for (const resource of readResourceSnapshot(full)) {
        count++;
        relating?.add(resource);
        if (this.options.keepResources) this.resources.push(resource);
        batch.push(resource);
        if (batch.length >= SNAPSHOT_BATCH) flush();
      }
      flush();
    } catch (error) {
      store.discardInput();
      this.resources.length = keptBefore;
      throw error;
    }
    append(this.problems, problems);
    this.resourceCount += count;
    if (relating?.hasTargets)
      this.options.relations.subjects(relating, () => readResourceSnapshot(full), this.options.run, this.problems);
  }
}

/** A snapshot held for existence conditions: its resources of the types they look for, and where each was. */
interface HeldSnapshot {
  file: string;
  full: string;
  /** Its resources of the related types, detached from the text they were read from, in its order. */
  candidates: Resource[];
  /** Each candidate's place among `candidates`, by its place in the snapshot. */
  at: Map<number, number>;
}

/** Reads a snapshot whole and keeps its candidates for existence conditions; throws (nothing kept) when it cannot be read. */
function heldSnapshot(file: string, full: string, types: Set<string>): HeldSnapshot {
  const candidates: Resource[] = [];
  const at = new Map<number, number>();
  let index = 0;
  for (const resource of readResourceSnapshot(full)) {
    if (!resource.existing && types.has(foldCase(resource.type))) {
      at.set(index, candidates.length);
      candidates.push(detached(resource));
    }
    index++;
  }
  return { file, full, candidates, at };
}

/**
 * The related resources for one batch of a held snapshot (its first resource at `first` in the snapshot): the
 * batch's own resources in their candidates' places, so that a resource is the very one it is compared with
 * among the related ones.
 */
function relatedFor(
  held: { related: Resource[]; offset: number; at: Map<number, number> },
  batch: Resource[],
  first: number
): Resource[] {
  const related = held.related.slice();
  batch.forEach((resource, i) => {
    const place = held.at.get(first + i);
    if (place !== undefined) related[held.offset + place] = resource;
  });
  return related;
}
