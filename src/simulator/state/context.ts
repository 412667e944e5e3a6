import type { SimEventType } from '../events';
import { PayPalHttpError } from '../errors';
import type { Json } from './render';
import type { SimulatorStore } from './store';

/** What state operations need: the store, the public base URL (for links) and a way to emit webhook events. */
export interface SimContext {
  store: SimulatorStore;
  baseUrl(): string;
  emit(type: SimEventType, resource: Json, orderId: string | undefined): void;
}

/** The answer of a state-changing API call, pre-serialised so idempotent replays are byte-identical. */
export interface ApiAnswer {
  statusCode: number;
  body: string;
}

/** A control-API error (not a PayPal API error: the simulator's own endpoints use a simple shape). */
export function controlError(statusCode: number, message: string): PayPalHttpError {
  return new PayPalHttpError(statusCode, { name: 'SIMULATOR_CONTROL_ERROR', message });
}
