import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { JsonObject } from "@bufbuild/protobuf";
import { errorRowByName, ErrorReason } from "@imagegen/errors";
import { GenerationSchema, GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { ImageStore } from "../images/image-store.ts";
import type { GenerationRecord, ImageRecord } from "../store/store.ts";
import { publicFormatOf } from "./formats.ts";
import { noteProviderDuration } from "./provider-duration.ts";

const STATUS: Record<GenerationRecord["status"], GenerationStatus> = {
  queued: GenerationStatus.QUEUED,
  processing: GenerationStatus.PROCESSING,
  completed: GenerationStatus.COMPLETED,
  failed: GenerationStatus.FAILED,
  canceled: GenerationStatus.CANCELED,
};

/** The public Generation for stored rows, with freshly signed image URLs. */
export function toGenerationMessage(
  record: GenerationRecord,
  images: readonly ImageRecord[],
  store: ImageStore,
): Generation {
  const metadata = JSON.parse(record.metadataJson || "null") as JsonObject | null;
  const message = create(GenerationSchema, {
    id: record.id,
    status: STATUS[record.status],
    createdAt: timestampFromMs(wholeSeconds(record.createdAt)),
    completedAt: record.completedAt === undefined ? undefined : timestampFromMs(wholeSeconds(record.completedAt)),
    model: record.model,
    operation: record.operation,
    provider: record.provider,
    prompt: record.prompt,
    images: images.map((i) => ({
      id: i.id,
      url: store.url(i.path),
      width: i.width,
      height: i.height,
      sizeBytes: i.sizeBytes,
      format: publicFormatOf(i.format),
      seed: i.seed,
      nsfwScore: i.nsfwScore,
    })),
    cost: record.status === "completed" ? { credits: record.costCredits, usd: record.costUsd } : undefined,
    metadata: metadata ?? undefined,
    error: record.errorReason
      ? {
          reason: errorRowByName(record.errorReason)?.reason ?? ErrorReason.INTERNAL,
          message: record.errorMessage ?? "",
        }
      : undefined,
  });
  noteProviderDuration(message, record);
  return message;
}

/**
 * Records keep milliseconds (lists order by them: two generations in one second must not swap);
 * answers show whole seconds, as seed 004's timestamps do ("2024-01-15T10:30:00Z").
 */
function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
