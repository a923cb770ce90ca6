import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { BadRequestSchema, ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ImageFormat } from "@imagegen/proto/imagegen/v1/types_pb";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem, type StartOptions } from "../start-system.ts";

/**
 * Every public surface against one running system: REST, Connect JSON, gRPC, gRPC-Web and buf curl
 * through reflection, run for each topology (a front process of its own, or inside the gateway's).
 * Returns the running system, for a file's own tests beside the suite.
 */
export function surfacesSuite(options: StartOptions): () => RunningSystem {
  const run = promisify(execFile);
  let system: RunningSystem;

  beforeAll(async () => {
    system = await startSystem({}, options);
  });
  afterAll(() => system?.stop());

  const auth = () => ({ authorization: `Bearer ${system.adminKey}` });
  const request = {
    prompt: "A serene Japanese garden with cherry blossoms",
    model: "local",
    parameters: { width: 256, height: 192, num_outputs: 2, seed: 42 },
    output: { format: "webp" },
  };

  async function postJson(path: string, body: unknown, headers: Record<string, string> = auth()) {
    const res = await fetch(system.baseUrl + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { res, json: (await res.json()) as Record<string, any> };
  }

  describe("REST (seed 004)", () => {
    it("generates images whose URLs serve exactly the requested size and format", async () => {
      const { res, json } = await postJson("/api/v2/generate/text-to-image", request);
      expect(res.status).toBe(200);
      expect(json.status).toBe("completed");
      expect(json.id).toMatch(/^gen_[\w-]{24}$/);
      expect(json.model).toBe("local");
      expect(json.provider).toBe("local");
      expect(json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(json.cost).toEqual({ credits: 0, usd: 0 });
      expect(json.images).toHaveLength(2);
      for (const image of json.images) {
        expect(Object.keys(image)).toEqual(
          expect.arrayContaining(["id", "url", "width", "height", "size_bytes", "format"]),
        );
        expect(image).toMatchObject({ width: 256, height: 192, format: "webp" });
        expect(image.url.startsWith(`${system.baseUrl}/images/`)).toBe(true);
        const file = await fetch(image.url);
        expect(file.status).toBe(200);
        expect(file.headers.get("content-type")).toBe("image/webp");
        const bytes = Buffer.from(await file.arrayBuffer());
        expect(bytes.length).toBe(image.size_bytes);
        const meta = await sharp(bytes).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(["webp", 256, 192]);
      }
      expect(json.images[0].url).not.toBe(json.images[1].url);
    });

    it.each(["png", "jpg"])("renders %s", async (format) => {
      const { json } = await postJson("/api/v2/generate/text-to-image", {
        ...request,
        parameters: { width: 64, height: 64 },
        output: { format },
      });
      const bytes = Buffer.from(await (await fetch(json.images[0].url)).arrayBuffer());
      expect((await sharp(bytes).metadata()).format).toBe(format === "jpg" ? "jpeg" : format);
    });

    it("puts the image bytes inline with return_type base64, equal to the file behind the URL", async () => {
      const { json } = await postJson("/api/v2/generate/text-to-image", {
        ...request,
        parameters: { width: 64, height: 64 },
        output: { format: "png", return_type: "base64" },
      });
      const image = json.images[0];
      const file = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      expect(Buffer.from(image.base64, "base64").equals(file)).toBe(true);
      const polled = (await (
        await fetch(`${system.baseUrl}/api/v2/generations/${json.id}`, { headers: auth() })
      ).json()) as any;
      expect(polled.images[0].base64).toBeUndefined();
    });

    it("polls a generation by id, and hides it from nobody with the key", async () => {
      const { json } = await postJson("/api/v2/generate/text-to-image", {
        prompt: "a red fox",
        model: "local",
        parameters: { width: 64, height: 64 },
      });
      const res = await fetch(`${system.baseUrl}/api/v2/generations/${json.id}`, { headers: auth() });
      expect(res.status).toBe(200);
      const polled = (await res.json()) as Record<string, any>;
      expect(polled.id).toBe(json.id);
      expect(polled.images.map((i: any) => i.id)).toEqual(json.images.map((i: any) => i.id));
      const missing = await fetch(`${system.baseUrl}/api/v2/generations/gen_doesnotexist`, { headers: auth() });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as any).error.code).toBe("NOT_FOUND");
    });

    it("names the offending field of a validation error in the seed envelope", async () => {
      const { res, json } = await postJson(
        "/api/v2/generate/text-to-image",
        { prompt: "x", parameters: { width: 100 } },
        {
          ...auth(),
          "x-request-id": "req_test_validation",
        },
      );
      expect(res.status).toBe(400);
      expect(Object.keys(json.error)).toEqual([
        "type",
        "code",
        "message",
        "details",
        "request_id",
        "documentation_url",
      ]);
      expect(json.error).toMatchObject({
        type: "validation_error",
        code: "INVALID_REQUEST",
        request_id: "req_test_validation",
        details: { field: "parameters.width", reason: "multiple_of_8" },
      });
      expect(res.headers.get("x-request-id")).toBe("req_test_validation");
    });

    it.each([
      ["no key", {}],
      ["a wrong key", { authorization: "Bearer wrong-key" }],
      ["a wrong X-API-Key", { "x-api-key": "wrong-key" }],
    ])("answers 401 UNAUTHORIZED for %s", async (_, headers) => {
      const { res, json } = await postJson(
        "/api/v2/generate/text-to-image",
        request,
        headers as Record<string, string>,
      );
      expect(res.status).toBe(401);
      expect(json.error).toMatchObject({ type: "authentication_error", code: "UNAUTHORIZED" });
      expect(json.error.request_id).toMatch(/^req_/);
      expect(JSON.stringify(json)).not.toContain("wrong-key");
    });

    it("accepts the key as X-API-Key", async () => {
      const { res } = await postJson(
        "/api/v2/generate/text-to-image",
        { ...request, parameters: { width: 64, height: 64 } },
        {
          "x-api-key": system.adminKey,
        },
      );
      expect(res.status).toBe(200);
    });

    it("lists models with the seed's field names", async () => {
      const res = await fetch(`${system.baseUrl}/api/v2/models`, { headers: auth() });
      const json = (await res.json()) as { models: Array<Record<string, unknown>> };
      const local = json.models.find((m) => m.id === "local");
      expect(local).toMatchObject({
        status: "active",
        capabilities: ["text-to-image", "image-to-image", "inpainting", "variation", "upscale", "remove-background"],
        pricing: { per_image: 0, credits: 0 },
      });
      const replicateOnly = json.models.find((m) => m.id === "flux-schnell");
      expect(replicateOnly?.status).toBe("unavailable");
    });

    it("refuses unsigned and tampered image URLs", async () => {
      const { json } = await postJson("/api/v2/generate/text-to-image", {
        ...request,
        parameters: { width: 64, height: 64 },
      });
      const url = new URL(json.images[0].url);
      expect((await fetch(url.origin + url.pathname)).status).toBe(403);
      url.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 1));
      expect((await fetch(url)).status).toBe(403);
    });

    it("answers unknown paths with a 404 envelope and health checks without a key", async () => {
      const res = await fetch(`${system.baseUrl}/api/v2/nope`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe("NOT_FOUND");
      expect((await fetch(`${system.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${system.baseUrl}/readyz`)).status).toBe(200);
    });
  });

  describe("Connect JSON", () => {
    const path = "/imagegen.v1.ImageService/TextToImage";

    it("generates with camelCase JSON and canonical enum names", async () => {
      const body = { prompt: "a lighthouse", model: "local", parameters: { width: 64, height: 64, numOutputs: 1 } };
      const { res, json } = await postJson(path, body);
      expect(res.status).toBe(200);
      expect(json.status).toBe("GENERATION_STATUS_COMPLETED");
      expect(json.images[0]).toMatchObject({ width: 64, height: 64, format: "IMAGE_FORMAT_PNG" });
      expect(json.images[0].sizeBytes).toBeGreaterThan(0);
    });

    it("renders a validation error as invalid_argument with the field in its details", async () => {
      const { res, json } = await postJson(path, { prompt: "x", parameters: { width: 100 } });
      expect(res.status).toBe(400);
      expect(json.code).toBe("invalid_argument");
      expect(json.message).toContain("parameters.width");
      expect(json.details.map((d: any) => d.type)).toContain("google.rpc.BadRequest");
    });
  });

  describe("gRPC and gRPC-Web", () => {
    const transports = () => ({
      grpc: createGrpcTransport({ baseUrl: system.baseUrl }),
      "grpc-web": createGrpcWebTransport({ baseUrl: system.baseUrl }),
    });

    it.each(["grpc", "grpc-web"] as const)("%s generates the same kind of result", async (name) => {
      const client = createClient(ImageService, transports()[name]);
      const generation = await client.textToImage(
        { prompt: "a lighthouse", model: "local", parameters: { width: 128, height: 64, numOutputs: 1, seed: 7 } },
        { headers: auth() },
      );
      expect(generation.status).toBe(GenerationStatus.COMPLETED);
      expect(generation.images[0]).toMatchObject({ width: 128, height: 64, format: ImageFormat.PNG });
    });

    it.each(["grpc", "grpc-web"] as const)(
      "%s reports validation errors as INVALID_ARGUMENT naming the field",
      async (name) => {
        const client = createClient(ImageService, transports()[name]);
        const error = await client.textToImage({ prompt: "x", parameters: { width: 100 } }, { headers: auth() }).then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
        expect(error?.code).toBe(Code.InvalidArgument);
        expect(error?.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_REQUEST");
        expect(error?.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("parameters.width");
      },
    );

    it("answers a missing key with UNAUTHENTICATED", async () => {
      const client = createClient(ImageService, transports().grpc);
      const error = await client.textToImage({ prompt: "x" }).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(error?.code).toBe(Code.Unauthenticated);
    });
  });

  describe("buf curl through server reflection", () => {
    const buf = (args: string[]) =>
      run("npx", ["buf", "curl", "--http2-prior-knowledge", ...args], { timeout: 30_000 });

    it("lists the services with no schema at hand", async () => {
      const { stdout } = await buf(["--list-services", system.baseUrl]);
      expect(stdout).toContain("imagegen.v1.ImageService");
      expect(stdout).toContain("grpc.health.v1.Health");
    });

    it("generates over gRPC and shows a validation error with its field", async () => {
      const url = `${system.baseUrl}/imagegen.v1.ImageService/TextToImage`;
      const header = ["-H", `Authorization: Bearer ${system.adminKey}`, "--protocol", "grpc"];
      const ok = await buf([
        ...header,
        "-d",
        JSON.stringify({ prompt: "a boat", model: "local", parameters: { width: 64, height: 64 } }),
        url,
      ]);
      expect(JSON.parse(ok.stdout).status).toBe("GENERATION_STATUS_COMPLETED");
      const bad = await buf([
        ...header,
        "-d",
        JSON.stringify({ prompt: "a boat", parameters: { width: 100 } }),
        url,
      ]).then(
        () => undefined,
        (e: { stderr: string }) => e.stderr,
      );
      expect(bad).toContain("invalid_argument");
      expect(bad).toContain("parameters.width");
    });
  });

  return () => system;
}
