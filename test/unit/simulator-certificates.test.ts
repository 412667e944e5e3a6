// The simulator's PKI: serial numbers must always encode as DER that OpenSSL accepts (a bad one broke 1 cert in ~512).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { certificateSerial, createSimulatorPki } from '../../src/simulator/certificates';

void describe('simulator certificates', () => {
  void it('serials are 16 bytes whose first byte is 0x01..0x7f: positive and minimally encoded, over 20 000 draws', () => {
    for (let i = 0; i < 20_000; i++) {
      const serial = certificateSerial();
      assert.match(serial, /^[0-9a-f]{32}$/);
      const first = Number.parseInt(serial.slice(0, 2), 16);
      assert.ok(first >= 0x01 && first <= 0x7f, `serial ${serial} would be negative or illegally padded`);
    }
  });

  void it('the CA and leaf a fresh simulator PKI mints parse with OpenSSL and carry those serials', () => {
    const pki = createSimulatorPki();
    for (const pem of [pki.caPem, pki.leafPem]) {
      const cert = new X509Certificate(pem);
      assert.match(cert.serialNumber, /^[0-9A-F]{32}$/);
    }
  });
});
