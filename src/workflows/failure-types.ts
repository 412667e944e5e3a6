/**
 * The `ApplicationFailure` types activities throw for permanent failures (and for polls that read nothing new), and the
 * workflow reacts to. One list, imported by both sides (this file has no I/O, so workflow code may import it).
 */
export const FAILURE_TYPES = {
  /** PayPal does not know the order (404): retrying cannot help; support must look. */
  paypalOrderNotFound: 'PayPalOrderNotFound',
  /** PayPal refused the capture (400/422, e.g. not approved, instrument declined). */
  paypalCaptureRejected: 'PayPalCaptureRejected',
  /** The merchant's service refused the update (4xx other than 408/409/429). */
  serviceUpdateRejected: 'ServiceUpdateRejected',
  /**
   * Not a failure: PayPal still holds the capture as PENDING. The poll activity fails with it (retryable, BENIGN,
   * with the next gap of the poll schedule as its retry delay) so Temporal's retries do the polling.
   */
  captureStillPending: 'CaptureStillPending',
  /** Not a failure: the order's payment status at PayPal is still the one the order holds (same handling). */
  paymentUnchanged: 'PaymentUnchanged',
} as const;
