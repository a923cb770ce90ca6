// A partner client in TypeScript over gRPC (HTTP/2 without TLS), watching the generation's
// progress as a server stream:
//   IMAGEGEN_API_KEY=dev-key-change-me node --import tsx examples/typescript/grpc-client.ts
// Environment: IMAGEGEN_URL (default http://localhost:8080), IMAGEGEN_API_KEY, IMAGEGEN_MODEL.
import { ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";
import { GenerationStatus } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";

const transport = createGrpcTransport({
  baseUrl: process.env.IMAGEGEN_URL ?? "http://localhost:8080",
  interceptors: [
    (next) => (req) => (req.header.set("authorization", `Bearer ${process.env.IMAGEGEN_API_KEY ?? ""}`), next(req)),
  ],
});
const images = createClient(ImageService, transport);

try {
  // respond-async: the call answers with the queued generation at once; the stream follows it.
  const pending = await images.textToImage(
    {
      prompt: "A koi pond under cherry blossoms",
      model: process.env.IMAGEGEN_MODEL || "local",
      parameters: { width: 256, height: 256, numOutputs: 2 },
    },
    { headers: { prefer: "respond-async" }, timeoutMs: 30_000 },
  );
  console.log(JSON.stringify({ step: "accepted", id: pending.id, status: GenerationStatus[pending.status] }));
  let last = pending;
  for await (const event of images.watchGeneration({ id: pending.id }, { timeoutMs: 120_000 })) {
    if (event.generation) last = event.generation;
    console.log(JSON.stringify({ step: "event", type: event.type, progress: last.progress }));
  }
  console.log(
    JSON.stringify({
      step: "generated",
      id: last.id,
      status: GenerationStatus[last.status],
      urls: last.images.map((i) => i.url),
    }),
  );
  process.exitCode = last.status === GenerationStatus.COMPLETED ? 0 : 1;
} catch (error) {
  const e = ConnectError.from(error);
  console.log(
    JSON.stringify({ step: "error", reason: e.findDetails(ErrorInfoSchema)[0]?.reason, message: e.rawMessage }),
  );
  process.exitCode = 1;
}
