import { Context, log } from '@temporalio/activity';
import { httpRequest, type HttpResponse } from '../http/request';
import { metrics } from '../metrics';

/** Alerting for orders that need a human. */
export function createAlertActivities(opts: { alertWebhookUrl?: string }) {
  return {
    /**
     * Always logs; also POSTs a Slack-compatible JSON message when ALERT_WEBHOOK_URL is set. Failing to alert
     * must not block the order, so a failed POST is retried a few times by the activity options, then dropped.
     */
    async raiseReviewAlert(alert: { orderId: string; workflowId: string; code: string; message: string }): Promise<void> {
      log.warn('order needs review', alert);
      // Count once per review, not once per retry of a failing alert POST.
      if (Context.current().info.attempt === 1) metrics.reviewsEntered.inc({ reason: alert.code });
      if (!opts.alertWebhookUrl) return;
      const text = `PayPal order ${alert.orderId} needs review (${alert.code}): ${alert.message}. Workflow: ${alert.workflowId}`;
      const cancelled = Context.current().cancellationSignal;
      let res: HttpResponse;
      try {
        res = await httpRequest(opts.alertWebhookUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ text, ...alert }),
          timeoutMs: 10_000,
          signal: cancelled,
          maxBodyBytes: 4096,
        });
      } catch (err) {
        if (cancelled.aborted) throw cancelled.reason; // the SDK's CancelledFailure: report the attempt as cancelled
        throw err;
      }
      if (!res.ok) throw new Error(`alert webhook answered ${res.status}`);
    },
  };
}
