import { crc32 } from 'node:zlib';

/**
 * The string PayPal signs for a webhook transmission:
 * `transmissionId|transmissionTime|webhookId|crc32(raw body)`, where the CRC-32 (IEEE, as zlib computes it) is
 * taken over the body bytes exactly as received and written as an unsigned decimal. Re-serialising the JSON
 * before hashing is the classic cause of failed verifications, so this only ever takes the raw bytes.
 */
export function webhookSignedMessage(parts: {
  transmissionId: string;
  transmissionTime: string;
  webhookId: string;
  rawBody: Buffer;
}): string {
  const bodyCrc = crc32(parts.rawBody) >>> 0;
  return `${parts.transmissionId}|${parts.transmissionTime}|${parts.webhookId}|${bodyCrc}`;
}
