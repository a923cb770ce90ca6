// A partner client in TypeScript over the Connect protocol (HTTP/1.1, JSON), with the stubs
// generated from proto/ (@imagegen/proto):
//   IMAGEGEN_API_KEY=dev-key-change-me node --import tsx examples/typescript/connect-client.ts
// Environment: IMAGEGEN_URL (default http://localhost:8080), IMAGEGEN_API_KEY, IMAGEGEN_MODEL.
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";

const baseUrl = process.env.IMAGEGEN_URL ?? "http://localhost:8080";
const transport = createConnectTransport({
  baseUrl,
  httpVersion: "1.1",
  useBinaryFormat: false,
  interceptors: [
    (next) => (req) => (req.header.set("authorization", `Bearer ${process.env.IMAGEGEN_API_KEY ?? ""}`), next(req)),
  ],
});
const models = createClient(ModelService, transport);
const images = createClient(ImageService, transport);

try {
  const { models: catalog } = await models.listModels({});
  const model = process.env.IMAGEGEN_MODEL || catalog.find((m) => m.status === "active")?.id || "local";
  console.log(JSON.stringify({ step: "models", using: model }));
  // Wait for the result (the default); `Prefer: respond-async` would answer at once instead.
  const generation = await images.textToImage(
    {
      prompt: "A lighthouse on a cliff at dawn",
      model,
      parameters: { width: 256, height: 256, numOutputs: 1, seed: 7 },
    },
    { timeoutMs: 120_000 },
  );
  console.log(
    JSON.stringify({
      step: "generated",
      id: generation.id,
      status: GenerationStatus[generation.status],
      urls: generation.images.map((i) => i.url),
    }),
  );
  process.exitCode = generation.status === GenerationStatus.COMPLETED ? 0 : 1;
} catch (error) {
  const e = ConnectError.from(error);
  // The reason (RATE_LIMITED, INVALID_REQUEST, ...) is the stable thing to branch on.
  console.log(
    JSON.stringify({ step: "error", reason: e.findDetails(ErrorInfoSchema)[0]?.reason, message: e.rawMessage }),
  );
  process.exitCode = 1;
}
