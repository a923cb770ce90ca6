import type { JsonValue } from "@bufbuild/protobuf";
import { GenerationSchema, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { publicRegistry } from "../../public-services.ts";
import { messageToRestJson } from "../../rest/rest-json.ts";

/** The answer is the canonical Generation in REST JSON (seed 004's shape), which the docs describe. */
export function renderSeed000(generation: Generation): JsonValue {
  return messageToRestJson(GenerationSchema, generation, publicRegistry);
}
