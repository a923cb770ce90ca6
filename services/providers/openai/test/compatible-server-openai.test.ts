import { Format, Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createProviderService } from "@imagegen/provider-kit";
import { createCapturingLogger, serveProvider, testImage, type ServedProvider } from "@imagegen/provider-kit/testing";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAiProvider } from "../src/openai-provider.ts";
import { startFakeOpenAi } from "./fake-openai.ts";

const TOKEN = "sk-test-compatible-0123456789";

describe("openai provider against an OpenAI-compatible server (OPENAI_BASE_URL)", () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  let served: ServedProvider;

  beforeAll(async () => {
    fake = await startFakeOpenAi({ token: TOKEN, alwaysUrls: true });
    served = await serveProvider(
      createProviderService(openAiProvider, {
        env: { OPENAI_API_KEY: TOKEN, OPENAI_BASE_URL: fake.baseUrl },
        logger: createCapturingLogger(),
      }),
    );
  });
  afterAll(async () => {
    await served?.close();
    await fake?.close();
  });

  const images = async (request: Parameters<ServedProvider["client"]["generate"]>[0]) => {
    const out = [];
    for await (const event of served.client.generate(request, { timeoutMs: 10_000 })) {
      if (event.event.case === "image") out.push(event.event.value);
    }
    return out;
  };

  it("downloads hosted URLs at once, without sending our key to the file host", async () => {
    const result = await images({
      model: "dall-e-3",
      operation: Operation.TEXT_TO_IMAGE,
      prompt: "a lighthouse",
      width: 1024,
      height: 1024,
      numOutputs: 1,
    });
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({ format: Format.PNG, width: 1024, height: 1024 });
    const download = fake.requests.find((r) => r.method === "GET" && r.path.startsWith("/files/"));
    expect(download?.headers.authorization).toBeUndefined();
  });

  it("sends OpenAI a mask whose transparent region is the canonical white region", async () => {
    const image = await testImage("png", 64, 64);
    const white = await sharp({ create: { width: 32, height: 64, channels: 3, background: "#ffffff" } })
      .png()
      .toBuffer();
    const mask = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#000000" } })
      .composite([{ input: white, left: 0, top: 0 }])
      .png()
      .toBuffer();
    await images({
      model: "gpt-image-1",
      operation: Operation.INPAINT,
      prompt: "a hat",
      width: 1024,
      height: 1024,
      numOutputs: 1,
      initImage: { data: image, format: Format.PNG, width: 64, height: 64 },
      mask: { data: mask, format: Format.PNG, width: 64, height: 64 },
    });
    const sent = fake.seen.at(-1)?.files.find((f) => f.name === "mask");
    if (!sent) throw new Error("no mask part reached the fake");
    const { data } = await sharp(sent.data).raw().toBuffer({ resolveWithObject: true });
    const alpha = (x: number, y: number) => data[(y * 64 + x) * 4 + 3];
    expect({ edit: alpha(10, 10), keep: alpha(50, 10) }).toEqual({ edit: 0, keep: 255 });
  });
});
