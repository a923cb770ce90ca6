import { join, resolve } from "node:path";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { loadSigningKey } from "@imagegen/image-urls";
import { createDualProtocolServer, createLogger, onShutdownSignal } from "@imagegen/server-kit";
import { createGatewayApp } from "./gateway-app.ts";

const logger = createLogger("gateway");
const port = Number(process.env.IMAGEGEN_PORT ?? 8080);
const host = process.env.IMAGEGEN_HOST ?? "0.0.0.0";
const dataDir = resolve(process.env.IMAGEGEN_DATA_DIR ?? "data");
const frontUrl = process.env.IMAGEGEN_FRONT_URL ?? "http://127.0.0.1:8081";
// Room for a 32 MiB inline image (the largest init_image the API accepts) plus JSON around it.
const maxBodyBytes = Number(process.env.IMAGEGEN_MAX_BODY_BYTES ?? 48 * 1024 * 1024);

let accepting = true;
const app = createGatewayApp({
  front: createGrpcTransport({ baseUrl: frontUrl }),
  imagesDir: join(dataDir, "images"),
  signingKey: loadSigningKey(dataDir),
  corsOrigins: (process.env.IMAGEGEN_CORS_ORIGINS ?? "*").split(",").map((s) => s.trim()),
  maxBodyBytes,
  logger,
  isAccepting: () => accepting,
});
const server = createDualProtocolServer(app);
const bound = await server.listen(port, host);
logger.info("listening", { port: bound, front: frontUrl });

onShutdownSignal(async () => {
  accepting = false;
  logger.info("draining");
  await server.close(Number(process.env.IMAGEGEN_DRAIN_MS ?? 10_000));
});
