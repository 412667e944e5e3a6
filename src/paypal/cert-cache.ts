/**
 * A small TTL + LRU cache for certificate chains keyed by cert URL.
 *
 * Why a TTL at all: PayPal has served different certificates at the same cert URL over time, so a URL must never
 * be assumed to map to one certificate forever. Why a size bound: the cert URL comes from an (unauthenticated)
 * request header, so the number of distinct keys must not grow with what callers send.
 */

/** Default lifetime of a cached certificate chain: one hour. */
export const DEFAULT_CERT_CACHE_TTL_MS = 60 * 60 * 1000;
/** Default maximum number of cached cert URLs. */
export const DEFAULT_CERT_CACHE_MAX_ENTRIES = 32;

interface Slot<V> {
  value: V;
  expiresAtMs: number;
}

/**
 * Least-recently-used map with a per-entry expiry. Time is passed in by the caller (the verifier's injectable
 * clock), so tests can expire entries without waiting and nothing here reads the wall clock.
 */
export class TtlLruCache<V> {
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used entry first.
  private readonly slots = new Map<string, Slot<V>>();

  /** @param maxEntries upper bound on the number of entries (at least 1). */
  constructor(private readonly maxEntries: number = DEFAULT_CERT_CACHE_MAX_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** The live value for `key` at `nowMs`, refreshing its recency; expired entries are dropped and miss. */
  get(key: string, nowMs: number): V | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (nowMs >= slot.expiresAtMs) {
      this.slots.delete(key);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  /** Stores `value` until `nowMs + ttlMs`, evicting the least recently used entries beyond the size bound. */
  set(key: string, value: V, ttlMs: number, nowMs: number): void {
    this.slots.delete(key);
    if (!(ttlMs > 0)) return; // a zero/negative/NaN TTL means "do not cache"
    this.slots.set(key, { value, expiresAtMs: nowMs + ttlMs });
    while (this.slots.size > this.maxEntries) {
      const oldest = this.slots.keys().next();
      if (oldest.done === true) break;
      this.slots.delete(oldest.value);
    }
  }

  /** Removes `key` if present. */
  delete(key: string): void {
    this.slots.delete(key);
  }

  /** Number of entries held, including ones that expired but were not looked up since. */
  get size(): number {
    return this.slots.size;
  }

  /** The keys in LRU order (least recently used first); for diagnostics and tests. */
  keys(): string[] {
    return [...this.slots.keys()];
  }
}
