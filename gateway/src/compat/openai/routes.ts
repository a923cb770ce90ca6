import { create } from "@bufbuild/protobuf";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  CreateVariationsRequestSchema,
  ImageService,
  ImageToImageRequestSchema,
  InpaintRequestSchema,
  TextToImageRequestSchema,
} from "@imagegen/proto/imagegen/v1/image_service_pb";
import {
  GetModelRequestSchema,
  ListModelsRequestSchema,
  ModelService,
} from "@imagegen/proto/imagegen/v1/model_service_pb";
import type { NodeRequest, NodeResponse } from "../../http/respond.ts";
import { callFrontUnary, type FrontCallOptions } from "../../rpc/front-proxy.ts";
import { awaitGeneration } from "../shared/await-generation.ts";
import type { CompatDeps } from "../shared/compat-deps.ts";
import { frontCallFor, readFields } from "../shared/http-input.ts";
import { isRoute, sendCompatError, sendCompatJson } from "../shared/json-response.ts";
import { storedImageBytes } from "../shared/stored-image.ts";
import { renderOpenAiError } from "./errors.ts";
import { parseEdit, parseGeneration, parseVariation, type ResponseFormat } from "./request.ts";
import { renderImagesResponse } from "./response.ts";

/** Pixel bound of an uploaded mask decoded at the edge (the front bounds images the same way). */
const MAX_MASK_PIXELS = 4096 * 4096;

/**
 * The OpenAI Images API under /v1: generations, edits, variations and the model list, so the
 * official SDKs work with `baseURL = <gateway>/v1` and one of our API keys as their key.
 */
export function createOpenAiRoutes(deps: CompatDeps) {
  return async (req: NodeRequest, res: NodeResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith("/v1/")) return false;
    const call = frontCallFor(req, res);
    const answer = async (run: () => Promise<unknown>): Promise<true> => {
      try {
        sendCompatJson(req, res, 200, await run(), call.responseHeaders);
      } catch (error) {
        sendCompatError(req, res, renderOpenAiError(error), call.responseHeaders);
      }
      return true;
    };
    if (isRoute(req, url, "POST", "/v1/images/generations")) {
      return answer(async () => {
        const parsed = parseGeneration(await readFields(req, deps.maxBodyBytes));
        const created = await callFrontUnary(
          deps.front,
          ImageService.method.textToImage,
          create(TextToImageRequestSchema, parsed.request),
          call,
        );
        return render(deps, await awaitGeneration(deps.front, created, call), parsed.responseFormat);
      });
    }
    if (isRoute(req, url, "POST", "/v1/images/edits")) {
      return answer(async () => {
        const parsed = await parseEdit(await readFields(req, deps.maxBodyBytes), MAX_MASK_PIXELS);
        const { request } = parsed;
        const created =
          request.kind === "inpaint"
            ? await callFrontUnary(
                deps.front,
                ImageService.method.inpaint,
                create(InpaintRequestSchema, request.value),
                call,
              )
            : await callFrontUnary(
                deps.front,
                ImageService.method.imageToImage,
                create(ImageToImageRequestSchema, request.value),
                call,
              );
        return render(deps, await awaitGeneration(deps.front, created, call), parsed.responseFormat);
      });
    }
    if (isRoute(req, url, "POST", "/v1/images/variations")) {
      return answer(async () => {
        const parsed = await parseVariation(await readFields(req, deps.maxBodyBytes));
        const created = await callFrontUnary(
          deps.front,
          ImageService.method.createVariations,
          create(CreateVariationsRequestSchema, parsed.request),
          call,
        );
        return render(deps, await awaitGeneration(deps.front, created, call), parsed.responseFormat);
      });
    }
    if (isRoute(req, url, "GET", "/v1/models")) return answer(() => listModels(deps, call));
    const modelPath = /^\/v1\/models\/([^/]{1,128})$/.exec(url.pathname);
    if (req.method === "GET" && modelPath)
      return answer(() => retrieveModel(deps, call, modelIdOf(modelPath[1] as string)));
    return false;
  };
}

function render(deps: CompatDeps, generation: Awaited<ReturnType<typeof awaitGeneration>>, format: ResponseFormat) {
  return renderImagesResponse(generation, format, (url) => storedImageBytes(url, deps.images, deps.signingKey));
}

// The {model} path segment, percent-decoded. A segment that does not decode ("%", "%E0%A4%A")
// names no model: the client's 400, not the URIError's 500.
function modelIdOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw apiError(ErrorReason.INVALID_REQUEST, "the model id in the path is not valid percent-encoding", {
      fieldViolations: [{ field: "model", description: "is not valid percent-encoding" }],
    });
  }
}

// OpenAI's model object; `owned_by` is the first provider route of the model.
async function retrieveModel(deps: CompatDeps, call: FrontCallOptions, id: string) {
  const { model } = await callFrontUnary(
    deps.front,
    ModelService.method.getModel,
    create(GetModelRequestSchema, { modelId: id }),
    call,
  );
  return { id: model?.id ?? id, object: "model", created: 0, owned_by: model?.providers[0] ?? "imagegen" };
}

// OpenAI's model list shape; `owned_by` is the first provider route of the model.
async function listModels(deps: CompatDeps, call: FrontCallOptions) {
  const { models } = await callFrontUnary(
    deps.front,
    ModelService.method.listModels,
    create(ListModelsRequestSchema, {}),
    call,
  );
  return {
    object: "list",
    data: models.map((m) => ({ id: m.id, object: "model", created: 0, owned_by: m.providers[0] ?? "imagegen" })),
  };
}
