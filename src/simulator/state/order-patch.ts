import { z } from 'zod';
import { invalidRequest, unprocessable } from '../errors';
import { isoSeconds } from '../ids';
import { toMinor } from '../../paypal/money';
import type { SimContext } from './context';
import { moneySchema, requireOrder } from './orders';
import type { PurchaseUnitRecord } from './store';

/** One JSON Patch operation, as PayPal's `patch` schema declares it. */
const patchSchema = z.array(
  z.object({
    op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
    path: z.string().optional(),
    value: z.unknown().optional(),
  }).loose(),
);

/** The purchase-unit fields the simulator patches, with the operations PayPal allows on each. */
const PATCHABLE: Record<string, readonly string[]> = {
  amount: ['replace'],
  custom_id: ['add', 'replace', 'remove'],
  invoice_id: ['add', 'replace', 'remove'],
  description: ['add', 'replace', 'remove'],
};

const UNIT_PATH = /^\/purchase_units\/@reference_id=='([^']+)'\/([a-z_]+)$/;

/**
 * `PATCH /v2/checkout/orders/{id}` (orders.patch), the part a merchant's site uses to change what the buyer pays:
 * `replace` of a purchase unit's `amount`, and `add` / `replace` / `remove` of its `custom_id`, `invoice_id` and
 * `description`, addressed as PayPal documents (`/purchase_units/@reference_id=='default'/amount`). Only a CREATED
 * or APPROVED order can be patched, as PayPal says. Every operation is checked before any is applied, so a refused
 * request changes nothing. PayPal patches more (intent, payer, shipping, items, ...): those paths answer 422
 * NOT_PATCHABLE here, since nothing the product does depends on them.
 */
export function patchOrder(ctx: SimContext, id: string, body: unknown): void {
  const order = requireOrder(ctx, id);
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) throw invalidRequest('INVALID_PARAMETER_SYNTAX', `/${parsed.error.issues[0]!.path.join('/')}`);
  if (order.status !== 'CREATED' && order.status !== 'APPROVED') throw unprocessable('ORDER_ALREADY_COMPLETED');
  const changes = parsed.data.map((operation, i) => planChange(order.purchaseUnits, operation, i));
  for (const change of changes) change();
  order.updateTime = isoSeconds();
}

/** Checks one operation against the order and returns the change it makes (applied once all are checked). */
function planChange(units: PurchaseUnitRecord[], operation: z.infer<typeof patchSchema>[number], index: number): () => void {
  const { op, path, value } = operation;
  if (path === undefined) throw unprocessable('PATCH_PATH_REQUIRED');
  if (!path.startsWith('/')) throw unprocessable('INVALID_JSON_POINTER_FORMAT');
  const match = UNIT_PATH.exec(path);
  if (!match || !PATCHABLE[match[2]!]) throw unprocessable('NOT_PATCHABLE');
  const unit = units.find((u) => u.referenceId === match[1]);
  if (!unit) throw unprocessable('REFERENCE_ID_NOT_FOUND');
  const field = match[2]!;
  if (!PATCHABLE[field]!.includes(op)) throw invalidRequest('INVALID_PATCH_OPERATION', `/${index}/op`, op);
  if (op !== 'remove' && value === undefined) throw unprocessable('PATCH_VALUE_REQUIRED');

  if (field === 'amount') {
    const amount = moneySchema.loose().safeParse(value);
    if (!amount.success) throw invalidRequest('INVALID_PARAMETER_SYNTAX', `/${index}/value`);
    const minor = toMinor(amount.data.value, amount.data.currency_code);
    if (minor === undefined) throw invalidRequest('INVALID_PARAMETER_SYNTAX', `/${index}/value/value`, amount.data.value);
    if (minor <= 0n) throw unprocessable('CANNOT_BE_ZERO_OR_NEGATIVE');
    return () => (unit.amount = { currency_code: amount.data.currency_code, value: amount.data.value });
  }
  const key = field === 'custom_id' ? 'customId' : field === 'invoice_id' ? 'invoiceId' : 'description';
  const present = unit[key] !== undefined;
  // JSON Patch: add only what is absent, replace and remove only what is present (PayPal's INVALID_PATCH_OPERATION).
  if ((op === 'add') === present) throw invalidRequest('INVALID_PATCH_OPERATION', `/${index}/op`, op);
  if (op === 'remove') return () => delete unit[key];
  if (typeof value !== 'string' || value.length < 1 || value.length > 127) throw invalidRequest('INVALID_STRING_LENGTH', `/${index}/value`);
  return () => (unit[key] = value);
}
