import type { Attributes } from "@opentelemetry/api";
import { tracePromptsEnabled } from "./telemetry-config.ts";

/** The parts of a provider GenerateRequest the attributes read. */
interface GenerateLike {
  readonly model?: string;
  readonly prompt?: string;
  readonly numOutputs?: number;
  readonly width?: number;
  readonly height?: number;
}

/**
 * GenAI-style attributes of a provider's Generate call (`describe` for the provider's server
 * interceptor): operation, provider, model, requested outputs; the prompt only when the operator
 * set IMAGEGEN_TRACE_PROMPTS=true. Other methods get none.
 */
export function providerGenAiAttributes(
  provider: string,
): (service: string, method: string, message: unknown) => Attributes | undefined {
  const recordPrompts = tracePromptsEnabled();
  return (_service, method, message) => {
    if ((method !== "Generate" && method !== "GenerateUnary") || typeof message !== "object" || message === null)
      return undefined;
    const request = message as GenerateLike;
    const outputs = request.numOutputs;
    const attributes: Attributes = {
      "gen_ai.operation.name": "generate_content",
      "gen_ai.output.type": "image",
      "gen_ai.provider.name": provider,
      "gen_ai.system": provider,
      "gen_ai.request.model": request.model ?? "",
    };
    if (outputs) attributes["gen_ai.request.choice.count"] = outputs;
    if (request.width && request.height) attributes["imagegen.request.size"] = `${request.width}x${request.height}`;
    if (recordPrompts && request.prompt) attributes["gen_ai.prompt"] = request.prompt;
    return attributes;
  };
}
