// Support decisions: whether one can be taken, and, for those sent as signals with a request ID (the admin API's),
// what became of each, so the API can answer its caller and a repeat is never applied twice. Workflow code: no I/O,
// no Node built-ins; the admin API uses the same rules to refuse at once what the order would refuse.
import type { DecisionInput } from './messages';
import { decisionAllowed, type OrderData, type OrderState, type ReviewDecision, type ReviewDecisionKind } from './order-machine';

/** What became of one decision request, as the status query shows it. */
export type DecisionOutcome =
  | { status: 'pending' }
  | { status: 'applied'; state: OrderState }
  | { status: 'refused'; type: string; message: string };

/** Why a decision was refused: its failure type (DecisionNotAllowed, InvalidDecision) and a message for people. */
export interface DecisionRefusal {
  type: string;
  message: string;
}

/** A decision names who made it and why; a request ID, when there is one, is a short string. */
function validDecision(d: DecisionInput | undefined): d is DecisionInput {
  return (
    typeof d?.actor === 'string' && d.actor.trim() !== '' && typeof d.reason === 'string' && d.reason.trim() !== '' &&
    (d.requestId === undefined || requestIdOf(d) !== undefined)
  );
}

/** Longest decision request ID: `<decision>:<Idempotency-Key>` fits. */
export const MAX_REQUEST_ID_LENGTH = 200;

/** The request ID a decision carries, when it is a valid one (a string of at most MAX_REQUEST_ID_LENGTH). */
export function requestIdOf(d: DecisionInput | undefined): string | undefined {
  return typeof d?.requestId === 'string' && d.requestId.length <= MAX_REQUEST_ID_LENGTH ? d.requestId : undefined;
}

/** Why support's decision cannot be taken (in the order's state `data`, when given), or undefined when it can. */
export function decisionRefusal(kind: ReviewDecisionKind, d: DecisionInput | undefined, data?: OrderData): DecisionRefusal | undefined {
  if (!validDecision(d)) return { type: 'InvalidDecision', message: 'a decision needs a non-empty actor and reason' };
  if (data && !decisionAllowed(data, kind)) return { type: 'DecisionNotAllowed', message: `${kind} is not allowed in state ${data.state}` };
  return undefined;
}

/** Outcomes kept, newest last: far more than support sends to one order, few enough for every status query. */
const MAX_KEPT = 100;

/** The outcomes of one order's decision requests, by request ID. Carried across continue-as-new. */
export class DecisionRequests {
  private readonly outcomes: Map<string, DecisionOutcome>;

  constructor(carried: [string, DecisionOutcome][] = []) {
    this.outcomes = new Map(carried);
  }

  /** True when a request with this ID arrived before: a repeat, whose first outcome stands. */
  has(requestId: string): boolean {
    return this.outcomes.has(requestId);
  }

  /** The request was queued for the state machine. */
  queued(requestId: string): void {
    this.set(requestId, { status: 'pending' });
  }

  /** The request was refused on arrival. */
  refused(requestId: string, refusal: DecisionRefusal): void {
    this.set(requestId, { status: 'refused', ...refusal });
  }

  /**
   * The machine took the decision: applied if it recorded it, else refused (not allowed in `before`, the state the
   * decision met). Returns the outcome, undefined for a decision without a request ID.
   */
  settled(decision: ReviewDecision, data: OrderData, before: OrderState): DecisionOutcome | undefined {
    const id = decision.requestId;
    if (id === undefined) return undefined;
    const outcome: DecisionOutcome = data.decisions.some((d) => d.requestId === id)
      ? { status: 'applied', state: data.state }
      : { status: 'refused', type: 'DecisionNotAllowed', message: `${decision.decision} is not allowed in state ${before}` };
    this.set(id, outcome);
    return outcome;
  }

  /** Every kept outcome by request ID (the status view). */
  view(): Record<string, DecisionOutcome> {
    return Object.fromEntries(this.outcomes);
  }

  /** The kept outcomes, for continue-as-new. */
  carry(): [string, DecisionOutcome][] {
    return [...this.outcomes];
  }

  private set(requestId: string, outcome: DecisionOutcome): void {
    this.outcomes.delete(requestId);
    this.outcomes.set(requestId, outcome);
    if (this.outcomes.size > MAX_KEPT) this.outcomes.delete(this.outcomes.keys().next().value!);
  }
}
