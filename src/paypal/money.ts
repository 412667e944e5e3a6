/**
 * Exact decimal arithmetic on PayPal money strings. Amounts are handled as integer minor units so partial refunds
 * and captures add up exactly (floating point would leave 0.01 discrepancies that make "fully refunded"
 * undecidable). The simulator keeps its books with it; the activities sum a payment's captures with it.
 */
import type { Money } from './schemas';

export type { Money };

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

/**
 * The sum of amounts in one currency, exact (`30.00` + `5.5` = `35.50`); undefined when there are none, one is
 * missing (PayPal did not say), they are in several currencies, or one is not a valid amount for its currency.
 */
export function addAmounts(amounts: readonly (Money | undefined)[]): Money | undefined {
  const currency = amounts[0]?.currency_code;
  if (!currency) return undefined;
  let total = 0n;
  for (const a of amounts) {
    const minor = a?.currency_code === currency ? toMinor(a.value, currency) : undefined;
    if (minor === undefined) return undefined;
    total += minor;
  }
  return money(total, currency);
}
