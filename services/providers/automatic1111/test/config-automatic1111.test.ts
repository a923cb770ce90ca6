import { Operation } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createProviderService, readProviderEnvironment } from "@imagegen/provider-kit";
import { createCapturingLogger, serveProvider } from "@imagegen/provider-kit/testing";
import { describe, expect, it } from "vitest";
import { a1111AuthHeaders, createAutomatic1111Provider, withJoinedCredentials } from "../src/automatic1111-provider.ts";
import { startFakeA1111 } from "./fake-automatic1111.ts";

describe("automatic1111 configuration", () => {
  it.each([
    {
      name: "no base URL: not configured, whatever the credentials",
      env: { A1111_API_AUTH: "u:p" },
      want: { notConfigured: "A1111_BASE_URL is not set", baseUrl: "http://127.0.0.1:7860" },
    },
    {
      name: "a base URL alone: configured, no auth",
      env: { A1111_BASE_URL: "http://gpu-box:7860" },
      want: { notConfigured: undefined, baseUrl: "http://gpu-box:7860", token: undefined },
    },
    {
      name: "base URL and credentials",
      env: { A1111_BASE_URL: "http://gpu-box:7860", A1111_API_AUTH: "u:p" },
      want: { notConfigured: undefined, token: "u:p" },
    },
  ])("$name", ({ env, want }) => {
    expect(readProviderEnvironment(createAutomatic1111Provider(env), env)).toMatchObject(want);
  });

  it.each([
    { credential: "alice:s3cret", want: { authorization: `Basic ${Buffer.from("alice:s3cret").toString("base64")}` } },
    { credential: "proxy-token-123", want: { authorization: "Bearer proxy-token-123" } },
  ])("authenticates $credential with $want.authorization", ({ credential, want }) => {
    expect(a1111AuthHeaders(credential)).toEqual(want);
  });

  it.each([
    { name: "joins username and password", env: { A1111_USERNAME: "alice", A1111_PASSWORD: "pw" }, want: "alice:pw" },
    {
      name: "keeps an explicit A1111_API_AUTH",
      env: { A1111_API_AUTH: "bob:x", A1111_USERNAME: "alice", A1111_PASSWORD: "pw" },
      want: "bob:x",
    },
    { name: "needs both parts", env: { A1111_USERNAME: "alice" }, want: undefined },
  ])("$name", ({ env, want }) => {
    expect(withJoinedCredentials(env).A1111_API_AUTH).toBe(want);
  });

  it("declares the checkpoints listed in A1111_MODELS", () => {
    expect(
      createAutomatic1111Provider({ A1111_MODELS: "juggernautXL_v9, dreamshaper_8" }).models.map((m) => m.id),
    ).toEqual(["juggernautXL_v9", "dreamshaper_8"]);
  });

  it("renders through HTTP Basic against a WebUI started with --api-auth, found at A1111_BASE_URL", async () => {
    const fake = await startFakeA1111({ credential: "alice:s3cret" });
    const env = withJoinedCredentials({
      A1111_BASE_URL: fake.baseUrl,
      A1111_USERNAME: "alice",
      A1111_PASSWORD: "s3cret",
    });
    const served = await serveProvider(
      createProviderService(createAutomatic1111Provider(env), { env, logger: createCapturingLogger() }),
    );
    try {
      const images = [];
      for await (const event of served.client.generate(
        {
          model: "sd_xl_base_1.0",
          operation: Operation.TEXT_TO_IMAGE,
          prompt: "a puppy",
          width: 256,
          height: 256,
          numOutputs: 2,
          seed: 40,
        },
        { timeoutMs: 10_000 },
      )) {
        if (event.event.case === "image") images.push(event.event.value);
      }
      expect(images.map((i) => ({ seed: i.seed, width: i.width, height: i.height }))).toEqual([
        { seed: 40, width: 256, height: 256 },
        { seed: 41, width: 256, height: 256 },
      ]);
      expect(fake.renders.at(-1)).toMatchObject({
        override_settings: { sd_model_checkpoint: "sd_xl_base_1.0" },
        batch_size: 2,
        seed: 40,
      });
    } finally {
      await served.close();
      await fake.close();
    }
  });
});
