import { trace } from "@opentelemetry/api";

/** Structured fields of a log line; values must never be secrets or image bytes. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  with(fields: LogFields): Logger;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

/**
 * JSON-lines logger on stdout; LOG_LEVEL (debug|info|warn|error) filters, default info. A line
 * written under an active span carries its `trace_id` and `span_id`, so logs join traces.
 */
export function createLogger(service: string, base: LogFields = {}): Logger {
  const min = LEVELS[(process.env.LOG_LEVEL as Level | undefined) ?? "info"] ?? LEVELS.info;
  const write = (level: Level, msg: string, fields?: LogFields): void => {
    if (LEVELS[level] < min) return;
    const span = trace.getActiveSpan()?.spanContext();
    const ids = span && trace.isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
    const line = { time: new Date().toISOString(), level, service, msg, ...ids, ...base, ...fields };
    process.stdout.write(`${JSON.stringify(line, errorReplacer)}\n`);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    with: (fields) => createLogger(service, { ...base, ...fields }),
  };
}

// Errors serialise to their name and message only: stacks stay out of shipped logs unless debugging.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return process.env.LOG_LEVEL === "debug"
      ? { name: value.name, message: value.message, stack: value.stack }
      : { name: value.name, message: value.message };
  }
  return value;
}
