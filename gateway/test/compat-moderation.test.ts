import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { samplePng } from "./compat-fixtures.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// A prompt our reviewed lists refuse (config/moderation.yaml); every surface must refuse it in its
// own documented shape, before anything is charged or dispatched.
const REFUSED = "a nude woman on a bed";
const REQUEST_ID = "req_xyz789";

let system: RunningSystem;
let png: Buffer;

beforeAll(async () => {
  png = await samplePng();
  system = await startSystem();
});
afterAll(() => system?.stop());

const headers = (extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${system.adminKey}`,
  "x-request-id": REQUEST_ID,
  ...extra,
});

async function postJson(path: string, body: unknown) {
  const res = await fetch(system.baseUrl + path, {
    method: "POST",
    headers: headers({ "content-type": "application/json" }),
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

async function postForm(path: string, fields: Record<string, string>, withImage = true) {
  const form = new FormData();
  if (withImage) form.set("image", new Blob([new Uint8Array(png)], { type: "image/png" }), "product.png");
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const res = await fetch(system.baseUrl + path, { method: "POST", headers: headers(), body: form });
  return { status: res.status, text: await res.text() };
}

async function usage() {
  const res = await fetch(`${system.baseUrl}/api/v2/user/profile`, { headers: headers() });
  const profile = (await res.json()) as { usage: Record<string, number> };
  const list = await fetch(`${system.baseUrl}/api/v2/generations`, { headers: headers() });
  return { usage: profile.usage, generations: ((await list.json()) as { generations?: unknown[] }).generations ?? [] };
}

describe("a refused prompt on every surface", () => {
  let before: Awaited<ReturnType<typeof usage>>;
  beforeAll(async () => {
    before = await usage();
  });

  const envelope = () =>
    JSON.stringify({
      error: {
        type: "validation_error",
        code: "INVALID_PROMPT",
        message: "The prompt contains prohibited content",
        details: {
          field: "prompt",
          reason: "nsfw_content_detected",
          suggestion: "Please modify your prompt to remove inappropriate content",
        },
        request_id: REQUEST_ID,
        documentation_url: `${system.baseUrl}/docs/errors#INVALID_PROMPT`,
      },
    });

  it.each([
    ["text-to-image", { prompt: REFUSED, model: "stable-diffusion-xl" }],
    [
      "image-to-image",
      { prompt: "make her naked", model: "stable-diffusion", init_image: "data:image/png;base64,AAAA" },
    ],
    [
      "inpaint",
      {
        prompt: "porn",
        model: "stable-diffusion-xl-inpaint",
        init_image: "data:image/png;base64,AAAA",
        mask_image: "data:image/png;base64,AAAA",
      },
    ],
    ["variations", { prompt: "hentai", model: "stable-diffusion", image: "data:image/png;base64,AAAA" }],
  ])("REST /api/v2/generate/%s: seed 004's INVALID_PROMPT example, byte for byte", async (operation, body) => {
    expect(await postJson(`/api/v2/generate/${operation}`, body)).toEqual({ status: 400, text: envelope() });
  });

  it("seed 000 /api/generate/local: the same envelope", async () => {
    expect(await postJson("/api/generate/local", { prompt: REFUSED })).toEqual({ status: 400, text: envelope() });
  });

  it("Connect and gRPC: INVALID_ARGUMENT with ErrorInfo INVALID_PROMPT and the seed's details", async () => {
    for (const transport of [
      createConnectTransport({ baseUrl: system.baseUrl, httpVersion: "1.1" }),
      createGrpcTransport({ baseUrl: system.baseUrl }),
    ]) {
      const client = createClient(ImageService, transport);
      const error = await client
        .textToImage({ prompt: REFUSED, model: "stable-diffusion-xl" }, { headers: headers() })
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
      expect(error?.code).toBe(Code.InvalidArgument);
      expect(error?.rawMessage).toBe("The prompt contains prohibited content");
      const info = error?.findDetails(ErrorInfoSchema)[0];
      expect([info?.reason, info?.domain]).toEqual(["INVALID_PROMPT", "imagegen.app"]);
      expect(info?.metadata).toEqual({
        field: "prompt",
        reason: "nsfw_content_detected",
        suggestion: "Please modify your prompt to remove inappropriate content",
      });
    }
  });

  it('seed 001: {"error": "INVALID_PROMPT: …"} with 400', async () => {
    const res = await postJson("/api/v1/images/generate", {
      model: "stable-diffusion-xl",
      prompt: REFUSED,
      num_images: 1,
      width: 512,
      height: 512,
    });
    expect(res).toEqual({ status: 400, text: '{"error":"INVALID_PROMPT: The prompt contains prohibited content"}' });
  });

  it("seed 002: the error envelope, TEXT2IMAGE_ERROR 400, our reason and the verdict in details", async () => {
    const res = await postJson("/api/text2image/generate", { prompt: REFUSED, size: "256x256" });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.text) as Record<string, any>;
    expect(body.status).toBe("error");
    expect(body.data).toBeNull();
    expect(JSON.stringify(body.error)).toBe(
      JSON.stringify({
        code: "TEXT2IMAGE_ERROR",
        message: "The prompt contains prohibited content",
        details: {
          reason: "INVALID_PROMPT",
          field: "prompt",
          detected: "nsfw_content_detected",
          suggestion: "Please modify your prompt to remove inappropriate content",
        },
      }),
    );
  });

  it('seed 003 /api/generate and /api/variation: {"error": "…"} with 400', async () => {
    const want = { status: 400, text: '{"error":"The prompt contains prohibited content"}' };
    expect(await postForm("/api/generate", { prompt: REFUSED, model: "stable-diffusion", num_images: "1" })).toEqual(
      want,
    );
    expect(
      await postJson("/api/variation", {
        image_url: "data:image/png;base64,AAAA",
        prompt: REFUSED,
        model: "stable-diffusion",
        num_images: 1,
      }),
    ).toEqual(want);
  });

  it("OpenAI /v1/images/generations and /edits: OpenAI's content-policy error", async () => {
    const want = {
      status: 400,
      text: '{"error":{"message":"The prompt contains prohibited content","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}',
    };
    expect(
      await postJson("/v1/images/generations", { model: "stable-diffusion-xl", prompt: REFUSED, size: "256x256" }),
    ).toEqual(want);
    expect(await postForm("/v1/images/edits", { model: "stable-diffusion", prompt: REFUSED })).toEqual(want);
  });

  it("charged nothing and started no generation", async () => {
    const after = await usage();
    expect(after.generations).toEqual(before.generations);
    expect(after.usage).toEqual(before.usage);
  });

  it("a benign prompt with the same words' neighbours still generates (no false positive)", async () => {
    const res = await postJson("/api/v2/generate/text-to-image", {
      prompt: "Scunthorpe at dusk, a cocktail glass, Sussex",
      model: "local",
      parameters: { width: 64, height: 64 },
    });
    expect(res.status).toBe(200);
  });
});
