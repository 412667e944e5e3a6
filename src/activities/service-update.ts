import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { httpRequest, type HttpResponse } from '../http/request';
import {
  DELIVERY_ID_HEADER,
  formatDeliveryId,
  IDEMPOTENCY_KEY_HEADER,
  SIGNATURE_HEADER,
  serviceUpdateIdempotencyKey,
  signServiceUpdate,
  type ServiceUpdatePayload,
} from '../service-update/contract';
import { metrics } from '../metrics';
import { FAILURE_TYPES } from '../workflows/failure-types';
import { heartbeatWhile } from './heartbeat';

/** Where and how to reach the merchant's service. */
export interface ServiceUpdateTarget {
  url: string;
  secret: string;
  timeoutMs: number;
}

/** The merchant-facing activity: one signed, idempotent POST per order and action. */
export function createServiceUpdateActivities(target: ServiceUpdateTarget) {
  return {
    /**
     * Performs the merchant's service update. 2xx, or 409 ("already done"), is success; other 4xx are permanent;
     * 5xx, timeouts and network errors are retried by the workflow's retry policy with the same idempotency key.
     */
    async updateService(payload: ServiceUpdatePayload): Promise<{ status: number; idempotencyKey: string }> {
      const idempotencyKey = serviceUpdateIdempotencyKey(payload.type, payload.orderId, payload.refundId);
      const body = JSON.stringify(payload);
      const { cancellationSignal: cancelled, info } = Context.current();
      let res: HttpResponse;
      try {
        res = await heartbeatWhile(() => httpRequest(target.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            [IDEMPOTENCY_KEY_HEADER]: idempotencyKey,
            [SIGNATURE_HEADER]: signServiceUpdate(body, target.secret, Math.floor(Date.now() / 1000)),
            [DELIVERY_ID_HEADER]: formatDeliveryId(info.workflowExecution?.runId ?? '-', info.activityId, info.attempt),
          },
          body,
          timeoutMs: target.timeoutMs,
          // Worker shutdown or a cancelled attempt stops the request instead of leaving it to finish unobserved.
          signal: cancelled,
          maxBodyBytes: 4096,
        }));
      } catch (err) {
        metrics.serviceUpdates.inc({ type: payload.type, outcome: 'retryable_failure' });
        if (cancelled.aborted) throw cancelled.reason; // the SDK's CancelledFailure: report the attempt as cancelled
        throw ApplicationFailure.retryable(`service update unreachable: ${(err as Error).message}`, 'ServiceUpdateUnreachable');
      }
      const detail = res.text.slice(0, 500);
      if (res.ok || res.status === 409) {
        metrics.serviceUpdates.inc({ type: payload.type, outcome: 'success' });
        log.info('service update accepted', { orderId: payload.orderId, idempotencyKey, status: res.status });
        return { status: res.status, idempotencyKey };
      }
      const message = `service update answered ${res.status}${detail ? `: ${detail}` : ''}`;
      if (res.status >= 400 && res.status < 500 && ![408, 429].includes(res.status)) {
        metrics.serviceUpdates.inc({ type: payload.type, outcome: 'rejected' });
        throw ApplicationFailure.nonRetryable(message, FAILURE_TYPES.serviceUpdateRejected, { status: res.status });
      }
      metrics.serviceUpdates.inc({ type: payload.type, outcome: 'retryable_failure' });
      throw ApplicationFailure.retryable(message, 'ServiceUpdateFailed', { status: res.status });
    },
  };
}
