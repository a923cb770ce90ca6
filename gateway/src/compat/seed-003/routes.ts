import { create } from "@bufbuild/protobuf";
import type { Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import {
  CreateVariationsRequestSchema,
  ImageService,
  ImageToImageRequestSchema,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ListModelsRequestSchema, ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { callFrontUnary } from "../../rpc/front-proxy.ts";
import { awaitGeneration } from "../shared/await-generation.ts";
import type { CompatDeps } from "../shared/compat-deps.ts";
import { frontCallFor, readFields } from "../shared/http-input.ts";
import { isRoute, sendCompatError, sendCompatJson } from "../shared/json-response.ts";
import { renderSeed003Error } from "./errors.ts";
import { parseGenerate, parseVariation } from "./request.ts";
import { renderImages, renderModels } from "./response.ts";

/**
 * Seed 003: POST /api/generate (exact path; /api/generate/{provider} is seed 000's),
 * GET /api/models, POST /api/variation.
 */
export function createSeed003Routes(deps: CompatDeps) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    const generate = isRoute(req, url, "POST", "/api/generate");
    const variation = isRoute(req, url, "POST", "/api/variation");
    const models = isRoute(req, url, "GET", "/api/models");
    if (!generate && !variation && !models) return false;
    const call = frontCallFor(req, res);
    try {
      let body: unknown;
      if (models) {
        const list = await callFrontUnary(
          deps.front,
          ModelService.method.listModels,
          create(ListModelsRequestSchema, { capability: "image-to-image" }),
          call,
        );
        body = renderModels(list.models);
      } else {
        const fields = await readFields(req, deps.maxBodyBytes);
        let created: Generation;
        let prompt: string;
        if (generate) {
          const request = create(ImageToImageRequestSchema, await parseGenerate(fields));
          prompt = request.prompt;
          created = await callFrontUnary(deps.front, ImageService.method.imageToImage, request, call);
        } else {
          const request = create(CreateVariationsRequestSchema, parseVariation(fields));
          prompt = request.prompt;
          created = await callFrontUnary(deps.front, ImageService.method.createVariations, request, call);
        }
        body = renderImages(await awaitGeneration(deps.front, created, call), prompt);
      }
      sendCompatJson(req, res, 200, body, call.responseHeaders);
    } catch (error) {
      sendCompatError(req, res, renderSeed003Error(error), call.responseHeaders);
    }
    return true;
  };
}
