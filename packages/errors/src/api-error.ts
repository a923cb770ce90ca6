import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  BadRequest_FieldViolationSchema,
  ErrorInfoSchema,
  RetryInfoSchema,
} from "@imagegen/proto/google/rpc/error_details_pb";
import { ErrorReason } from "@imagegen/proto/imagegen/v1/errors_pb";
import { errorRow, errorRowByName, reasonForCode, type ErrorRow } from "./error-table.ts";

/** The ErrorInfo domain of every error this system raises. */
export const ERROR_DOMAIN = "imagegen.app";

/** A field that failed validation, with its dotted proto path (e.g. "parameters.width"). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
  /** The protovalidate rule id, e.g. "uint32.gte" or "multiple_of_8". */
  readonly rule?: string;
}

export interface ApiErrorOptions {
  /** Extra ErrorInfo metadata: short strings only, never secrets. */
  readonly metadata?: Record<string, string>;
  readonly fieldViolations?: readonly FieldViolation[];
  /** Sent as RetryInfo and rendered as Retry-After. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/**
 * Creates the error every layer throws: a ConnectError whose code comes from the table and
 * whose details carry google.rpc.ErrorInfo (reason), BadRequest (fields) and RetryInfo.
 * Messages are for humans, short, and must never contain a secret.
 */
export function apiError(reason: ErrorReason, message: string, options: ApiErrorOptions = {}): ConnectError {
  const row = errorRow(reason);
  const details = [];
  details.push({
    desc: ErrorInfoSchema,
    value: create(ErrorInfoSchema, { reason: row.name, domain: ERROR_DOMAIN, metadata: options.metadata ?? {} }),
  });
  if (options.fieldViolations?.length) {
    details.push({
      desc: BadRequestSchema,
      value: create(BadRequestSchema, {
        fieldViolations: options.fieldViolations.map((v) =>
          create(BadRequest_FieldViolationSchema, { field: v.field, description: v.description, reason: v.rule ?? "" }),
        ),
      }),
    });
  }
  if (options.retryAfterSeconds !== undefined) {
    details.push({
      desc: RetryInfoSchema,
      value: create(RetryInfoSchema, { retryDelay: durationFromMs(Math.ceil(options.retryAfterSeconds) * 1000) }),
    });
  }
  return new ConnectError(message, row.code, undefined, details, options.cause);
}

/** Everything a surface needs to render an error in its own shape. */
export interface DescribedError {
  readonly row: ErrorRow;
  readonly message: string;
  readonly metadata: Record<string, string>;
  readonly fieldViolations: FieldViolation[];
  readonly retryAfterSeconds?: number;
}

/**
 * Normalises anything thrown into the table's terms. Errors without our ErrorInfo (a
 * transport failure, a bug) keep only their code; an unexpected exception becomes INTERNAL
 * with a generic message, so no internal text (paths, tokens) reaches a client.
 */
export function describeError(error: unknown): DescribedError {
  const connectError = error instanceof ConnectError ? error : undefined;
  if (!connectError) {
    return { row: errorRow(ErrorReason.INTERNAL), message: "internal error", metadata: {}, fieldViolations: [] };
  }
  const info = connectError.findDetails(ErrorInfoSchema).find((i) => i.domain === ERROR_DOMAIN);
  const row =
    (info && errorRowByName(info.reason)) ??
    errorRow(reasonForCode(connectError.code === Code.Unknown ? Code.Internal : connectError.code));
  const fieldViolations = connectError
    .findDetails(BadRequestSchema)
    .flatMap((b) =>
      b.fieldViolations.map((v) => ({ field: v.field, description: v.description, rule: v.reason || undefined })),
    );
  const retry = connectError.findDetails(RetryInfoSchema)[0]?.retryDelay;
  const retryAfterSeconds = retry ? Number(retry.seconds) + Math.ceil(retry.nanos / 1e9) : undefined;
  // An error without our ErrorInfo came from a layer we do not control: keep its text only
  // when it is a client-side mistake the caller can act on.
  const message = info || row.httpStatus < 500 ? connectError.rawMessage : defaultMessage(row);
  return { row, message, metadata: { ...(info?.metadata ?? {}) }, fieldViolations, retryAfterSeconds };
}

function defaultMessage(row: ErrorRow): string {
  switch (row.reason) {
    case ErrorReason.UNAVAILABLE:
      return "the service is temporarily unavailable; retry shortly";
    case ErrorReason.TIMEOUT:
      return "the request timed out";
    default:
      return "internal error";
  }
}
