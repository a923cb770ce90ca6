/**
 * CPU per GenerateUnary inside the provider kit alone (issue 19): createProviderService around a
 * definition that answers at once (accepted, one image, completed — no network), called in
 * process with a Connect handler context, so what is measured is the kit's own work per job
 * (signals, deadline, logger, events, image header, the answer message).
 *
 *   node --import tsx bench/micro/provider-job-cost.ts [--base REF] [--jobs N] [--rounds R]
 *
 * With `--base REF`, REF's kit (a copy, see ref-copy.ts) and the working tree's alternate,
 * A/B/B/A per round.
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { create } from "@bufbuild/protobuf";
import { createHandlerContext } from "@connectrpc/connect";
import {
  GenerateRequestSchema,
  Operation,
  ProviderService,
} from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { testImage } from "../../packages/provider-kit/src/testing/test-image.ts";
import { copyOfRef } from "./ref-copy.ts";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    jobs: { type: "string", default: "50000" },
    rounds: { type: "string", default: "4" },
  },
});
const jobs = Number(args.jobs);
const repo = resolve(import.meta.dirname, "../..");
process.env.LOG_LEVEL = "warn";

type Kit = typeof import("../../packages/provider-kit/src/index.ts");
const png = await testImage("png", 64, 64);
const request = create(GenerateRequestSchema, {
  model: "instant",
  operation: Operation.TEXT_TO_IMAGE,
  prompt: "a blue square",
  width: 64,
  height: 64,
  numOutputs: 1,
  generationId: "gen_1",
});
const method = ProviderService.method.generateUnary;

const copies: string[] = [];
const arms: { name: string; unary: () => Promise<unknown>; us: number[] }[] = [];
try {
  if (args.base) {
    const copy = copyOfRef(repo, args.base);
    copies.push(copy);
    arms.push(await arm(args.base, join(copy, "packages/provider-kit/src/index.ts")));
  }
  arms.push(await arm("working tree", join(repo, "packages/provider-kit/src/index.ts")));
  for (const a of arms) await run(a.unary, jobs / 10); // warm-up
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const a of round % 2 === 0 ? arms : [...arms].reverse()) a.us.push(await run(a.unary, jobs));
  }
} finally {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
}
console.log(`provider kit, GenerateUnary in process (no network), ${jobs} jobs per run`);
for (const a of arms) {
  const sorted = [...a.us].sort((x, y) => x - y);
  console.log(
    `${a.name.padEnd(14)} CPU µs/job: median ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} ` +
      `(runs ${a.us.map((u) => u.toFixed(2)).join(" / ")})`,
  );
}

async function arm(name: string, kitPath: string) {
  const kit = (await import(kitPath)) as Kit;
  const service = kit.createProviderService(
    {
      id: "bench",
      displayName: "Bench",
      tokenEnv: ["BENCH_TOKEN"],
      authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
      defaultBaseUrl: "http://127.0.0.1:9",
      models: [
        {
          id: "instant",
          displayName: "Instant",
          usdPerImage: 0,
          limits: { operations: [Operation.TEXT_TO_IMAGE], minSize: 64, maxSize: 4096, maxOutputs: 4 },
        },
      ],
      async *generate(job) {
        yield { type: "accepted", jobId: `bench-${job.request.generationId}` };
        yield { type: "image", data: png };
        yield { type: "completed" };
      },
    } as Parameters<Kit["createProviderService"]>[0],
    { env: { BENCH_TOKEN: "sk-bench-token" } },
  );
  const unary = service.generateUnary as (req: typeof request, ctx: unknown) => Promise<unknown>;
  return {
    name,
    us: [] as number[],
    unary: () =>
      unary(
        request,
        createHandlerContext({
          service: ProviderService,
          method,
          protocolName: "connect",
          requestMethod: "POST",
          url: "http://127.0.0.1/imagegen.provider.v1.ProviderService/GenerateUnary",
          timeoutMs: 30_000,
        }),
      ),
  };
}

async function run(unary: () => Promise<unknown>, n: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < n; i++) await unary();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / n;
}
