import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, createRouterTransport, type Client } from "@connectrpc/connect";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { UserService } from "@imagegen/proto/imagegen/v1/user_service_pb";
import { AdminService } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { createCapturingLogger } from "@imagegen/provider-kit/testing";
import { hashSecret } from "../src/auth/key-verifier.ts";
import { createFrontApp, type FrontApp } from "../src/front-app.ts";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { TextToImageRequestSchema } from "@imagegen/proto/imagegen/v1/image_service_pb";
import type { FakeProvider } from "./fake-provider.ts";

/** The checkout's catalog: the in-memory level tests the routing the product ships. */
export const SHIPPED_CONFIG = join(import.meta.dirname, "..", "..", "..", "config", "imagegen.yaml");
const ADMIN_KEY = "in-memory-admin-key-0123456789";

/**
 * The front app in memory (connect-es' router transport, as in connectrpc/examples-es): the
 * real wiring, interceptors, catalog, runner, SQLite store and image store under a temp dir,
 * with its providers replaced by in-memory fakes. A provider the test does not fake answers
 * every call with "unimplemented", which the front sees as a provider that is not running.
 */
interface Clients {
  readonly images: Client<typeof ImageService>;
  readonly models: Client<typeof ModelService>;
  readonly users: Client<typeof UserService>;
  readonly admin: Client<typeof AdminService>;
}

export interface InMemoryFront extends Clients {
  readonly app: FrontApp;
  readonly dataDir: string;
  /** Clients calling as another key (from `admin.createApiKey`); the ones above call as the bootstrap admin. */
  as(secret: string): Clients;
  readonly logLines: string[];
  close(): Promise<void>;
}

export interface InMemoryFrontOptions {
  readonly providers: readonly FakeProvider[];
  readonly configPath?: string;
  readonly syncWaitMs?: number;
  readonly providerTimeoutMs?: number;
  readonly breaker?: { threshold: number; cooldownMs: number };
  readonly cancelCheckMs?: number;
  /** DATABASE_URL and REDIS_URL for fronts that share state; nothing else of the process's env. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function startInMemoryFront(options: InMemoryFrontOptions): Promise<InMemoryFront> {
  const dataDir = mkdtempSync(join(tmpdir(), "imagegen-in-memory-"));
  // The bootstrap admin key, as a first start would have stored it (its hash only).
  writeFileSync(join(dataDir, "admin-key.sha256"), hashSecret(ADMIN_KEY).toString("hex"));
  const fakes = new Map(options.providers.map((p) => [p.id, p]));
  const absent = createRouterTransport(() => {});
  const logger = createCapturingLogger();
  const app = await createFrontApp({
    dataDir,
    configPath: options.configPath ?? SHIPPED_CONFIG,
    publicBaseUrl: "http://gateway.test",
    providerTimeoutMs: options.providerTimeoutMs ?? 5_000,
    syncWaitMs: options.syncWaitMs ?? 5_000,
    leaseMs: 30_000,
    breaker: options.breaker ?? { threshold: 5, cooldownMs: 30_000 },
    logger,
    providerTransport: (provider) => fakes.get(provider.id)?.transport ?? absent,
    cancelCheckMs: options.cancelCheckMs,
    // Measured performance is read at every catalog call, so a test sees its own generations.
    performanceRefreshMs: 0,
    // The offline image models load in seconds; fronts here only route, so they are off unless asked.
    env: { IMAGEGEN_VISION: "off", ...options.env },
  });
  const clientsFor = (secret: string): Clients => {
    const transport = createRouterTransport(app.routes, {
      router: { interceptors: [...app.interceptors] },
      transport: {
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${secret}`);
            return next(req);
          },
        ],
      },
    });
    return {
      images: createClient(ImageService, transport),
      models: createClient(ModelService, transport),
      users: createClient(UserService, transport),
      admin: createClient(AdminService, transport),
    };
  };
  return {
    app,
    dataDir,
    ...clientsFor(ADMIN_KEY),
    as: clientsFor,
    logLines: logger.lines,
    async close() {
      await app.drain(2_000);
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a generation that `fake` holds (after delivering `images` images), answered at once
 * (Prefer: respond-async), and waits until it is processing with those images stored: a
 * generation caught midway, whatever the machine's speed.
 */
export async function startHeld(
  front: Pick<InMemoryFront, "images">,
  fake: FakeProvider,
  request: MessageInitShape<typeof TextToImageRequestSchema>,
  options: { images?: number; headers?: Record<string, string> } = {},
): Promise<Generation> {
  const images = options.images ?? 0;
  fake.script({ kind: "hold", imagesFirst: images });
  const pending = await front.images.textToImage(request, { headers: { prefer: "respond-async", ...options.headers } });
  for (const started = Date.now(); Date.now() - started < 10_000; await new Promise((r) => setTimeout(r, 10))) {
    const now = await front.images.getGeneration({ id: pending.id });
    if (now.status === GenerationStatus.PROCESSING && now.images.length >= images) return now;
  }
  throw new Error(`generation ${pending.id} did not start with ${images} image(s) within 10 s`);
}
