import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Failed-authentication limits of the admin API. */
export interface AuthLimits {
  /** Failures allowed per client address within `windowMs` before it gets 429s. */
  maxFailures: number;
  windowMs: number;
  /** Addresses remembered at most (oldest forgotten first), so a flood of addresses cannot exhaust memory. */
  maxTracked: number;
}

const DEFAULT_LIMITS: AuthLimits = { maxFailures: 10, windowMs: 60_000, maxTracked: 10_000 };

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` check with failed-attempt limiting. Both sides are hashed first so the
 * comparison is constant-time whatever the presented token's length. Hand-written rather than
 * @fastify/rate-limit because only *failures* should count: support tooling polling with a good token must
 * never be throttled, while guessing tokens must be.
 */
export function bearerAuth(token: string, limits: AuthLimits = DEFAULT_LIMITS, now: () => number = Date.now) {
  const expected = createHash('sha256').update(token).digest();
  const failures = new Map<string, { count: number; windowStart: number }>();

  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = req.ip;
    const t = now();
    const entry = failures.get(key);
    if (entry && t - entry.windowStart >= limits.windowMs) failures.delete(key);
    const current = failures.get(key);
    if (current && current.count >= limits.maxFailures) {
      const retryAfterS = Math.ceil((current.windowStart + limits.windowMs - t) / 1000);
      await reply
        .code(429)
        .header('Retry-After', String(Math.max(1, retryAfterS)))
        .send({ error: 'too_many_failed_authentications', message: 'too many failed authentications from this address; retry later' });
      return;
    }

    const header = req.headers.authorization;
    const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : '';
    const digest = createHash('sha256').update(presented).digest();
    if (presented && timingSafeEqual(digest, expected)) return;

    if (current) current.count++;
    else {
      if (failures.size >= limits.maxTracked) failures.delete(failures.keys().next().value!);
      failures.set(key, { count: 1, windowStart: t });
    }
    req.log.warn({ remoteAddress: key }, 'admin request rejected: bad or missing bearer token');
    await reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'unauthorized', message: 'a valid Authorization: Bearer token is required' });
  };
}
