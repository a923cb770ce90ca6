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
  return (text) => {
    let out = text;
    // `includes` first: most texts hold no secret, and then nothing is allocated.
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
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

/**
 * A logger whose every line (message and fields) passes through `redact`. Fields are scrubbed as
 * the JSON they are written as; a job's usual fields (ids, counts, durations) are checked in
 * place instead, and passed on as they are when they hold no secret. Fields bound with `with` are
 * scrubbed once and put before each line's own, as the wrapped logger's `with` would (without a
 * logger built per job).
 */
export function createRedactingLogger(logger: Logger, redact: Redactor): Logger {
  return new RedactingLogger(logger, redact, undefined);
}

// A class, not closures: runJob binds a logger to every job, so `with` should cost little.
class RedactingLogger implements Logger {
  constructor(
    private readonly logger: Logger,
    private readonly redact: Redactor,
    private readonly bound: LogFields | undefined,
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.logger.debug(this.redact(msg), this.line(fields));
  }
  info(msg: string, fields?: LogFields): void {
    this.logger.info(this.redact(msg), this.line(fields));
  }
  warn(msg: string, fields?: LogFields): void {
    this.logger.warn(this.redact(msg), this.line(fields));
  }
  error(msg: string, fields?: LogFields): void {
    this.logger.error(this.redact(msg), this.line(fields));
  }
  with(fields: LogFields): Logger {
    return new RedactingLogger(this.logger, this.redact, { ...this.bound, ...this.scrub(fields) });
  }

  private line(fields?: LogFields): LogFields | undefined {
    return this.bound ? { ...this.bound, ...this.scrub(fields) } : this.scrub(fields);
  }
  private scrub(fields?: LogFields): LogFields | undefined {
    if (!fields || holdsNoSecret(fields, this.redact)) return fields;
    return JSON.parse(this.redact(JSON.stringify(fields, errorAsText))) as LogFields;
  }
}

// Text JSON writes as it is (printable, no quote or backslash, no surrogate): for it, scrubbing
// the text is scrubbing its JSON.
const WRITTEN_AS_IS = /^[ !#-[\]-~\u0080-\ud7ff\ue000-\uffff]*$/;

// True for a plain object of strings (without a secret), numbers, booleans and nulls: JSON would
// carry it over unchanged, so the round trip can be skipped. Anything else (nested objects,
// errors, undefined) takes the round trip.
function holdsNoSecret(fields: LogFields, redact: Redactor): boolean {
  const proto = Object.getPrototypeOf(fields);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key of Object.keys(fields)) {
    if (!WRITTEN_AS_IS.test(key) || redact(key) !== key) return false;
    const value = fields[key];
    if (typeof value === "string") {
      if (!WRITTEN_AS_IS.test(value) || redact(value) !== value) return false;
    } else if (typeof value !== "number" && typeof value !== "boolean" && value !== null) {
      return false;
    }
  }
  return true;
}

function errorAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
