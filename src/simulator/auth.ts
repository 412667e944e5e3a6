import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerDeps } from './deps';
import { authenticationFailure, oauthError } from './errors';
import { isoSeconds } from './ids';

/** Lifetime PayPal gives access tokens (9 hours). */
const TOKEN_TTL_SECONDS = 32_400;

const SCOPES = [
  'https://uri.paypal.com/services/payments/payment/authcapture',
  'https://uri.paypal.com/services/payments/refund',
  'https://uri.paypal.com/services/applications/webhooks',
  'https://uri.paypal.com/services/payments/realtimepayment',
  'openid',
].join(' ');

/** Paths that need no bearer token: the token endpoint itself and the public certificate download. */
function isPublic(path: string): boolean {
  return path === '/v1/oauth2/token' || path.startsWith('/v1/notifications/certs/') || path.startsWith('/simulator/');
}

function basicCredentials(request: FastifyRequest): { id: string; secret: string } | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/**
 * `POST /v1/oauth2/token` (client credentials over HTTP Basic) and the bearer check on every other PayPal API
 * path. Token errors use the OAuth shape PayPal's token endpoint answers with; API 401s use the REST error shape.
 */
export function registerAuth(app: FastifyInstance, deps: ServerDeps): void {
  const { store } = deps.ctx;

  app.post('/v1/oauth2/token', async (request, reply) => {
    const creds = basicCredentials(request);
    if (!creds || creds.id !== deps.clientId || creds.secret !== deps.clientSecret) {
      throw oauthError(401, 'invalid_client', 'Client Authentication failed');
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (body.grant_type === undefined) throw oauthError(400, 'unsupported_grant_type', 'Grant Type is NULL');
    if (body.grant_type !== 'client_credentials') throw oauthError(400, 'unsupported_grant_type', 'unsupported grant_type');
    const token = `A21AA${randomBytes(48).toString('base64url')}`;
    store.tokens.set(token, Date.now() + TOKEN_TTL_SECONDS * 1000);
    return reply.send({
      scope: SCOPES,
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-80W284485P519543T',
      expires_in: TOKEN_TTL_SECONDS,
      nonce: `${isoSeconds()}${randomBytes(16).toString('base64url')}`,
    });
  });

  // Callback style: a synchronous hook must call done (an async one without await would trip the linter).
  app.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?')[0] ?? '';
    if (isPublic(path)) return done();
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const expiry = token ? store.tokens.get(token) : undefined;
    done(expiry === undefined || expiry < Date.now() ? authenticationFailure() : undefined);
  });
}
