import { context, createContextKey, type Attributes, type Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace";

const GEN_AI_ATTRIBUTES = createContextKey("imagegen.gen_ai.attributes");

/**
 * Runs `fn` with GenAI attributes (operation, provider, model, outputs) in context, so every
 * span started beneath it — the provider kit's vendor call spans, undici's HTTP spans — carries
 * them without the provider code passing them around.
 */
export function withGenAiAttributes<T>(attributes: Attributes, fn: () => T): T {
  return context.with(context.active().setValue(GEN_AI_ATTRIBUTES, attributes), fn);
}

/** The GenAI attributes in `ctx`, if any. */
export function genAiAttributesIn(ctx: Context): Attributes | undefined {
  return ctx.getValue(GEN_AI_ATTRIBUTES) as Attributes | undefined;
}

/** Copies the context's GenAI attributes onto each span as it starts. */
export class GenAiContextSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const attributes = genAiAttributesIn(parentContext);
    if (attributes) span.setAttributes(attributes);
  }
  onEnd(_span: ReadableSpan): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
