// What a Temporal client error means, by its gRPC status (the codes are part of the gRPC spec; @grpc/grpc-js is
// not a direct dependency, so they are named here once).
import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/** The gRPC status codes the project acts on. */
export const GRPC_STATUS = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;

/** Codes that mean "Temporal (or the worker a query needs) did not answer in time": worth a retry. */
const NOT_ANSWERED: ReadonlySet<number> = new Set([GRPC_STATUS.DEADLINE_EXCEEDED, GRPC_STATUS.RESOURCE_EXHAUSTED, GRPC_STATUS.UNAVAILABLE]);

/** The gRPC status of a client error, whether the SDK wrapped it in a ServiceError or not. */
export function grpcStatus(err: unknown): number | undefined {
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : undefined;
  return grpc?.code;
}

/** Whether `err` is Temporal not answering (overloaded, restarting, unreachable, or no worker for a query). */
export function isTemporalUnavailable(err: unknown): boolean {
  const status = grpcStatus(err);
  return status !== undefined && NOT_ANSWERED.has(status);
}
