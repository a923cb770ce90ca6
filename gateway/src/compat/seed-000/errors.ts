import { describeError } from "@imagegen/errors";
import { renderErrorEnvelope } from "../../rest/error-envelope.ts";

/** Seed 000 leaves the error shape open: it uses the documented REST envelope and table status. */
export function renderSeed000Error(error: unknown, requestId: string) {
  const described = describeError(error);
  return {
    status: described.row.httpStatus,
    body: renderErrorEnvelope(described, requestId),
    retryAfterSeconds: described.retryAfterSeconds,
  };
}
