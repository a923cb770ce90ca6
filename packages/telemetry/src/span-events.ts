import { trace, type Attributes } from "@opentelemetry/api";

/**
 * Marks a notable step (a fallback, a cache hit, a retry) on the span of the current request as
 * an event; a no-op when no span is recording. Attributes must never hold secrets or prompts.
 */
export function noteOnActiveSpan(name: string, attributes: Attributes = {}): void {
  trace.getActiveSpan()?.addEvent(name, attributes);
}
