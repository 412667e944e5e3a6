// The byte-range finder verify-webhook-signature uses to recover the exact webhook_event bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findTopLevelValue } from '../../src/simulator/json-span';

const slice = (raw: string, key: string): string | undefined => {
  const buf = Buffer.from(raw, 'utf8');
  const span = findTopLevelValue(buf, key);
  return span && buf.subarray(span.start, span.end).toString('utf8');
};

test('finds nested objects, honouring strings with braces, quotes and escapes', () => {
  const event = '{ "a" : "}{\\"", "b": [1, {"c": "]"}], "d": "é€😀" }';
  assert.equal(slice(`{"x":1,"webhook_event":${event},"y":"z"}`, 'webhook_event'), event);
  assert.equal(slice(`  {\n "webhook_event" :\t${event}\n}  `, 'webhook_event'), event);
});

test('finds literals and strings; a key inside a nested object does not count', () => {
  assert.equal(slice('{"a":{"webhook_event":1},"webhook_event":-1.5e3}', 'webhook_event'), '-1.5e3');
  assert.equal(slice('{"webhook_event":"s\\\\"}', 'webhook_event'), '"s\\\\"');
  assert.equal(slice('{"a":{"webhook_event":1}}', 'webhook_event'), undefined);
});

test('escaped key names are decoded; the last duplicate wins like JSON.parse', () => {
  assert.equal(slice('{"webhook\\u005fevent":true}', 'webhook_event'), 'true');
  assert.equal(slice('{"webhook_event":1,"webhook_event":2}', 'webhook_event'), '2');
});

test('malformed or non-object input gives undefined', () => {
  for (const raw of ['', '[]', '{"webhook_event":', '{"webhook_event":{"a":1}', '{"webhook_event" 1}', '{"a":1 "webhook_event":2}', 'null']) {
    assert.equal(slice(raw, 'webhook_event'), undefined, raw);
  }
});

test('property: the span is exactly the value text, for any JSON and any indentation', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), fc.integer({ min: 0, max: 3 }), (before, value, indent) => {
      const text = JSON.stringify(value, null, indent) ?? 'null';
      const raw = `{"before":${JSON.stringify(before, null, indent)},"webhook_event":${text},"after":"}"}`;
      assert.equal(slice(raw, 'webhook_event'), text);
    }),
  );
});
