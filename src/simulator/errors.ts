import { debugId } from './ids';

/** One entry of PayPal's error `details` array. */
export interface PayPalErrorDetail {
  issue: string;
  description?: string;
  field?: string;
  value?: string;
  location?: 'body' | 'path' | 'query';
}

/**
 * An error answer in PayPal's shape. Thrown from route handlers; the server's error handler serialises it.
 * `body` is exactly what the client receives, so tests can validate it against the spec's error schemas.
 */
export class PayPalHttpError extends Error {
  override readonly name = 'PayPalHttpError';
  constructor(
    readonly statusCode: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${statusCode}`);
  }
}

// Messages and issue descriptions are copied from the `enum`s in PayPal's OpenAPI error schemas, because the
// spec pins them and clients (and our conformance tests) may compare them.
const MESSAGES = {
  INVALID_REQUEST: 'Request is not well-formed, syntactically incorrect, or violates schema.',
  AUTHENTICATION_FAILURE: 'Authentication failed due to missing authorization header, or invalid authentication credentials.',
  RESOURCE_NOT_FOUND: 'The specified resource does not exist.',
  UNPROCESSABLE_ENTITY: 'The requested action could not be performed, semantically incorrect, or failed business validation.',
  INTERNAL_SERVER_ERROR: 'An internal server error occurred.',
  RATE_LIMIT_REACHED: 'Too many requests. Blocked due to rate limiting.',
} as const;

/** Issue descriptions PayPal's spec fixes for the issues the simulator raises. */
export const ISSUE_DESCRIPTIONS: Record<string, string> = {
  INVALID_RESOURCE_ID: 'Specified resource ID does not exist. Please check the resource ID and try again.',
  MISSING_REQUIRED_PARAMETER: 'A required parameter is missing.',
  INVALID_PARAMETER_VALUE: 'A parameter value is not valid.',
  INVALID_PARAMETER_SYNTAX: 'The value of a field does not conform to the expected format.',
  MALFORMED_REQUEST_JSON: 'The request JSON is not well formed.',
  ORDER_NOT_APPROVED:
    "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid `payment_source` in the request.",
  ORDER_ALREADY_CAPTURED: "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
  ORDER_ALREADY_AUTHORIZED: 'Order already authorized.If \'intent=AUTHORIZE\' only one authorization per order is allowed.',
  ACTION_DOES_NOT_MATCH_INTENT:
    'Order was created with an intent to \'AUTHORIZE\'. Please use v2/checkout/orders/order_id/authorize to complete the transaction or alternately Create an order with an intent of \'CAPTURE\'.',
  CAPTURE_FULLY_REFUNDED: 'The capture has already been fully refunded',
  REFUND_CAPTURE_CURRENCY_MISMATCH: 'Refund must be in the same currency as the capture',
  REFUND_NOT_ALLOWED: 'Capture cannot be refunded.',
  REFUND_AMOUNT_EXCEEDED: 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.',
  PENDING_CAPTURE:
    'Cannot initiate a refund as the capture is pending. Capture is typically pending when the payer has funded the transaction by using an e-check or bank account.',
  AUTHORIZATION_VOIDED: 'A voided authorization cannot be captured or reauthorized.',
  AUTHORIZATION_ALREADY_CAPTURED: 'Authorization has been previously captured and hence cannot be voided.',
  AUTH_CAPTURE_CURRENCY_MISMATCH: 'Currency of capture must be the same as currency of authorization.',
  MAX_CAPTURE_AMOUNT_EXCEEDED:
    'Capture amount exceeds allowable limit. Please contact customer service or your account manager to request the change to your overage limit. The default overage limit is 115%, which allows the sum of all captures to be up to 115% of the order amount. The ability to over capture is subjected to regulatory approvals.',
  // orders.patch
  ORDER_ALREADY_COMPLETED: 'The order cannot be patched after it is completed.',
  PATCH_PATH_REQUIRED: "Please specify a 'path' for the field for which the operation needs to be performed.",
  PATCH_VALUE_REQUIRED: "Please specify a 'value' to for the field that is being patched.",
  INVALID_JSON_POINTER_FORMAT:
    'Path should be a valid JSON Pointer https://tools.ietf.org/html/rfc6901 that references a location within the request where the operation is performed.',
  NOT_PATCHABLE: 'Cannot be patched.',
  REFERENCE_ID_NOT_FOUND: 'Filter expression value is incorrect. Please check the value of the reference_id and try again.',
  INVALID_PATCH_OPERATION:
    "The operation cannot be honored. Cannot add a property that's already present, use replace. Cannot remove a property thats not present, use add. Cannot replace a property thats not present, use add.",
  CANNOT_BE_ZERO_OR_NEGATIVE: 'Must be greater than zero. If the currency supports decimals, only two decimal place precision is supported.',
  INVALID_STRING_LENGTH: 'The value of a field is either too short or too long',
};

function informationLink(name: string): { href: string; rel: string; method: 'GET' }[] {
  return [{ href: `https://developer.paypal.com/api/rest/reference/orders/v2/errors/#${name}`, rel: 'information_link', method: 'GET' }];
}

function detail(issue: string, extra: Omit<PayPalErrorDetail, 'issue'> = {}): PayPalErrorDetail {
  const description = ISSUE_DESCRIPTIONS[issue];
  return { ...extra, issue, ...(description ? { description } : {}) };
}

function error(status: number, name: keyof typeof MESSAGES, details?: PayPalErrorDetail[]): PayPalHttpError {
  return new PayPalHttpError(status, {
    name,
    ...(details ? { details } : {}),
    message: MESSAGES[name],
    debug_id: debugId(),
    links: informationLink(details?.[0]?.issue ?? name),
  });
}

/** 404 RESOURCE_NOT_FOUND with issue INVALID_RESOURCE_ID, as PayPal answers for an unknown order/capture/refund. */
export function notFound(id: string): PayPalHttpError {
  return error(404, 'RESOURCE_NOT_FOUND', [detail('INVALID_RESOURCE_ID', { field: 'id', value: id, location: 'path' })]);
}

/**
 * 422 UNPROCESSABLE_ENTITY with one issue (e.g. ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED), described as PayPal
 * describes it; `description` where one operation's spec words the same issue differently.
 */
export function unprocessable(issue: string, description?: string): PayPalHttpError {
  return error(422, 'UNPROCESSABLE_ENTITY', [description ? { issue, description } : detail(issue)]);
}

/** 400 INVALID_REQUEST with one issue about a body field (JSON pointer in `field`). */
export function invalidRequest(issue: string, field: string, value?: string): PayPalHttpError {
  return error(400, 'INVALID_REQUEST', [detail(issue, { field, location: 'body', ...(value === undefined ? {} : { value }) })]);
}

/** 401 AUTHENTICATION_FAILURE: missing or unknown bearer token. */
export function authenticationFailure(): PayPalHttpError {
  return error(401, 'AUTHENTICATION_FAILURE');
}

/** 500 INTERNAL_SERVER_ERROR (used by fault injection). */
export function internalServerError(): PayPalHttpError {
  return error(500, 'INTERNAL_SERVER_ERROR');
}

/** 429 RATE_LIMIT_REACHED (used by fault injection). */
export function rateLimitReached(): PayPalHttpError {
  return error(429, 'RATE_LIMIT_REACHED');
}

/** An OAuth-style error (`{error, error_description}`), which is what PayPal's token endpoint answers. */
export function oauthError(statusCode: number, errorCode: string, description: string): PayPalHttpError {
  return new PayPalHttpError(statusCode, { error: errorCode, error_description: description });
}
