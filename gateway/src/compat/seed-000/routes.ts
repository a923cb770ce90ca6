import { create } from "@bufbuild/protobuf";
import { ImageService, TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { callFrontUnary } from "../../rpc/front-proxy.ts";
import { awaitGeneration } from "../shared/await-generation.ts";
import type { CompatDeps } from "../shared/compat-deps.ts";
import { frontCallFor, readFields } from "../shared/http-input.ts";
import { sendCompatError, sendCompatJson } from "../shared/json-response.ts";
import { renderSeed000Error } from "./errors.ts";
import { parseSeed000 } from "./request.ts";
import { renderSeed000 } from "./response.ts";

const PATH = /^\/api\/generate\/([a-z0-9_-]{1,64})$/i;

/**
 * Seed 000: one explicit endpoint per provider, POST /api/generate/{provider}. The generation is
 * pinned to that provider (canonical `provider` field): an unknown one is NOT_FOUND, a model it
 * does not serve UNSUPPORTED, and one without credentials PROVIDER_NOT_CONFIGURED — no fallback.
 */
export function createSeed000Routes(deps: CompatDeps) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    const match = PATH.exec(url.pathname);
    if (req.method !== "POST" || !match) return false;
    const provider = (match[1] as string).toLowerCase();
    const call = frontCallFor(req, res);
    try {
      const request = parseSeed000(await readFields(req, deps.maxBodyBytes));
      // The front validates the provider and picks its default model when none is named.
      const created = await callFrontUnary(
        deps.front,
        ImageService.method.textToImage,
        create(TextToImageRequestSchema, { ...request, provider }),
        call,
      );
      sendCompatJson(
        req,
        res,
        200,
        renderSeed000(await awaitGeneration(deps.front, created, call)),
        call.responseHeaders,
      );
    } catch (error) {
      sendCompatError(
        req,
        res,
        renderSeed000Error(error, String(req.headers["x-request-id"] ?? "")),
        call.responseHeaders,
      );
    }
    return true;
  };
}
