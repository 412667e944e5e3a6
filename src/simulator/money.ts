/**
 * Exact decimal arithmetic on PayPal money strings. Amounts are handled as integer minor units so partial refunds
 * add up exactly (floating point would leave 0.01 discrepancies that make "fully refunded" undecidable).
 */

/** A PayPal `money` object. */
export interface Money {
  currency_code: string;
  value: string;
}

const ZERO_DECIMAL_CURRENCIES = new Set(['HUF', 'JPY', 'TWD']);

/** Number of decimals PayPal uses for a currency (0 for JPY/HUF/TWD, else 2). */
export function currencyDecimals(currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

/** Parses a money value into minor units; undefined when it is not a valid non-negative amount for the currency. */
export function toMinor(value: string, currency: string): bigint | undefined {
  const decimals = currencyDecimals(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return undefined;
  return BigInt(match[1]! + fraction.padEnd(decimals, '0'));
}

/** Formats minor units back into a PayPal money value string. */
export function fromMinor(minor: bigint, currency: string): string {
  const decimals = currencyDecimals(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(decimals + 1, '0');
  const whole = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${whole}` : whole;
}

/** Builds a money object from minor units. */
export function money(minor: bigint, currency: string): Money {
  return { currency_code: currency, value: fromMinor(minor, currency) };
}

/** A plausible PayPal fee (2.99% + 0.49, rounded half up), so breakdowns look real and net = gross - fee holds. */
export function feeFor(grossMinor: bigint): bigint {
  // Minor units, so the fixed part is 0.49 for two-decimal currencies and 49 for zero-decimal ones: fine for a fake.
  const fee = (grossMinor * 299n + 5000n) / 10000n + 49n;
  return fee > grossMinor ? grossMinor : fee;
}
