// The README is the merchant's manual: these checks keep its configuration and review-reason tables in step with
// the code, so a new variable or review reason cannot ship undocumented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { configSchema } from '../../src/config';
import { REVIEW_REASON_CODES } from '../../src/workflows/order-model';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

/** The first cells of the table rows under the heading of the table that starts with `header`. */
function firstCells(header: string): string[] {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `README has a table starting with ${header}`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|')[1]!.trim());
  }
  return rows;
}

describe('README', () => {
  test('documents every environment variable the product reads', () => {
    const undocumented = Object.keys(configSchema.shape).filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(undocumented, []);
  });

  test('its review-reason table has one row per review reason, and no other', () => {
    const rows = firstCells('| `ReviewReason` |').map((cell) => cell.replace(/`/g, ''));
    assert.deepEqual([...rows].sort(), [...REVIEW_REASON_CODES].sort());
  });
});
