import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { GenerationSchema } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { describe, expect, it } from "vitest";
import { principalKey } from "../auth/principal.ts";
import { moderationInterceptorFor } from "./moderation-interceptor.ts";

const CATALOG = new URL("../../../../config/imagegen.yaml", import.meta.url).pathname;

/** An ImageService whose create methods count the calls that got past the interceptors. */
function serviceFor(tier: string, catalogPath = CATALOG) {
  const reached: string[] = [];
  const asTier: Interceptor = (next) => (req) => {
    req.contextValues.set(principalKey, { keyId: "k1", owner: "o1", admin: false, tier });
    return next(req);
  };
  const answer = (name: string) => () => {
    reached.push(name);
    return create(GenerationSchema, { id: "gen_1" });
  };
  const transport = createRouterTransport(
    (router) =>
      router.service(ImageService, {
        textToImage: answer("textToImage"),
        imageToImage: answer("imageToImage"),
        inpaint: answer("inpaint"),
        createVariations: answer("createVariations"),
      }),
    { router: { interceptors: [asTier, moderationInterceptorFor(catalogPath, {})] } },
  );
  return { client: createClient(ImageService, transport), reached };
}

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  expect(error).toBeDefined();
  return error!;
}

describe("moderation before every create handler", () => {
  it.each([
    ["textToImage", (c: ReturnType<typeof serviceFor>["client"]) => c.textToImage({ prompt: "a nude woman" })],
    [
      "imageToImage",
      (c: ReturnType<typeof serviceFor>["client"]) => c.imageToImage({ prompt: "make it porn", initImage: "x" }),
    ],
    [
      "inpaint",
      (c: ReturnType<typeof serviceFor>["client"]) => c.inpaint({ prompt: "hentai", initImage: "x", maskImage: "y" }),
    ],
    [
      "createVariations",
      (c: ReturnType<typeof serviceFor>["client"]) => c.createVariations({ prompt: "nsfw", image: "x" }),
    ],
    [
      "textToImage (style hint)",
      (c: ReturnType<typeof serviceFor>["client"]) =>
        c.textToImage({ prompt: "a portrait", style: { preset: "nude" } }),
    ],
  ])("%s: INVALID_PROMPT with seed 004's details, handler never reached", async (_name, call) => {
    const { client, reached } = serviceFor("free");
    const error = await refusal(call(client));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe("The prompt contains prohibited content");
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe("INVALID_PROMPT");
    expect(info?.metadata).toEqual({
      field: "prompt",
      reason: "nsfw_content_detected",
      suggestion: "Please modify your prompt to remove inappropriate content",
    });
    expect(reached).toEqual([]);
  });

  it("lets a benign prompt through to the handler", async () => {
    const { client, reached } = serviceFor("free");
    await client.textToImage({ prompt: "Scunthorpe railway station, a cocktail glass, sussex downs" });
    expect(reached).toEqual(["textToImage"]);
  });

  it("a tier switched off (tiers.<tier>.moderation: false) skips the threshold, never the combinations", async () => {
    const dir = mkdtempSync(join(tmpdir(), "moderation-"));
    const catalog = join(dir, "imagegen.yaml");
    writeFileSync(catalog, "tiers:\n  enterprise: { moderation: false }\n");
    const { client, reached } = serviceFor("enterprise", catalog);
    await client.textToImage({ prompt: "a nude woman, oil painting" });
    expect(reached).toEqual(["textToImage"]);
    await refusal(client.textToImage({ prompt: "a naked child" }));
    expect(reached).toEqual(["textToImage"]);
    const other = serviceFor("free", catalog);
    await refusal(other.client.textToImage({ prompt: "a nude woman, oil painting" }));
  });

  it("a malformed switch stops the start", () => {
    const dir = mkdtempSync(join(tmpdir(), "moderation-"));
    const catalog = join(dir, "imagegen.yaml");
    writeFileSync(catalog, "tiers:\n  free: { moderation: maybe }\n");
    expect(() => moderationInterceptorFor(catalog, {})).toThrow("tiers.free.moderation must be true or false");
    const lists = join(dir, "moderation.yaml");
    writeFileSync(lists, "threshold: -1\n");
    expect(() => moderationInterceptorFor(CATALOG, { IMAGEGEN_MODERATION_CONFIG: lists })).toThrow(
      "threshold must be a number > 0",
    );
    writeFileSync(lists, "lists: { a: { terms: [x] } }\nalways_refuse: [[a, b]]\n");
    expect(() => moderationInterceptorFor(CATALOG, { IMAGEGEN_MODERATION_CONFIG: lists })).toThrow(
      'names an unknown list "b"',
    );
  });
});
