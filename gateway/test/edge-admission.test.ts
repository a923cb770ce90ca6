import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";
import { peakResidentWhile } from "./support/process-memory.ts";
import { uploadLarge } from "./support/large-upload.ts";

const MiB = 1024 * 1024;
/** The README's bound: refused bodies are never buffered anywhere. */
const REFUSED_FLOOD_BOUND_BYTES = 256 * MiB;

let system: RunningSystem;
/** The same system with a 16 MiB body budget, to see it refuse. */
let tight: RunningSystem;
beforeAll(async () => {
  [system, tight] = await Promise.all([
    startSystem(),
    startSystem({ IMAGEGEN_BODY_BUDGET_BYTES: String(16 * 1024 * 1024) }),
  ]);
});
afterAll(() => Promise.all([system?.stop(), tight?.stop()]));

const badKey = { authorization: "Bearer not-a-key-of-this-deployment" };

describe("the edge authenticates before it reads a body", () => {
  it("40 concurrent 40 MB bodies with a bad key are all 401, and memory stays flat", async () => {
    const pids = [system.pid("gateway"), system.pid("front"), system.pid("local")];
    const { result, before, peak } = await peakResidentWhile(pids, () =>
      Promise.all(
        Array.from({ length: 40 }, () =>
          uploadLarge(
            `${system.baseUrl}/api/v2/generate/text-to-image`,
            { ...badKey, "content-type": "application/json" },
            40 * MiB,
          ),
        ),
      ),
    );
    expect(result.map((r) => r.status)).toEqual(Array(40).fill(401));
    expect(JSON.parse(result[0]!.body).error).toMatchObject({ code: "UNAUTHORIZED" });
    expect(peak - before).toBeLessThan(REFUSED_FLOOD_BOUND_BYTES);
  });

  it("answers a bad key in each surface's own shape without reading the body", async () => {
    const big = 8 * MiB;
    const post = (path: string, contentType: string) =>
      uploadLarge(system.baseUrl + path, { ...badKey, "content-type": contentType }, big);

    const rest = await post("/api/v2/generate/text-to-image", "application/json");
    expect(rest.status).toBe(401);
    expect(JSON.parse(rest.body).error.code).toBe("UNAUTHORIZED");

    const connectUnary = await post("/imagegen.v1.ImageService/TextToImage", "application/json");
    expect(connectUnary.status).toBe(401);
    expect(JSON.parse(connectUnary.body)).toMatchObject({ code: "unauthenticated", message: "invalid API key" });

    const connectStream = await post("/imagegen.v1.ImageService/WatchGeneration", "application/connect+json");
    expect(connectStream.status).toBe(200);
    const endStream = JSON.parse(connectStream.body.slice(5));
    expect(endStream.error).toMatchObject({ code: "unauthenticated", message: "invalid API key" });

    const grpc = await post("/imagegen.v1.ImageService/TextToImage", "application/grpc-web+proto");
    expect(grpc.status).toBe(200);
    expect(grpc.headers["grpc-status"]).toBe(String(Code.Unauthenticated));

    const seed001 = await post("/api/v1/images/generate", "application/json");
    expect(seed001.status).toBe(401);
    expect(Object.keys(JSON.parse(seed001.body))).toEqual(["error"]);

    const openai = await post("/v1/images/generations", "application/json");
    expect(openai.status).toBe(401);
    expect(JSON.parse(openai.body).error).toMatchObject({ code: "invalid_api_key" });
  });

  it("gRPC and gRPC-Web clients get UNAUTHENTICATED for a bad key", async () => {
    for (const transport of [
      createGrpcTransport({ baseUrl: system.baseUrl }),
      createGrpcWebTransport({ baseUrl: system.baseUrl, httpVersion: "1.1" }),
    ]) {
      const client = createClient(ImageService, transport);
      const error = await client.textToImage({ prompt: "x".repeat(900), model: "local" }, { headers: badKey }).then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
      expect(error?.code).toBe(Code.Unauthenticated);
      expect(error?.rawMessage).toBe("invalid API key");
    }
  });

  it("a valid key still generates on every surface", async () => {
    const key = { authorization: `Bearer ${system.adminKey}` };
    const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { ...key, "content-type": "application/json" },
      body: JSON.stringify({ prompt: "a lighthouse", model: "local", parameters: { width: 64, height: 64 } }),
    });
    expect(res.status).toBe(200);
    const client = createClient(ImageService, createGrpcTransport({ baseUrl: system.baseUrl }));
    const generation = await client.textToImage(
      { prompt: "a lighthouse", model: "local", parameters: { width: 64, height: 64 } },
      { headers: key },
    );
    expect(generation.images).toHaveLength(1);
  });
});

describe("the body budget", () => {
  it("refuses large bodies past it with 503 + Retry-After before reading them, while small calls pass", async () => {
    const key = { authorization: `Bearer ${tight.adminKey}`, "content-type": "application/json" };
    const large = Array.from({ length: 6 }, () =>
      uploadLarge(`${tight.baseUrl}/api/v2/generate/text-to-image`, key, 6 * MiB),
    );
    const small = fetch(`${tight.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: key,
      body: JSON.stringify({ prompt: "a lighthouse", model: "local", parameters: { width: 64, height: 64 } }),
    });
    const answers = await Promise.all(large);
    expect((await small).status).toBe(200);
    // Two 6 MiB bodies fit in 16 MiB; the others are refused at once. Those read are not JSON (400).
    const refused = answers.filter((a) => a.status === 503);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(answers.filter((a) => a.status !== 503).map((a) => a.status)).toEqual(expect.arrayContaining([400]));
    for (const answer of refused) {
      expect(answer.headers["retry-after"]).toBe("2");
      expect(JSON.parse(answer.body).error).toMatchObject({
        code: "UNAVAILABLE",
        details: { body_budget_bytes: String(16 * MiB) },
      });
    }
    // Everything given back: the same bodies one at a time are all read.
    for (let i = 0; i < 3; i++) {
      expect((await uploadLarge(`${tight.baseUrl}/api/v2/generate/text-to-image`, key, 6 * MiB)).status).toBe(400);
    }
  });
});
