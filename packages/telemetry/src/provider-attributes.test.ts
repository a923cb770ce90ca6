import { afterEach, describe, expect, it } from "vitest";
import { providerGenAiAttributes } from "./provider-attributes.ts";

const request = { model: "flux-schnell", prompt: "a lighthouse at dusk", numOutputs: 2, width: 1024, height: 768 };

describe("GenAI attributes of a provider's Generate call", () => {
  afterEach(() => {
    delete process.env.IMAGEGEN_TRACE_PROMPTS;
  });

  it("name the operation, provider, model and outputs, and leave the prompt out by default", () => {
    const attributes = providerGenAiAttributes("replicate")(
      "imagegen.provider.v1.ProviderService",
      "Generate",
      request,
    );
    expect(attributes).toEqual({
      "gen_ai.operation.name": "generate_content",
      "gen_ai.output.type": "image",
      "gen_ai.provider.name": "replicate",
      "gen_ai.system": "replicate",
      "gen_ai.request.model": "flux-schnell",
      "gen_ai.request.choice.count": 2,
      "imagegen.request.size": "1024x768",
    });
  });

  it("record the prompt only when the operator sets IMAGEGEN_TRACE_PROMPTS=true", () => {
    process.env.IMAGEGEN_TRACE_PROMPTS = "true";
    expect(providerGenAiAttributes("replicate")("s", "Generate", request)?.["gen_ai.prompt"]).toBe(
      "a lighthouse at dusk",
    );
  });

  it("describe nothing for other methods", () => {
    expect(providerGenAiAttributes("replicate")("s", "DescribeProvider", {})).toBeUndefined();
  });
});
