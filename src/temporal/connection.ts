import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';

/**
 * Connection options for a Temporal cluster. For a configured cluster (TEMPORAL_ADDRESS) they come from
 * `@temporalio/envconfig`, so TLS, mTLS and API keys (Temporal Cloud) work from the standard TEMPORAL_* variables
 * or the profile file; the embedded dev server needs only its address.
 */
export function temporalConnectionOptions(address: string, external: boolean): NativeConnectionOptions {
  if (!external) return { address };
  const { connectionOptions } = loadClientConnectConfig();
  return { ...connectionOptions, address };
}
