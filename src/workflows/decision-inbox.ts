// Support decisions on their way into an order's run: the approve / retry / reject signals (and the Updates that
// recorded runs hold) are checked and queued here, and the order's loop takes them one at a time (order.ts).
// Workflow code: no I/O, no Node built-ins.
import { condition, log, setHandler } from '@temporalio/workflow';
import { decisionRefusal, DecisionRequests, requestIdOf, type DecisionOutcome } from './decision-requests';
import { decisionSignals, decisionUpdates, type DecisionInput } from './messages';
import type { OrderBehaviour } from './order-behaviour';
import type { OrderData, ReviewDecision } from './order-machine';
import { decision, validateDecision } from './order-inputs';

/** The decisions waiting for one order's loop, and what became of those sent with a request ID. */
export class DecisionInbox {
  /** Outcomes of the requests (the admin API's decisions), shown by the status query and carried across continue-as-new. */
  readonly requests: DecisionRequests;
  private readonly pending: ReviewDecision[] = [];
  /** Decisions without a request ID that the order's state refused when they arrived (see take). */
  private readonly refusedOnArrival = new WeakSet<ReviewDecision>();
  /** Decisions the loop has taken: what a recorded run's Update waits for. */
  private takenCount: number;

  constructor(
    private readonly orderId: string,
    private readonly behaviour: Pick<OrderBehaviour, 'judgeUnrequestedDecisionsWhenTaken'>,
    /** The order as the run holds it now. */
    private readonly order: () => OrderData,
    carried?: [string, DecisionOutcome][],
  ) {
    this.requests = new DecisionRequests(carried);
    this.takenCount = order().decisions.length;
  }

  /** True while a decision waits for the loop. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** Registers the handlers of the decision signals, and of the decision Updates that recorded runs hold. */
  listen(): void {
    for (const kind of ['approve', 'retry', 'reject'] as const) {
      setHandler(decisionSignals[kind], (d) => {
        const requestId = requestIdOf(d);
        if (requestId !== undefined && this.requests.has(requestId)) return; // a repeat: the first one's outcome stands
        // A decision is judged against the order's state when the loop takes it, never here: the state a handler
        // sees depends on how the SDK groups a task's events, which can differ between a worker and its replay
        // (docs/decisions.md). So the handler checks the input only, and writes nothing to history.
        const onArrival = decisionRefusal(kind, d, this.order()); // the input, then the state it arrives in
        const judgedWhenTaken = requestId !== undefined || this.behaviour.judgeUnrequestedDecisionsWhenTaken !== false;
        const refusal = judgedWhenTaken ? decisionRefusal(kind, d) : onArrival;
        if (!refusal) {
          if (requestId !== undefined) this.requests.queued(requestId);
          const queued = decision(kind, d);
          if (requestId === undefined && onArrival) this.refusedOnArrival.add(queued); // read only by runs from before the patch (take)
          this.pending.push(queued);
          return;
        }
        if (requestId !== undefined) this.requests.refused(requestId, refusal); // the admin API reads it from the status query
        log.warn('support decision signal ignored', { orderId: this.orderId, decision: kind, state: this.order().state, reason: refusal.message });
      });
      setHandler(
        decisionUpdates[kind],
        async (d) => {
          const target = this.takenCount + this.pending.length + 1;
          this.pending.push(decision(kind, d));
          await condition(() => this.takenCount >= target);
          return { state: this.order().state };
        },
        { validator: (d: DecisionInput) => validateDecision(kind, d, this.order()) },
      );
    }
  }

  /**
   * The next decision for the machine, which records it if the order's state allows it. Undefined when none waits,
   * or when a run recorded before decisions without a request ID were judged when taken
   * (judgeUnrequestedDecisionsWhenTaken says no) drops one its state refused on arrival, as it did then. The switch
   * is asked for every such decision, whatever its state on arrival: that state is what a replay may see differently.
   */
  take(): ReviewDecision | undefined {
    const next = this.pending.shift();
    if (!next) return undefined;
    const whenTaken = this.behaviour.judgeUnrequestedDecisionsWhenTaken;
    if (next.requestId === undefined && whenTaken !== false && !whenTaken() && this.refusedOnArrival.has(next)) {
      this.takenCount++;
      log.warn('support decision signal ignored', { orderId: this.orderId, decision: next.decision, state: this.order().state });
      return undefined;
    }
    return next;
  }

  /** The machine took `taken`, turning the order `before` into `after`: keeps the request's outcome, logs a refusal. */
  settled(taken: ReviewDecision, before: OrderData, after: OrderData): void {
    this.takenCount++;
    this.requests.settled(taken, after, before.state);
    if (after.decisions.length === before.decisions.length) log.warn('support decision refused', { orderId: this.orderId, decision: taken.decision, state: before.state });
  }
}
