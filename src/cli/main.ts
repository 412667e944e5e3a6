// `ppf`: the support CLI. Talks to the admin API (same auth, same checks as any other admin client); only
// `ppf setup` talks to Temporal itself.
// Exit codes: 0 done, 1 refused / not found / not verified, 2 usage error, 3 admin API unreachable.
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import { AdminApiClient } from './admin-client';
import { printOrder, printOrderList } from './format';
import { setupCommand } from './setup';
import { verifyWebhookCommand } from './verify-webhook';

const program = new Command('ppf')
  .description('Support and operations CLI for PayPal fulfilment')
  .addOption(new Option('--admin-url <url>', 'admin API base URL').env('PPF_ADMIN_URL').default('http://127.0.0.1:3001'))
  .addOption(new Option('--token <token>', 'admin bearer token').env('ADMIN_TOKEN'))
  .option('--json', 'machine-readable JSON output')
  .showHelpAfterError()
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

function client(): AdminApiClient {
  const opts = program.opts<{ adminUrl: string; token?: string }>();
  return new AdminApiClient(opts.adminUrl, opts.token);
}

function json(): boolean {
  return program.opts<{ json?: boolean }>().json === true;
}

/** Runs an admin API call, maps HTTP outcomes to exit codes, prints with `render` on success. */
async function run(method: 'GET' | 'POST', path: string, body: unknown, render: (body: Record<string, unknown>) => void, headers?: Record<string, string>): Promise<void> {
  // A decision whose answer never came may still be applied: its key, sent again, gets the outcome.
  const key = headers?.['idempotency-key'];
  const repeatHint = () => key && !json() && console.error(`to get its outcome, run the same command again with --idempotency-key ${key}`);
  let res;
  try {
    res = await client().call(method, path, body, headers);
  } catch (err) {
    console.error(`admin API unreachable at ${program.opts<{ adminUrl: string }>().adminUrl}: ${(err as Error).message}`);
    repeatHint();
    process.exit(3);
  }
  if (json()) console.log(JSON.stringify(res.body, null, 2));
  if (res.status >= 200 && res.status < 300) {
    if (!json()) render(res.body);
    return;
  }
  if (!json()) console.error(`${res.status} ${text(res.body.error)}: ${text(res.body.message)}`);
  if (res.status >= 500) repeatHint();
  process.exit(res.status === 400 ? 2 : 1);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
}

const orders = program.command('orders').description('inspect orders');
orders
  .command('list')
  .description('list orders (from Temporal visibility), optionally by state and review reason')
  .option('--state <state>', 'e.g. needs_review, payment_pending, fulfilled')
  .option('--reason <code>', 'orders in review for this reason, e.g. service_update_failed, amount_mismatch')
  .option('--limit <n>', 'at most this many', '50')
  .action(async (o: { state?: string; reason?: string; limit: string }) => {
    const qs = new URLSearchParams({ limit: o.limit, ...(o.state ? { state: o.state } : {}), ...(o.reason ? { reason: o.reason } : {}) });
    await run('GET', `/orders?${qs.toString()}`, undefined, printOrderList);
  });
orders
  .command('show <orderId>')
  .description('state, amounts, review reason, decisions and timeline of one order')
  .action(async (orderId: string) => run('GET', `/orders/${encodeURIComponent(orderId)}`, undefined, printOrder));

program
  .command('register <orderId>')
  .description('register an order before payment: its workflow polls PayPal even if no webhook ever arrives')
  .option('--amount <value>', 'expected amount, e.g. 25.00 (only this amount is captured; another goes to review uncaptured)')
  .option('--currency <code>', 'ISO currency of --amount', 'USD')
  .option('--reference <ref>', "the merchant's own order reference")
  .action(async (orderId: string, o: { amount?: string; currency: string; reference?: string }) =>
    run(
      'POST',
      '/orders',
      { orderId, ...(o.amount ? { amount: { value: o.amount, currency_code: o.currency } } : {}), ...(o.reference ? { merchantReference: o.reference } : {}) },
      (b) => console.log(`registered: order ${orderId} (${text(b.workflowId)})`),
    ),
  );

for (const decision of ['approve', 'retry', 'reject'] as const) {
  const help = {
    approve: 'fulfil an order in review as if payment were confirmed (recorded as a human override); an amount left uncaptured is captured first',
    retry: 're-verify with PayPal and re-run the failed step now',
    reject: 'close the order without fulfilment',
  }[decision];
  program
    .command(`${decision} <orderId>`)
    .description(help)
    .requiredOption('--reason <text>', 'why (recorded in the order history)')
    .addOption(new Option('--actor <name>', 'who decides').env('PPF_ACTOR').default(process.env.USER ?? 'support'))
    .option('--idempotency-key <key>', 'repeat an earlier call with its key to get its outcome instead of deciding again (default: a new key)')
    .action(async (orderId: string, o: { reason: string; actor: string; idempotencyKey?: string }) =>
      run(
        'POST',
        `/orders/${encodeURIComponent(orderId)}/${decision}`,
        { reason: o.reason, actor: o.actor },
        (b) => console.log(`${decision}: order ${orderId} is now ${String(b.state)}`),
        { 'idempotency-key': o.idempotencyKey ?? randomUUID() },
      ),
    );
}

program
  .command('verify-webhook')
  .description('explain whether a captured PayPal webhook request verifies, and exactly why not')
  .requiredOption('--headers <file>', 'request headers: JSON object or raw "Name: value" lines')
  .requiredOption('--body <file>', 'the raw request body, byte for byte')
  .requiredOption('--webhook-id <id>', 'the webhook ID the merchant configured at PayPal')
  .option('--cert <file>', 'use this PEM instead of fetching the PAYPAL-CERT-URL')
  .option('--at <time>', 'verify as of this ISO time (default now)')
  .addOption(new Option('--env <env>', 'PayPal environment').choices(['live', 'sandbox', 'simulator']))
  .option('--ca <file...>', 'extra trust anchors (PEM)')
  .action(async (o: { headers: string; body: string; webhookId: string; cert?: string; at?: string; env?: 'live' | 'sandbox' | 'simulator'; ca?: string[] }) => {
    const code = await verifyWebhookCommand(
      { headersFile: o.headers, bodyFile: o.body, webhookId: o.webhookId, certFile: o.cert, at: o.at, environment: o.env, caFile: o.ca, json: json() },
      (line) => console.log(line),
    );
    process.exit(code);
  });

program
  .command('setup')
  .description('prepare an existing Temporal cluster: register search attributes, ensure the webhook sweep schedule')
  .addOption(new Option('--task-queue <queue>', "the workers' task queue").env('TEMPORAL_TASK_QUEUE'))
  .option('--no-schedule', 'register search attributes only')
  .action(async (o: { taskQueue?: string; schedule: boolean }) => {
    // Talks to Temporal directly (not the admin API): it runs before the product does, with Temporal's own env.
    const code = await setupCommand({ taskQueue: o.taskQueue, schedule: o.schedule, json: json() }, (line) => console.log(line), (line) => console.error(line));
    process.exit(code);
  });

program.parseAsync().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(2);
});
