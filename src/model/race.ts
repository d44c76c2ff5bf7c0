/**
 * Every sentence cmk-guard writes about a race: a resource written by nested deployments that no dependsOn orders,
 * which ARM runs side by side, so that the resource ends in the state of whichever write completes last
 * (Resource.race). The findings on each end state, the log notes of the expansion, the verdicts past the states
 * evaluated one by one, the relation rules checked in every combination of states and the transition rules on a
 * base that may be in several all say it here, so that they say it alike. Places (`main.json:12`) come formatted.
 */

/** The deployments that race. */
const UNORDERED = 'deployments that no dependsOn orders';
/** How to end the race: either makes ARM run one deployment after the other (ARM's documented implicit dependency). */
const ORDER_THEM = 'Make one deployment depend on the other: dependsOn, or a reference() to it by its name.';
/** What a resource's end state depends on. */
const ORDER = `depends on the order ARM runs ${UNORDERED} in`;

export type RaceWording =
  /** Resource.race of the one state that stands for more than are evaluated (finalStates). */
  | { kind: 'capped state'; name: string; writes: string; count: string; max: number; at: string }
  /** The expansion's note on a resource with more states than are evaluated. */
  | { kind: 'capped note'; id: string; writers: number; max: number }
  /** Resource.race of a state whose write races others (`at` against `racing`). */
  | { kind: 'racing state'; states: number; name: string; at: string; racing: string }
  /** Resource.race of a state whose write races none that may end last itself, though others race. */
  | { kind: 'state'; states: number; name: string; writes: string; at: string }
  /** The expansion's note on a resource that may end in several states, each evaluated. */
  | { kind: 'raced note'; id: string; writes: string; states: number }
  /** Why a state that stands for more than are evaluated is not sure to comply (raceVerdict). */
  | { kind: 'capped verdict' }
  /** Why a relation that holds as listed is not sure past the combinations checked one by one. */
  | { kind: 'capped relation'; max: number }
  /** What a relation finding adds: the states of the other resources in the combination that fails it. */
  | { kind: 'relation states'; endings: { name: string; at: string }[] }
  /** What a transition finding adds when the base may be in several states and the rule holds in some. */
  | { kind: 'base states'; name: string; writes: string; states: number }
  /** Why that transition finding is indeterminate. */
  | { kind: 'base verdict'; name: string };

export function raceWording(w: RaceWording): string {
  switch (w.kind) {
    case 'capped state':
      return (
        `Which state ${w.name} ends in ${ORDER} (it is written at ${w.writes}), and ${w.count} are more than the ` +
        `${w.max} cmk-guard evaluates one by one: this is the state the write at ${w.at} leaves, and a verdict that ` +
        `the resource complies cannot be given. ${ORDER_THEM}`
      );
    case 'capped note':
      return (
        `${w.id} is written by ${w.writers} ${UNORDERED}, leaving more states than the ${w.max} evaluated one by ` +
        `one: its verdicts are indeterminate unless noncompliant.`
      );
    case 'racing state':
      return (
        `This is one of ${w.states} states ${w.name} may end in, and which depends on the order ARM runs deployments ` +
        `in: it is written at ${w.at} and at ${w.racing} by ${UNORDERED}, which ARM runs side by side, and this is ` +
        `the state the write at ${w.at} leaves if it completes last. ${ORDER_THEM}`
      );
    case 'state':
      return (
        `This is one of ${w.states} states ${w.name} may end in, and which ${ORDER} (it is written at ${w.writes}): ` +
        `this is the state the write at ${w.at} leaves if it completes last.`
      );
    case 'raced note':
      return (
        `${w.id} is written at ${w.writes} by ${UNORDERED}, which ARM runs side by side: it may end in any of ` +
        `${w.states} states, and each is evaluated. ${ORDER_THEM}`
      );
    case 'capped verdict':
      return `${ORDER}, with more end states than are evaluated`;
    case 'capped relation':
      return (
        `${ORDER}: the resources this rule relates may end in more than ${w.max} combinations of states, more than ` +
        `are checked`
      );
    case 'relation states':
      return (
        `This is so when ${w.endings.map(e => `${e.name} ends in the state its write at ${e.at} leaves`).join(', and ')}: ` +
        `${UNORDERED} write ${w.endings.length > 1 ? 'them' : 'it'}, and ARM may complete either write last.`
      );
    case 'base states':
      return (
        `In the base, ${w.name} is written at ${w.writes} by ${UNORDERED}, so it may be in any of ${w.states} states, ` +
        `and the rule holds for some of them only.`
      );
    case 'base verdict':
      return `depends on which state the base left ${w.name} in, which depends on the order ARM ran ${UNORDERED} in`;
  }
}
