// The issuer of PayPal's signing certificate, fetched from the certificate's own "CA Issuers" address (its Authority
// Information Access extension) when PayPal's cert URL serves the leaf alone and the issuer is neither served nor
// shipped: what browsers do for a server that omits its intermediate. So a PayPal certificate renewed under another
// intermediate of its CA keeps verifying without a release. Trust is unchanged: the fetched certificate is only a
// candidate link, and the chain must still end at a trusted root.
import { X509Certificate } from 'node:crypto';
import { fetchCertificateBytes, type CertFetchOptions } from './cert-fetch';

/** CA hosts whose issuer addresses may be fetched (`PAYPAL_CA_ISSUER_HOSTS`): DigiCert's, PayPal's CA. */
export const DEFAULT_CA_ISSUER_HOSTS: readonly string[] = ['cacerts.digicert.com'];

/**
 * The certificate's CA Issuers address, when it is plain http(s) on one of `allowedHosts` (`host` or `host:port`,
 * compared exactly); undefined otherwise, and then nothing is fetched.
 */
export function caIssuerUrl(cert: X509Certificate, allowedHosts: readonly string[]): URL | undefined {
  for (const line of (cert.infoAccess ?? '').split('\n')) {
    const match = /^CA Issuers - URI:(\S+)$/.exec(line.trim());
    if (!match?.[1]) continue;
    let url: URL;
    try {
      url = new URL(match[1]);
    } catch {
      continue;
    }
    // http is the norm for these addresses (RFC 5280): the certificate's signature, not the transport, protects it.
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && allowedHosts.includes(url.host)) return url;
  }
  return undefined;
}

/** Downloads an issuer certificate (DER, as CAs serve them, or PEM) with the cert URL's guards; returns it as PEM. */
export async function fetchIssuerPem(url: URL, opts: CertFetchOptions = {}): Promise<string> {
  const bytes = await fetchCertificateBytes(url, 'application/pkix-cert, application/x-x509-ca-cert, */*;q=0.1', opts);
  try {
    return new X509Certificate(bytes).toString();
  } catch (err) {
    throw new Error(`issuer certificate at ${url.href} does not parse: ${(err as Error).message}`);
  }
}
