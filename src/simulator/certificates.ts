import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A throwaway PKI for the simulator: a CA (handed to the verifier as an extra anchor) and a signing leaf. */
export interface SimulatorPki {
  /** PEM of the simulator's root CA; configure it as `PAYPAL_CA_FILE` content so offline verification trusts it. */
  caPem: string;
  /** PEM of the leaf certificate served at the simulator's cert URL. */
  leafPem: string;
  /** PKCS#8 PEM of the leaf's private key; the simulator signs webhooks with it. Never leaves the process. */
  leafKeyPem: string;
}

/** The subject PayPal's sandbox uses for its message-verification certificate; the simulator mimics sandbox. */
export const SIMULATOR_CERT_SUBJECT = 'messageverificationcerts.sandbox.paypal.com';

/**
 * Issues a fresh CA and leaf for one simulator process. Keys come from Node's crypto (fast, native); node-forge
 * only assembles the X.509 structures, which Node cannot create by itself.
 */
export function createSimulatorPki(validForDays = 365): SimulatorPki {
  const now = new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + validForDays * 24 * 60 * 60 * 1000);

  const caKeys = rsaKeyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = certificateSerial();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caSubject = [{ name: 'commonName', value: 'PayPal Simulator Root CA' }, { name: 'organizationName', value: 'paypal-fulfilment simulator' }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const leafKeys = rsaKeyPair();
  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = certificateSerial();
  leaf.validity.notBefore = notBefore;
  leaf.validity.notAfter = notAfter;
  leaf.setSubject([{ name: 'commonName', value: SIMULATOR_CERT_SUBJECT }, { name: 'organizationName', value: 'paypal-fulfilment simulator' }]);
  leaf.setIssuer(caSubject);
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: SIMULATOR_CERT_SUBJECT }] },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    leafPem: forge.pki.certificateToPem(leaf),
    leafKeyPem: leafKeys.privateKeyPem,
  };
}

function rsaKeyPair(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    privateKeyPem,
  };
}

/**
 * A random 16-byte certificate serial number (hex) that encodes as a minimal, positive DER INTEGER.
 * The first byte is kept in 0x01..0x7f: a high bit would make the integer negative, and a zero first byte
 * followed by a byte below 0x80 is "illegal padding" that OpenSSL refuses to parse (1 cert in ~512 otherwise).
 */
export function certificateSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) || 0x01;
  return bytes.toString('hex');
}
