// Properties of the order machine under realistic delivery: PayPal's truth moves through the snapshots a real order
// goes through, webhook hints arrive in any order, duplicated or dropped, interleaved with reconciliation polls.
// A small pure driver plays the workflow (order.ts) against a simulated PayPal and a simulated merchant service.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  CURRENT_MACHINE_OPTIONS,
  captureStillPending,
  decisionAllowed,
  hasReconciliationTimer,
  isFinal,
  newOrder,
  paymentStatus,
  paymentUnchanged,
  transition,
  type Command,
  type MachineInput,
  type MachineOptions,
  type OrderData,
  type OrderState,
  type PaymentTruth,
  type ReviewDecisionKind,
} from '../../src/workflows/order-machine';

const FC = { seed: 20261122, numRuns: 400 } as const;
const CAPTURED_CENTS = 1000;
const usd = (cents: number) => ({ value: (cents / 100).toFixed(2), currency_code: 'USD' });

/** One order's story at PayPal, and how the merchant's service behaves. */
interface Story {
  buyer: 'approves' | 'voids' | 'never';
  /** What PayPal answers when we capture. */
  captureOutcome: 'COMPLETED' | 'PENDING' | 'DECLINED';
  /** What a PENDING capture later becomes (eCheck clears, review denies), if anything. */
  pendingSettles: 'COMPLETED' | 'DECLINED' | 'never';
  /** Refunds (or chargeback reversals) PayPal records after the payment. */
  refunds: ('partial' | 'full' | 'reversal')[];
  service: { failures: number; permanent: boolean };
}

/** PayPal's side of one order: external events move it, and so does our capture. */
class PayPal {
  orderStatus = 'CREATED';
  capture?: { id: string; status: string };
  refunds: { id: string; cents: number }[] = [];
  constructor(
    private readonly story: Story,
    private readonly emit: (eventType: string) => void,
  ) {}

  /** What verifyPayment/captureOrder return: Orders v2 read, normalised. */
  truth(): PaymentTruth {
    const refunded = this.refunds.reduce((sum, r) => sum + r.cents, 0);
    const refundState = refunded === 0 ? undefined : refunded >= CAPTURED_CENTS ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    return {
      orderStatus: this.orderStatus,
      ...(this.capture ? { capture: { id: this.capture.id, status: refundState ?? this.capture.status, amount: usd(CAPTURED_CENTS) } } : {}),
      ...(this.refunds.length ? { refunds: this.refunds.map((r) => ({ id: r.id, status: 'COMPLETED', amount: usd(r.cents) })) } : {}),
    };
  }

  /** Our capture_order; like the activity, it captures only an order PayPal shows approved (false otherwise). */
  captureOrder(): boolean {
    if (this.orderStatus !== 'APPROVED') return false;
    this.orderStatus = 'COMPLETED';
    this.capture = { id: 'CAP1', status: this.story.captureOutcome };
    this.emit(`PAYMENT.CAPTURE.${this.story.captureOutcome === 'DECLINED' ? 'DENIED' : this.story.captureOutcome}`);
    return true;
  }

  /** The story's external events in order; each is a no-op when PayPal's state does not allow it. */
  externalEvents(): { afterPayment: boolean; happen: () => void }[] {
    const s = this.story;
    const events: { afterPayment: boolean; happen: () => void }[] = [];
    if (s.buyer === 'approves') events.push({ afterPayment: false, happen: () => this.move(this.orderStatus === 'CREATED', () => (this.orderStatus = 'APPROVED'), 'CHECKOUT.ORDER.APPROVED') });
    if (s.buyer === 'voids') events.push({ afterPayment: false, happen: () => this.move(this.orderStatus === 'CREATED', () => (this.orderStatus = 'VOIDED'), 'CHECKOUT.PAYMENT-APPROVAL.REVERSED') });
    if (s.captureOutcome === 'PENDING' && s.pendingSettles !== 'never') {
      const to = s.pendingSettles;
      events.push({ afterPayment: false, happen: () => this.move(this.capture?.status === 'PENDING', () => (this.capture!.status = to), `PAYMENT.CAPTURE.${to === 'COMPLETED' ? 'COMPLETED' : 'DENIED'}`) });
    }
    for (const kind of s.refunds) {
      events.push({
        afterPayment: true,
        happen: () => {
          const left = CAPTURED_CENTS - this.refunds.reduce((sum, r) => sum + r.cents, 0);
          const cents = kind === 'partial' ? Math.min(400, left) : left;
          const type = kind === 'reversal' ? 'PAYMENT.CAPTURE.REVERSED' : 'PAYMENT.CAPTURE.REFUNDED';
          this.move(this.capture?.status === 'COMPLETED' && cents > 0, () => this.refunds.push({ id: `R${this.refunds.length + 1}`, cents }), type);
        },
      });
    }
    return events;
  }

  private move(allowed: boolean, change: () => void, eventType: string): void {
    if (!allowed) return;
    change();
    this.emit(eventType);
  }
}

/** One simulated order workflow. */
interface Sim {
  data: OrderData;
  paypal: PayPal;
  service: { failuresLeft: number; permanent: boolean };
  /** Successful merchant calls: "order.paid", "order.refunded R1", ... */
  delivered: string[];
  paidAttempts: number;
  /** Webhook event types PayPal has sent so far (any of them may be (re)delivered later). */
  happened: string[];
  /** Ordered run only: sent and not yet delivered. */
  queue: string[];
  clock: number;
  /** The behaviour switches the workflow passes (see MachineOptions). */
  options: MachineOptions;
}

function newSim(story: Story, options: MachineOptions): Sim {
  const sim: Sim = {
    data: newOrder('ORDER1', { autoCapture: true, now: '2026-01-01T00:00:00.000Z' }),
    paypal: undefined as unknown as PayPal,
    service: { failuresLeft: story.service.failures, permanent: story.service.permanent },
    delivered: [],
    paidAttempts: 0,
    happened: [],
    queue: [],
    clock: 0,
    options,
  };
  sim.paypal = new PayPal(story, (eventType) => {
    sim.happened.push(eventType);
    sim.queue.push(eventType);
  });
  return sim;
}

// ---- The driver: mirrors apply()/execute() in src/workflows/order.ts, with activities replaced by the simulations.

function apply(sim: Sim, input: MachineInput): void {
  const result = transition(sim.data, input, new Date(Date.UTC(2026, 0, 1) + ++sim.clock * 1000).toISOString(), sim.options);
  sim.data = result.data;
  for (const command of result.commands) execute(sim, command, input);
}

function execute(sim: Sim, command: Command, cause: MachineInput): void {
  switch (command.type) {
    case 'verify_payment':
      return apply(sim, { type: 'truth', truth: sim.paypal.truth() });
    // One read of a retried poll: an answer that is not news fails the attempt (the next poll step is the retry).
    case 'await_capture_settled': {
      const truth = sim.paypal.truth();
      return captureStillPending(truth) ? undefined : apply(sim, { type: 'truth', truth });
    }
    case 'await_payment_change': {
      const truth = sim.paypal.truth();
      return sim.data.truth && paymentUnchanged(paymentStatus(sim.data.truth), truth) ? undefined : apply(sim, { type: 'truth', truth });
    }
    case 'capture_order':
      // The activity re-reads the order and captures it only if approved; either way it returns the order as it is.
      sim.paypal.captureOrder();
      return apply(sim, { type: 'truth', truth: sim.paypal.truth() });
    case 'update_service': {
      // Property (c), checked on every command of every run: money first, then the merchant.
      const paidAtPayPal = sim.paypal.truth().capture?.status === 'COMPLETED';
      const fromTruth = cause.type === 'truth' && cause.truth.capture?.status === 'COMPLETED' && paidAtPayPal;
      assert.ok(fromTruth || cause.type === 'decision', `update_service caused by ${cause.type} while PayPal shows ${JSON.stringify(sim.paypal.truth())}`);
      sim.paidAttempts++;
      if (sim.service.permanent) return apply(sim, { type: 'service_update_failed', message: 'HTTP 422', permanent: true });
      if (sim.service.failuresLeft > 0) {
        sim.service.failuresLeft--; // one failed activity = Temporal's retries exhausted
        return apply(sim, { type: 'service_update_failed', message: 'HTTP 503', permanent: false });
      }
      sim.delivered.push('order.paid');
      return apply(sim, { type: 'service_update_succeeded' });
    }
    case 'notify_refund':
      assert.ok(sim.paypal.refunds.some((r) => r.id === command.refundId), `notify_refund for unknown refund ${command.refundId}`);
      sim.delivered.push(`${command.kind} ${command.refundId}`);
      return apply(sim, { type: 'refund_notified', refundId: command.refundId });
    case 'alert_review':
      return;
  }
}

/** What arrives at the workflow's main loop. */
type Step = { kind: 'hints'; picks: number[] } | { kind: 'poll' } | { kind: 'deadline' } | { kind: 'decide'; decision: ReviewDecisionKind };

/** Mirrors order.ts's main loop: nothing after a final state, timers only in timer states, validated decisions. */
function deliver(sim: Sim, step: Step): void {
  if (isFinal(sim.data.state)) return;
  switch (step.kind) {
    case 'hints':
      // No dedupe by event ID here (order.ts has one): the machine itself must shrug off duplicates.
      if (sim.happened.length > 0) {
        const eventTypes = step.picks.map((p) => sim.happened[p % sim.happened.length]!);
        // Like the intake: a capture event's resource ID is the capture (PayPal's sim has one, CAP1).
        const completedCaptureIds = eventTypes.filter((t) => t === 'PAYMENT.CAPTURE.COMPLETED').map(() => sim.paypal.capture!.id);
        apply(sim, { type: 'webhooks_received', eventTypes, completedCaptureIds });
      }
      return;
    case 'poll':
    case 'deadline':
      if (hasReconciliationTimer(sim.data.state)) apply(sim, { type: step.kind === 'poll' ? 'poll_due' : 'deadline_passed' });
      return;
    case 'decide':
      if (decisionAllowed(sim.data, step.decision)) apply(sim, { type: 'decision', decision: { decision: step.decision, actor: 'ana', reason: 'prop', at: '2026-01-02T00:00:00.000Z' } });
      return;
  }
}

/** The reconciliation timer firing until the order stops waiting (bounded: a truth that never settles keeps it waiting). */
function settle(sim: Sim): void {
  for (let i = 0; i < 10 && !isFinal(sim.data.state) && hasReconciliationTimer(sim.data.state); i++) deliver(sim, { kind: 'poll' });
}

/** Ordered, exactly-once delivery: each webhook right after its event, then the timer. */
function runOrdered(story: Story, options: MachineOptions): Sim {
  const sim = newSim(story, options);
  for (const event of sim.paypal.externalEvents()) {
    event.happen();
    while (sim.queue.length > 0) deliver(sim, { kind: 'hints', picks: [sim.happened.indexOf(sim.queue.shift()!)] });
    settle(sim);
  }
  return sim;
}

/**
 * Each external event, then that phase's arbitrary steps (hints for any event so far: stale, duplicated, reordered,
 * or missing), then the timer. PayPal moves on only after the timer had its chance, as in production, where
 * reconciliation polls run minutes apart and refunds come days later.
 */
function runScheduled(story: Story, phases: { steps: Step[]; redeliverAt: number }[], options: MachineOptions): Sim {
  const sim = newSim(story, options);
  sim.paypal.externalEvents().forEach((event, i) => {
    const before = sim.happened.length;
    event.happen();
    const steps = [...(phases[i]?.steps ?? [])];
    // A fulfilled order has no reconciliation timer: it learns of a refund only from a webhook, so an event after
    // payment is delivered at least once (PayPal redelivers for 3 days). Hints before payment may all be lost.
    if (event.afterPayment && sim.happened.length > before) steps.splice((phases[i]?.redeliverAt ?? 0) % (steps.length + 1), 0, { kind: 'hints', picks: [before] });
    for (const step of steps) deliver(sim, step);
    settle(sim);
  });
  return sim;
}

const outcome = (sim: Sim) => ({ state: sim.data.state, delivered: [...sim.delivered].sort() });

// ---- Arbitraries.

/** Picks a constant with the given relative weights. */
const weighted = <T>(...choices: [number, T][]): fc.Arbitrary<T> => fc.oneof(...choices.map(([weight, v]) => ({ weight, arbitrary: fc.constant(v) })));

// Settling stories are mostly paid ones (where exactly-once matters); unsettled ones never show a completed capture.
const storyArb = (opts: { settles: boolean }): fc.Arbitrary<Story> =>
  fc.record({
    buyer: opts.settles ? weighted<Story['buyer']>([6, 'approves'], [1, 'voids'], [1, 'never']) : weighted<Story['buyer']>([3, 'approves'], [1, 'voids'], [1, 'never']),
    captureOutcome: opts.settles ? weighted<Story['captureOutcome']>([4, 'COMPLETED'], [3, 'PENDING'], [1, 'DECLINED']) : weighted<Story['captureOutcome']>([1, 'PENDING'], [1, 'DECLINED']),
    pendingSettles: opts.settles ? weighted<Story['pendingSettles']>([3, 'COMPLETED'], [1, 'DECLINED'], [1, 'never']) : weighted<Story['pendingSettles']>([1, 'DECLINED'], [1, 'never']),
    refunds: weighted<Story['refunds']>([2, []], [1, ['full']], [1, ['partial']], [1, ['partial', 'full']], [1, ['partial', 'partial', 'full']]),
    service: fc.record({ failures: fc.nat({ max: 3 }), permanent: weighted([4, false], [1, true]) }),
  });

const stepArb = (extra: Step[]): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('hints' as const), picks: fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 3 }) }) },
    { weight: 3, arbitrary: fc.constant<Step>({ kind: 'poll' }) },
    // Deadlines and humans are rare next to hints and polls (a deadline before any poll would cancel most orders).
    ...(extra.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...extra) }] : []),
  );

const scheduleArb = (extra: Step[] = []) =>
  fc.array(fc.record({ steps: fc.array(stepArb(extra), { maxLength: 6 }), redeliverAt: fc.nat({ max: 6 }) }), { minLength: 6, maxLength: 6 });

const DEADLINE: Step = { kind: 'deadline' };
const decide = (decision: ReviewDecisionKind): Step => ({ kind: 'decide', decision });
const EVERYTHING = [DEADLINE, decide('approve'), decide('retry'), decide('reject')];

// ---- Properties.

// Every property holds for the first order workflow type, for orderWorkflowV2's switches, and for every switch on
// (orderWorkflowV4, whose polls are retried activities that hand the machine only news: the driver's poll step is
// one attempt). refundAnnouncementGrace has its own tests in order-machine.test.ts: this driver does not play its timer.
const OPTION_SETS: [string, MachineOptions][] = [
  ['as orderWorkflow runs', {}],
  ['as orderWorkflowV2 runs', { skipKnownCaptureHints: true, retryRefundNotices: true, captureOnApprovalHint: true }],
  ['as orderWorkflowV4 runs (polls retried)', { ...CURRENT_MACHINE_OPTIONS, refundAnnouncementGrace: false }],
];
for (const [label, options] of OPTION_SETS) {
  describe(`order machine properties (simulated PayPal and merchant service), ${label}`, () => {
    test('(a) hints in any order, duplicated or dropped, among polls, converge to the ordered outcome', () => {
      const refundsOnly = storyArb({ settles: true }); // reversal classification needs refund IDs in hints: order-machine.test.ts
      fc.assert(
        fc.property(refundsOnly, scheduleArb(), (story, phases) => {
          assert.deepEqual(outcome(runScheduled(story, phases, options)), outcome(runOrdered(story, options)));
        }),
        FC,
      );
    });

    test('(b) at most one successful order.paid per order, at most one notification per refund, under any schedule', () => {
      fc.assert(
        fc.property(storyArb({ settles: true }), scheduleArb(EVERYTHING), (story, phases) => {
          const sim = runScheduled(story, phases, options);
          assert.ok(sim.delivered.filter((d) => d === 'order.paid').length <= 1, sim.delivered.join(', '));
          const refundIds = sim.delivered.filter((d) => d !== 'order.paid').map((d) => d.split(' ')[1]);
          assert.equal(new Set(refundIds).size, refundIds.length, sim.delivered.join(', '));
        }),
        FC,
      );
    });

    test('(c) no update_service before PayPal shows a completed capture, unless a human decided', () => {
      // The check itself lives in execute(); this property drives it through every kind of step.
      fc.assert(
        fc.property(storyArb({ settles: true }), scheduleArb(EVERYTHING), (story, phases) => {
          const sim = runScheduled(story, phases, options);
          if (!sim.paypal.capture || sim.paypal.capture.status !== 'COMPLETED') {
            assert.ok(sim.paidAttempts === 0 || sim.data.decisions.length > 0, 'service called for an unpaid order without a human');
          }
        }),
        FC,
      );
    });

    test('(d) an order whose truth never settles never reaches fulfilling or fulfilled', () => {
      const noApprove = [DEADLINE, decide('retry'), decide('reject')]; // a human approve is the one deliberate override
      fc.assert(
        fc.property(storyArb({ settles: false }), scheduleArb(noApprove), (story, phases) => {
          const sim = runScheduled(story, phases, options);
          const visited = new Set<OrderState>(sim.data.timeline.map((t) => t.state));
          assert.ok(!visited.has('fulfilling') && !visited.has('fulfilled'), [...visited].join(' → '));
          assert.equal(sim.paidAttempts, 0);
        }),
        FC,
      );
    });

    test('ordered delivery reaches the expected end of each typical story', () => {
      const base: Story = { buyer: 'approves', captureOutcome: 'COMPLETED', pendingSettles: 'never', refunds: [], service: { failures: 0, permanent: false } };
      const cases: [Partial<Story>, OrderState, string[]][] = [
        [{}, 'fulfilled', ['order.paid']],
        [{ service: { failures: 3, permanent: false } }, 'fulfilled', ['order.paid']],
        [{ service: { failures: 0, permanent: true } }, 'needs_review', []],
        [{ refunds: ['partial', 'full'] }, 'revoked', ['order.paid', 'order.refunded R1', 'order.refunded R2']],
        [{ captureOutcome: 'PENDING', pendingSettles: 'COMPLETED' }, 'fulfilled', ['order.paid']],
        [{ captureOutcome: 'PENDING', pendingSettles: 'DECLINED' }, 'cancelled', []],
        [{ captureOutcome: 'PENDING' }, 'payment_pending', []],
        [{ captureOutcome: 'DECLINED' }, 'cancelled', []],
        [{ buyer: 'voids' }, 'cancelled', []],
        [{ buyer: 'never' }, 'awaiting_payment', []],
      ];
      for (const [patch, state, delivered] of cases) {
        assert.deepEqual(outcome(runOrdered({ ...base, ...patch }, options)), { state, delivered: [...delivered].sort() }, JSON.stringify(patch));
      }
    });
  });
}
