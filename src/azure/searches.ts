/**
 * The searches that widen what plan, deploy and the live commands look at beyond the lists Azure Policy itself
 * gives: the management groups below a management group (Management Groups API), the subscriptions under it and
 * the pack's assignments and exemptions anywhere in them (Resource Graph). A Resource Manager that does not offer
 * one of those APIs (it answers 404, 405 or 501, or 400 with a code that says the API, its version or the query is
 * unknown there: an Azure Stack Hub, a proxy, an emulator) leaves that part unsearched: the run goes on with what
 * Azure Policy listed and says, in the plan's notes and the log, what it did not search and what follows from it,
 * instead of failing where every list it must read succeeded. A refusal (401, 403), throttling or a failure (429,
 * 5xx, the network) still stops the run, and so does any other 400: Resource Graph answers one for a search it
 * serves but will not run (`TooManySubscriptionsUnderScope` past 18,000 subscriptions), and a prune that went on
 * without that search would leave the pack assigned where it was.
 */
import { ArmError } from './errors.js';

/** The statuses of an API the endpoint does not offer. */
const NOT_OFFERED = new Set([404, 405, 501]);

/**
 * The codes of a 400 that says the endpoint does not know the API, its version or the query cmk-guard sends
 * (Resource Graph's own is `BadRequest` with `InvalidQuery` in its details).
 */
const UNKNOWN_THERE =
  /^(?:NoRegisteredProviderFound|InvalidResourceType|InvalidResourceNamespace|InvalidApiVersionParameter|UnsupportedApiVersion|InvalidQuery)$/i;

/** Whether `error` is the endpoint saying it does not offer an API (rather than a refusal or a failure). */
export function notOffered(error: unknown): boolean {
  if (!(error instanceof ArmError) || error.status === undefined) return false;
  if (NOT_OFFERED.has(error.status)) return true;
  if (error.status !== 400) return false;
  if (error.code !== undefined && UNKNOWN_THERE.test(error.code)) return true;
  // ARM's reader puts the details after "Details:", each "code: message", the last "code" alone when it says no more.
  return /^BadRequest$/i.test(error.code ?? '') && /\bDetails: (?:.*; )?InvalidQuery(?::|;|$)/.test(error.armMessage);
}

export class Searches {
  /** What was not searched, once each, in the order met. */
  readonly notes: string[] = [];

  constructor(private readonly onNote: (note: string) => void = () => undefined) {}

  /**
   * `read()`, or `fallback` when the endpoint does not offer it. `what` names what was searched for, and
   * `consequence` says what follows when it is not (a sentence).
   */
  async widen<T>(what: string, consequence: string, read: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!notOffered(error)) throw error;
      const note = `Not searched: ${what}, because ${(error as ArmError).message.replace(/\.$/, '')}. ${consequence}`;
      if (!this.notes.includes(note)) {
        this.notes.push(note);
        this.onNote(note);
      }
      return fallback;
    }
  }
}
