import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeReplicate } from "../../services/providers/replicate/test/fake-replicate.ts";
import { startSystem, type RunningSystem } from "./start-system.ts";

// SIGTERM reaches the gateway while a generation is held at the vendor: readiness fails first,
// then the listener closes (new requests refused), the held request still completes, and the
// process exits 0. The vendor is the Replicate fake behind a gate the test opens.
const TOKEN = "r8_shutdown-SECRET-token-0123456789";
let system: RunningSystem;
let replicate: Awaited<ReturnType<typeof startFakeReplicate>>;
let gate: { proxy: Server; url: string; createSeen: Promise<void>; open: () => void };

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// A loopback proxy to the fake that holds the first prediction create until `open()`.
async function startGate(upstream: string): Promise<typeof gate> {
  let seen!: () => void;
  let open!: () => void;
  const createSeen = new Promise<void>((r) => (seen = r));
  const opened = new Promise<void>((r) => (open = r));
  const proxy = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method === "POST" && /predictions$/.test(req.url ?? "")) {
      seen();
      await opened;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k)) as [
        string,
        string,
      ][],
    );
    const answer = await fetch(upstream + req.url, {
      method: req.method,
      headers,
      body: req.method === "GET" ? undefined : body,
    });
    const out = Object.fromEntries(
      [...answer.headers].filter(
        ([k]) => !["content-encoding", "content-length", "transfer-encoding", "connection"].includes(k),
      ),
    );
    res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return { proxy, url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`, createSeen, open };
}

beforeAll(async () => {
  replicate = await startFakeReplicate({ token: TOKEN, waitScale: 0.05 });
  gate = await startGate(replicate.baseUrl);
  system = await startSystem(
    // A shutdown delay long enough to observe readiness failing before the listener closes.
    {
      REPLICATE_API_TOKEN: TOKEN,
      REPLICATE_BASE_URL: gate.url,
      IMAGEGEN_POLL_INTERVAL_MS: "20",
      IMAGEGEN_SHUTDOWN_DELAY_MS: "3000",
    },
    { providers: ["replicate"] },
  );
});
afterAll(async () => {
  gate?.open();
  await system?.stop();
  await new Promise((r) => gate?.proxy.close(r));
  await replicate?.close();
});

describe("graceful shutdown of the gateway", () => {
  it("fails readiness, refuses new requests, completes the in-flight generation, then exits 0", {
    timeout: 60_000,
  }, async () => {
    const inFlight = fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${system.adminKey}` },
      body: JSON.stringify({
        prompt: "a lighthouse",
        model: "stable-diffusion-xl",
        parameters: { width: 512, height: 512 },
        output: { format: "png" },
      }),
    });
    await gate.createSeen;
    const exited = system.kill("gateway", "SIGTERM");

    // Readiness fails first, while the listener still answers.
    let readiness: Response | undefined;
    do {
      readiness = await fetch(`${system.baseUrl}/readyz`, { headers: { connection: "close" } });
    } while (readiness.status === 200);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ status: "not_ready" });

    // Then new connections are refused.
    let refused = false;
    while (!refused) {
      refused = await fetch(`${system.baseUrl}/healthz`, { headers: { connection: "close" } }).then(
        () => false,
        () => true,
      );
    }

    gate.open();
    const res = await inFlight;
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: "completed", provider: "replicate" });
    expect(await exited).toBe(0);
  });
});
