import type { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { GRPC_STATUS, grpcStatus } from './grpc-status';

/** Temporal's IndexedValueType numbers (temporal.api.enums.v1) for the SDK's search attribute type names. */
const INDEXED_VALUE_TYPE: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

/** What registerSearchAttributes found and did. */
export interface SearchAttributeSetup {
  added: string[];
  existing: string[];
}

/** A search attribute already exists on the cluster with another type: the workflows' upserts would fail. */
export class SearchAttributeConflictError extends Error {
  override readonly name = 'SearchAttributeConflictError';
}

/**
 * Registers the project's search attributes in `namespace` (the embedded dev server does this at start; other
 * clusters need it once). Idempotent: lists what exists, adds only what is missing, and treats a concurrent
 * "already exists" as success. Temporal Cloud manages search attributes through its own console/API instead.
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<SearchAttributeSetup> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing: string[] = [];
  const missing: Record<string, number> = {};
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    const want = INDEXED_VALUE_TYPE[key.type];
    if (want === undefined) throw new Error(`no indexed value type for ${key.type}`);
    const have = customAttributes[key.name] as number | undefined;
    if (have === undefined) missing[key.name] = want;
    else if (have !== want) throw new SearchAttributeConflictError(`search attribute ${key.name} exists with type ${have}, expected ${key.type} (${want})`);
    else existing.push(key.name);
  }
  const added = Object.keys(missing);
  if (added.length > 0) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (err) {
      // Another `ppf setup` (or an admin) added them between our list and add: the end state is what we wanted.
      if (grpcStatus(err) !== GRPC_STATUS.ALREADY_EXISTS) throw err;
    }
  }
  return { added, existing };
}
