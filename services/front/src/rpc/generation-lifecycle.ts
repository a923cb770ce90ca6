import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  GenerationEventSchema,
  GenerationStatus,
  type GenerationEvent,
} from "@imagegen/proto/imagegen/v1/generation_pb";
import type { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { GenerationRunner } from "../generation/generation-runner.ts";
import type { InFlightGenerations } from "../generation/in-flight-generations.ts";
import type { GenerationState, Store } from "../store/store.ts";
import { principalOf } from "./principal-of.ts";

export interface LifecycleDeps {
  readonly runner: GenerationRunner;
  readonly store: Store;
  readonly inFlight: InFlightGenerations;
}

const TERMINAL = new Set([GenerationStatus.COMPLETED, GenerationStatus.FAILED, GenerationStatus.CANCELED]);
const STATUS_NAMES: Partial<Record<GenerationStatus, GenerationState>> = {
  [GenerationStatus.QUEUED]: "queued",
  [GenerationStatus.PROCESSING]: "processing",
  [GenerationStatus.COMPLETED]: "completed",
  [GenerationStatus.FAILED]: "failed",
  [GenerationStatus.CANCELED]: "canceled",
};
/** How often a watcher re-reads a generation that runs on another replica. */
const POLL_MS = 500;

/** List, cancel and watch: the generation as a resource that outlives the call that created it. */
export function generationLifecycle(
  deps: LifecycleDeps,
): Pick<ServiceImpl<typeof ImageService>, "listGenerations" | "cancelGeneration" | "watchGeneration"> {
  return {
    async listGenerations(req, ctx) {
      const owner = principalOf(ctx).owner;
      const limit = req.pageSize || 20;
      const before = decodeCursor(req.pageToken);
      const records = await deps.store.listGenerations(owner, {
        limit: limit + 1,
        status: STATUS_NAMES[req.status],
        before,
      });
      const page = records.slice(0, limit);
      const last = page[page.length - 1];
      return {
        generations: await Promise.all(page.map((r) => deps.runner.snapshot(owner, r.id))),
        nextPageToken: records.length > limit && last ? encodeCursor(last.createdAt, last.id) : "",
      };
    },

    async cancelGeneration(req, ctx) {
      const owner = principalOf(ctx).owner;
      const current = await deps.runner.snapshot(owner, req.id);
      if (TERMINAL.has(current.status)) {
        throw apiError(ErrorReason.CONFLICT, `generation ${req.id} already finished`, {
          metadata: { generation_id: req.id },
        });
      }
      if (deps.inFlight.has(req.id)) {
        // The running job notices the abort, cancels the provider job and records "canceled".
        const done = deps.inFlight.subscribe(req.id, ctx.signal);
        deps.inFlight.cancel(req.id);
        if (done) for await (const _ of done);
      } else {
        // Running on another replica (its cancel watcher notices this and stops the provider
        // job) or on none. Guarded: a generation that finished meanwhile stays finished.
        const after = await deps.store.updateGeneration(req.id, {
          status: "canceled",
          completedAt: Date.now(),
          errorReason: "CANCELED",
          errorMessage: "canceled by the caller",
          costCredits: 0,
          costUsd: 0,
        });
        if (after.status !== "canceled") {
          throw apiError(ErrorReason.CONFLICT, `generation ${req.id} already finished`, {
            metadata: { generation_id: req.id },
          });
        }
      }
      return deps.runner.snapshot(owner, req.id);
    },

    async *watchGeneration(req, ctx) {
      const owner = principalOf(ctx).owner;
      let current = await deps.runner.snapshot(owner, req.id); // NOT_FOUND for another owner
      const live = deps.inFlight.subscribe(req.id, ctx.signal);
      let lastType = current.status === GenerationStatus.QUEUED ? "queued" : "started";
      yield event(lastType, current);
      if (live) {
        for await (const e of live) {
          // Milestones are announced once; progress and images as often as they come.
          if (e.type === lastType && e.type !== "progress" && e.type !== "image") continue;
          lastType = e.type;
          yield e;
        }
        if (lastType === terminalType(current.status)) return;
        current = await deps.runner.snapshot(owner, req.id);
        if (TERMINAL.has(current.status) && lastType === terminalType(current.status)) return;
      } else {
        // Running elsewhere (or finished): follow the stored state.
        let seen = current.images.length;
        while (!TERMINAL.has(current.status) && !ctx.signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          current = await deps.runner.snapshot(owner, req.id);
          for (const image of current.images.slice(seen))
            yield create(GenerationEventSchema, { type: "image", generation: current, image });
          seen = current.images.length;
        }
      }
      if (TERMINAL.has(current.status)) yield event(terminalType(current.status), current);
    },
  };
}

function event(type: string, generation: GenerationEvent["generation"]): GenerationEvent {
  return create(GenerationEventSchema, { type, generation });
}

function terminalType(status: GenerationStatus): string {
  return status === GenerationStatus.COMPLETED
    ? "completed"
    : status === GenerationStatus.FAILED
      ? "failed"
      : "canceled";
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

function decodeCursor(token: string): { createdAt: number; id: string } | undefined {
  if (!token) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(token, "base64url").toString()) as [number, string];
    if (typeof createdAt === "number" && typeof id === "string") return { createdAt, id };
  } catch {
    // fall through
  }
  throw apiError(ErrorReason.INVALID_REQUEST, "page_token is not one this API issued", {
    fieldViolations: [
      { field: "page_token", description: "use next_page_token from the previous page", rule: "page_token.valid" },
    ],
  });
}
