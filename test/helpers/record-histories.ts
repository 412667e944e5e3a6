import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { OrderStateKey } from '../../src/workflows/search-attributes';

/**
 * When RECORD_HISTORIES_DIR is set, integration runs save the histories of every workflow they drove, one file per
 * distinct path (final state + event-type sequence), for test/unit/replay.test.ts. Re-record after an intended
 * change with `npm run record:histories`; a change that breaks running orders then shows up as a replay failure.
 */
export async function recordHistories(address: string, taskQueue: string): Promise<void> {
  const dir = process.env.RECORD_HISTORIES_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      const shape = (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')) ?? '').join(',');
      const state = wf.typedSearchAttributes.get(OrderStateKey) ?? wf.type;
      const file = join(dir, `${wf.type}-${state}-${createHash('sha256').update(shape).digest('hex').slice(0, 10)}.json`);
      if (!existsSync(file)) writeFileSync(file, historyToJSON(history));
    }
  } finally {
    await connection.close();
  }
}
