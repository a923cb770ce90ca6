import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger, LogFields } from "@imagegen/server-kit";

/** Scrubs every configured secret out of a text. */
export type Redactor = (text: string) => string;

/** What replaces a secret in any text that leaves the provider process. */
export const REDACTED = "[REDACTED]";

/**
 * A redactor for `secrets` (tokens, and the encodings of them that travel in headers, such as
 * Basic auth's base64). Very short values are ignored: scrubbing "a" would mangle every text.
 */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 4))]
    // Longest first, so a secret that contains another is scrubbed whole.
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => values.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

/**
 * The same error with its message scrubbed. Details (ErrorInfo, BadRequest, RetryInfo) are kept;
 * their strings are built by the kit from scrubbed text already. The cause is dropped: it may
 * hold a vendor body or a request with the auth header.
 */
export function redactError(error: unknown, redact: Redactor): unknown {
  if (!(error instanceof ConnectError)) return error;
  const message = redact(error.rawMessage);
  if (message === error.rawMessage && error.cause === undefined) return error;
  // Details created here are outgoing ones; incoming ones (from a client call) serialise the same.
  return new ConnectError(
    message,
    error.code ?? Code.Unknown,
    error.metadata,
    error.details as ConstructorParameters<typeof ConnectError>[3],
  );
}

/** A logger whose every line (message and fields) passes through `redact`. */
export function createRedactingLogger(logger: Logger, redact: Redactor): Logger {
  const scrub = (fields?: LogFields): LogFields | undefined => {
    if (!fields) return fields;
    return JSON.parse(redact(JSON.stringify(fields, errorAsText))) as LogFields;
  };
  return {
    debug: (m, f) => logger.debug(redact(m), scrub(f)),
    info: (m, f) => logger.info(redact(m), scrub(f)),
    warn: (m, f) => logger.warn(redact(m), scrub(f)),
    error: (m, f) => logger.error(redact(m), scrub(f)),
    with: (fields) => createRedactingLogger(logger.with(scrub(fields) ?? {}), redact),
  };
}

function errorAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
