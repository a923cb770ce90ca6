import { create } from "@bufbuild/protobuf";
import type { Transport } from "@connectrpc/connect";
import { apiError, errorRow, ErrorReason } from "@imagegen/errors";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService, WatchGenerationRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { callFrontStream, type FrontCallOptions } from "../../rpc/front-proxy.ts";

const TERMINAL = new Set([GenerationStatus.COMPLETED, GenerationStatus.FAILED, GenerationStatus.CANCELED]);

/**
 * Waits for a generation a create RPC returned. The seed APIs and OpenAI answer synchronously,
 * so a generation still running when the front's wait bound passed is followed with
 * WatchGeneration until it ends; a failed one becomes its error (reason and message).
 */
export async function awaitGeneration(
  front: Transport,
  created: Generation,
  call: FrontCallOptions,
): Promise<Generation> {
  let generation = created;
  if (!TERMINAL.has(generation.status)) {
    for await (const event of callFrontStream(
      front,
      ImageService.method.watchGeneration,
      create(WatchGenerationRequestSchema, { id: generation.id }),
      call,
    )) {
      if (event.generation && TERMINAL.has(event.generation.status)) {
        generation = event.generation;
        break;
      }
    }
  }
  if (generation.status === GenerationStatus.COMPLETED) return generation;
  const reason = generation.error?.reason || ErrorReason.GENERATION_FAILED;
  const message =
    generation.error?.message ||
    `the generation ${generation.status === GenerationStatus.CANCELED ? "was canceled" : "failed"}`;
  throw apiError(errorRow(reason).reason, message, { metadata: { generation_id: generation.id } });
}
