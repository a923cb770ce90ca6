/**
 * CPU per GenerateUnary in the openai provider process (issue 19): the provider runs as
 * `npm start` runs it (services/providers/openai/src/main.ts, service identity and tracing
 * interceptor included) against the fast fake OpenAI of bench/servers/fast-openai.ts, driven by a
 * Connect h2c client in this process at a fixed concurrency; the provider's CPU comes from /proc.
 *
 *   node --import tsx bench/micro/provider-call-cost.ts [--base REF] [--calls N] [--rounds R] [--concurrency C] [--profile DIR]
 *
 * With `--base REF` the same load alternates between REF (a copy of its packages/ and services/ in
 * a temporary directory, sharing this tree's node_modules) and the working tree, in A/B/B/A order
 * per round, so the machine's drift hits both arms alike. Small defaults: the machine is shared.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { create } from "@bufbuild/protobuf";
import {
  GenerateRequestSchema,
  Operation,
  ProviderService,
  type GenerateRequest,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { createServiceIdentityInterceptor, ServiceIdentity } from "@imagegen/server-kit";
import { freePort } from "../../gateway/test/start-system.ts";
import { cpuMs } from "../process-cpu.ts";
import { copyOfRef } from "./ref-copy.ts";
import { spawnServer } from "../spawn-server.ts";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    calls: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "64" },
    // Each provider writes a V8 CPU profile here when it exits (warm-up included).
    profile: { type: "string" },
  },
});
const calls = Number(args.calls);
const rounds = Number(args.rounds);
const concurrency = Number(args.concurrency);
const repo = resolve(import.meta.dirname, "../..");
const TOKEN = "sk-bench-token";
const secret = randomBytes(32).toString("base64");

const fake = await spawnServer("servers/fast-openai.ts", { FAKE_TOKEN: TOKEN });
const copies: string[] = [];
const arms: Arm[] = [];
try {
  if (args.base) {
    const copy = copyOfRef(repo, args.base);
    copies.push(copy);
    arms.push(await startArm(args.base, copy));
  }
  arms.push(await startArm("working tree", repo));
  for (const arm of arms) await drive(arm, Math.min(500, calls)); // warm-up: JIT, connections
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? arms : [...arms].reverse();
    for (const arm of order) {
      const before = cpuMs(arm.child.pid);
      const started = performance.now();
      await drive(arm, calls);
      const cpu = cpuMs(arm.child.pid) - before;
      arm.usPerCall.push((cpu * 1000) / calls);
      arm.wallUsPerCall.push(((performance.now() - started) * 1000) / calls);
    }
  }
  console.log(
    `openai provider process, GenerateUnary × ${calls} per run at concurrency ${concurrency}, ${rounds} rounds`,
  );
  for (const arm of arms) {
    const runs = arm.usPerCall.map((us) => us.toFixed(0)).join(" / ");
    console.log(
      `${arm.name.padEnd(14)} CPU µs/call: median ${median(arm.usPerCall).toFixed(0)} (runs ${runs}); ` +
        `wall µs/call median ${median(arm.wallUsPerCall).toFixed(0)}; upstream connections ${upstreamConnections(arm)}`,
    );
  }
} finally {
  // SIGTERM: the provider drains and exits normally (which is when --cpu-prof writes its profile).
  await Promise.all(arms.map((arm) => new Promise((resolve) => arm.child.once("exit", resolve).kill("SIGTERM"))));
  fake.stop();
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
}
process.exit(0);

interface Arm {
  readonly name: string;
  readonly child: ChildProcess;
  readonly call: (request: GenerateRequest) => Promise<unknown>;
  readonly usPerCall: number[];
  readonly wallUsPerCall: number[];
}

async function startArm(name: string, root: string): Promise<Arm> {
  const port = await freePort();
  const profile = args.profile ? ["--cpu-prof", `--cpu-prof-dir=${resolve(args.profile)}`] : [];
  const main = join(root, "services/providers/openai/src/main.ts");
  const child = spawn(process.execPath, [...profile, "--import", "tsx", main], {
    cwd: root,
    env: {
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      OPENAI_API_KEY: TOKEN,
      OPENAI_BASE_URL: `${fake.origin}/v1`,
      IMAGEGEN_PROVIDER_OPENAI_PORT: String(port),
      IMAGEGEN_SERVICE_SECRET: secret,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  process.once("exit", () => child.kill("SIGKILL"));
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${name}: the provider exited with ${code}`))),
  );
  await Promise.race([listening(port), exited]);
  const client = createClient(
    ProviderService,
    createConnectTransport({
      baseUrl: `http://127.0.0.1:${port}`,
      httpVersion: "2",
      useBinaryFormat: true,
      interceptors: [
        createServiceIdentityInterceptor(new ServiceIdentity("front", Buffer.from(secret, "utf8")), "provider-openai"),
      ],
    }),
  );
  return { name, child, call: (request) => client.generateUnary(request), usPerCall: [], wallUsPerCall: [] };
}

// Resolves once something accepts connections on `port` (LOG_LEVEL=warn hides the "listening" line).
async function listening(port: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true))).once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// `total` calls, `concurrency` at a time, each a distinct generation.
async function drive(arm: Arm, total: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      next++;
      await arm.call(
        create(GenerateRequestSchema, {
          model: "gpt-image-1",
          operation: Operation.TEXT_TO_IMAGE,
          prompt: "a blue square",
          width: 1024,
          height: 1024,
          numOutputs: 1,
          generationId: randomBytes(8).toString("hex"),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

// The provider's established connections to the fake upstream (`ss`), or "?" where ss is missing.
function upstreamConnections(arm: Arm): string {
  try {
    const port = new URL(fake.origin).port;
    const out = execFileSync("ss", ["-Htnp", "state", "established", "dport", `= :${port}`], { encoding: "utf8" });
    return String(out.split("\n").filter((line) => line.includes(`pid=${arm.child.pid},`)).length);
  } catch {
    return "?";
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
