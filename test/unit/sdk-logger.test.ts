import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quietSdkLogger } from '../../src/temporal/sdk-logger';

// Tools that bundle or replay workflows keep the SDK's warnings and errors and drop its chatter.
test('the quiet SDK logger reports warnings and errors only', () => {
  const reported: string[] = [];
  const logger = quietSdkLogger((m) => reported.push(m));
  logger.trace('t');
  logger.debug('d');
  logger.info('i');
  logger.log('INFO', 'li');
  logger.warn('w');
  logger.error('e');
  logger.log('WARN', 'lw');
  logger.log('ERROR', 'le');
  assert.deepEqual(reported, ['w', 'e', 'lw', 'le']);
  assert.doesNotThrow(() => quietSdkLogger().error('dropped without a report function'));
});
