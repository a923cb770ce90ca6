import { create } from "@bufbuild/protobuf";
import { ImageService, TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { callFrontUnary } from "../../rpc/front-proxy.ts";
import { awaitGeneration } from "../shared/await-generation.ts";
import type { CompatDeps } from "../shared/compat-deps.ts";
import { frontCallFor, readFields } from "../shared/http-input.ts";
import { isRoute, sendCompatError, sendCompatJson } from "../shared/json-response.ts";
import { renderSeed001Error } from "./errors.ts";
import { parseSeed001 } from "./request.ts";
import { renderSeed001 } from "./response.ts";

/** Seed 001: POST /api/v1/images/generate. */
export function createSeed001Routes(deps: CompatDeps) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    if (!isRoute(req, url, "POST", "/api/v1/images/generate")) return false;
    const call = frontCallFor(req, res);
    try {
      const request = parseSeed001(await readFields(req, deps.maxBodyBytes));
      const created = await callFrontUnary(
        deps.front,
        ImageService.method.textToImage,
        create(TextToImageRequestSchema, request),
        call,
      );
      const generation = await awaitGeneration(deps.front, created, call);
      sendCompatJson(
        req,
        res,
        200,
        renderSeed001(generation, request.prompt ?? "", request.model ?? ""),
        call.responseHeaders,
      );
    } catch (error) {
      sendCompatError(req, res, renderSeed001Error(error), call.responseHeaders);
    }
    return true;
  };
}
