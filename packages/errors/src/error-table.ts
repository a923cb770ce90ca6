import { getOption } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ErrorReason, ErrorReasonSchema, error_spec } from "@imagegen/proto/imagegen/v1/errors_pb";

/** One row of the error table, read from the `error_spec` options in proto/imagegen/v1/errors.proto. */
export interface ErrorRow {
  readonly reason: ErrorReason;
  /** The public code, e.g. "RATE_LIMITED" (the enum value name without its prefix). */
  readonly name: string;
  readonly code: Code;
  readonly httpStatus: number;
  /** The seed-004 envelope `error.type`. */
  readonly type: string;
}

const PREFIX = "ERROR_REASON_";

// Built once at load from the descriptor: the contract is the only place the table is written.
const rows = new Map<ErrorReason, ErrorRow>();
const byName = new Map<string, ErrorRow>();
for (const value of ErrorReasonSchema.values) {
  const spec = getOption(value, error_spec);
  const row: ErrorRow = {
    reason: value.number as ErrorReason,
    name: value.name.startsWith(PREFIX) ? value.name.slice(PREFIX.length) : value.name,
    // google.rpc.Code and Connect's Code share their numbers by design.
    code: spec.code as number as Code,
    httpStatus: spec.httpStatus,
    type: spec.type,
  };
  if (row.httpStatus === 0) throw new Error(`errors.proto: ${value.name} has no error_spec`);
  rows.set(row.reason, row);
  byName.set(row.name, row);
}

/** The table row of a reason; unknown numbers fall back to INTERNAL. */
export function errorRow(reason: ErrorReason): ErrorRow {
  return rows.get(reason) ?? (rows.get(ErrorReason.INTERNAL) as ErrorRow);
}

/** The row for a public code name such as "RATE_LIMITED", if there is one. */
export function errorRowByName(name: string): ErrorRow | undefined {
  return byName.get(name);
}

/** Every row, in enum order (for docs and tests). */
export function allErrorRows(): ErrorRow[] {
  return [...rows.values()];
}

/** The reason used when an error carries none of ours: derived from the Connect code alone. */
export function reasonForCode(code: Code): ErrorReason {
  switch (code) {
    case Code.Unauthenticated:
      return ErrorReason.UNAUTHORIZED;
    case Code.PermissionDenied:
      return ErrorReason.FORBIDDEN;
    case Code.NotFound:
      return ErrorReason.NOT_FOUND;
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return ErrorReason.INVALID_REQUEST;
    case Code.ResourceExhausted:
      return ErrorReason.RATE_LIMITED;
    case Code.DeadlineExceeded:
      return ErrorReason.TIMEOUT;
    case Code.Unimplemented:
      return ErrorReason.NOT_IMPLEMENTED;
    case Code.Canceled:
      return ErrorReason.CANCELED;
    case Code.FailedPrecondition:
    case Code.Aborted:
    case Code.AlreadyExists:
      return ErrorReason.CONFLICT;
    case Code.Unavailable:
      return ErrorReason.UNAVAILABLE;
    default:
      return ErrorReason.INTERNAL;
  }
}
