import { Pool } from "undici";
import { startSystem } from "../../gateway/test/start-system.ts";
import { runCallLoad, type LoadResult } from "../load.ts";
import { startPortkey } from "../portkey-gateway.ts";
import { runInFlightMemory, type InFlightMemory } from "./portkey-memory.ts";
import { cpuMs } from "../process-cpu.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";
import { chainEnvFor, createEnterpriseKey, FAKE_OPENAI_TOKEN } from "../openai-chain.ts";

const ARMS = ["direct", "portkey", "ours", "ours_separate"] as const;
type Arm = (typeof ARMS)[number];
/**
 * Our two topologies: `ours` as `npm start` runs it (the front inside the gateway's process,
 * IMAGEGEN_FRONT_IN_PROCESS) and `ours_separate` as deploy/ runs it (gateway, front and provider
 * each a process). The targets are read on `ours`; the other shows what the in-memory hop saves.
 */
const OUR_PROCESSES: Record<"ours" | "ours_separate", readonly string[]> = {
  ours: ["gateway", "openai"],
  ours_separate: ["gateway", "front", "openai"],
};
// Requests rotate over this many enterprise keys of different owners, so no one key's or owner's
// bookkeeping is what the run measures (the bench config lifts the enterprise tier's limits too).
const KEYS = 4;

/** One arm's run in one round at one concurrency. */
export interface PortkeyArmRun {
  readonly round: number;
  readonly arm: Arm;
  readonly load: LoadResult;
  /** CPU ms per answered request over the measured window, per process of that arm. */
  readonly cpu_ms_per_request: Record<string, number>;
}

/** Medians of the per-round figures at one concurrency; CPU is total CPU over total requests. */
export interface PortkeySummary {
  readonly concurrency: number;
  readonly rounds: number;
  readonly ours_to_portkey_added_p50: number;
  readonly ours_to_portkey_added_p99: number;
  readonly ours_to_portkey_rps: number;
  /** The separate-processes topology's ratios, for comparison. */
  readonly ours_separate_to_portkey_added_p50: number;
  readonly ours_separate_to_portkey_rps: number;
  readonly added_p50_ms: Record<Exclude<Arm, "direct">, number>;
  readonly added_p99_ms: Record<Exclude<Arm, "direct">, number>;
  readonly rps: Record<Arm, number>;
  /** Per arm: CPU ms per generation of each of its processes, and `all` summed. */
  readonly cpu_ms_per_request: Record<"portkey" | "ours" | "ours_separate", Record<string, number>>;
  readonly errors: number;
}

/**
 * Portkey's open-source gateway as the yardstick (issue 19): the same OpenAI image request sent
 * straight to the fast fake OpenAI, through Portkey (`x-portkey-provider: openai`, custom host =
 * the fake), and through REST → gateway → front → openai provider → the same fake in both of our
 * topologies (OUR_PROCESSES), in interleaved rounds (the arms' order rotates each round) after one
 * warm-up of every arm. Each worker keeps
 * one keep-alive connection and sends its next request when the last one answered. Ratios are
 * ours to Portkey's in the same round, then the median over rounds; CPU per request comes from
 * /proc for Portkey's process and each of ours. The full run then measures memory per in-flight
 * generation with 1,000 in flight (BENCH_PORTKEY_IN_FLIGHT), npm start's topology against Portkey,
 * each fresh (portkey-memory.ts).
 */
export async function runPortkey(settings: {
  quick: boolean;
  seconds: number;
  rounds?: number;
  concurrencies: number[];
}): Promise<{
  portkey_version: string;
  runs: Record<number, PortkeyArmRun[]>;
  summary: PortkeySummary[];
  memory?: InFlightMemory;
}> {
  const rounds = settings.rounds ?? (settings.quick ? 1 : 4);
  const seconds = settings.quick ? settings.seconds : settings.seconds / 2;
  const fake = await spawnServer("servers/fast-openai.ts", { FAKE_TOKEN: FAKE_OPENAI_TOKEN });
  // Started side by side: `--quick` has a minute for every scenario.
  const ourEnv = chainEnvFor(fake.origin);
  const [portkey, system, separate] = await Promise.all([
    startPortkey(),
    startSystem(ourEnv, { providers: ["openai"], frontInProcess: true }),
    startSystem(ourEnv, { providers: ["openai"] }),
  ]);
  const runs: Record<number, PortkeyArmRun[]> = Object.fromEntries(settings.concurrencies.map((c) => [c, []]));
  try {
    const keysOf = (chain: typeof system) =>
      Promise.all(
        Array.from({ length: KEYS }, (_, i) =>
          createEnterpriseKey(chain.baseUrl, chain.adminKey, `bench-portkey-${i}`),
        ),
      );
    const [keys, separateKeys] = await Promise.all([keysOf(system), keysOf(separate)]);
    const openAiBody = JSON.stringify({ model: "gpt-image-1", prompt: "a blue square", size: "1024x1024", n: 1 });
    const openAiHeaders = { authorization: `Bearer ${FAKE_OPENAI_TOKEN}`, "content-type": "application/json" };
    let next = 0;
    const ourArm = (chain: typeof system, chainKeys: string[], arm: keyof typeof OUR_PROCESSES) => ({
      origin: chain.baseUrl,
      path: "/api/v2/generate/text-to-image",
      headers: () => ({ authorization: `Bearer ${chainKeys[next++ % KEYS]}`, "content-type": "application/json" }),
      body: JSON.stringify({
        prompt: "a blue square",
        model: "gpt-image-1",
        parameters: { width: 1024, height: 1024 },
        use_cache: false,
      }),
      pids: { ...Object.fromEntries(OUR_PROCESSES[arm].map((p) => [p, chain.pid(p)])), fake: fake.child.pid },
    });
    const arms: Record<
      Arm,
      {
        origin: string;
        path: string;
        headers: () => Record<string, string>;
        body: string;
        pids: Record<string, number | undefined>;
      }
    > = {
      direct: {
        origin: fake.origin,
        path: "/v1/images/generations",
        headers: () => openAiHeaders,
        body: openAiBody,
        pids: { fake: fake.child.pid },
      },
      portkey: {
        origin: portkey.origin,
        path: "/v1/images/generations",
        headers: () => ({
          ...openAiHeaders,
          "x-portkey-provider": "openai",
          "x-portkey-custom-host": `${fake.origin}/v1`,
        }),
        body: openAiBody,
        pids: { portkey: portkey.child.pid, fake: fake.child.pid },
      },
      ours: ourArm(system, keys, "ours"),
      ours_separate: ourArm(separate, separateKeys, "ours_separate"),
    };
    const measure = async (
      arm: Arm,
      concurrency: number,
      runSeconds: number,
    ): Promise<Omit<PortkeyArmRun, "round">> => {
      const { origin, path, headers, body, pids } = arms[arm];
      const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
      let before: Record<string, number> = {};
      let after: Record<string, number> = {};
      const readCpu = (): Record<string, number> =>
        Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
      try {
        const load = await runCallLoad(
          async () => {
            const res = await pool.request({ method: "POST", path, headers: headers(), body });
            await res.body.arrayBuffer();
            if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
          },
          concurrency,
          runSeconds,
          { start: () => (before = readCpu()), end: () => (after = readCpu()) },
        );
        const cpu = Object.fromEntries(
          Object.keys(pids).map((name) => [name, ((after[name] ?? NaN) - (before[name] ?? NaN)) / load.requests]),
        );
        return { arm, load, cpu_ms_per_request: cpu };
      } finally {
        await pool.close();
      }
    };
    // Warm-up: every arm at the highest concurrency (JIT, connections, first provider describe).
    const top = Math.max(...settings.concurrencies);
    for (const arm of ARMS) await measure(arm, top, settings.quick ? 0.3 : 2);
    for (let round = 0; round < rounds; round++) {
      const order = ARMS.map((_, i) => ARMS[(i + round) % ARMS.length] as Arm);
      for (const c of settings.concurrencies) {
        for (const arm of order) runs[c]?.push({ round, ...(await measure(arm, c, seconds)) });
      }
    }
  } finally {
    await Promise.all([system.stop(), separate.stop()]);
    portkey.stop();
    fake.stop();
  }
  const summary = settings.concurrencies.map((c) => summarize(c, runs[c] ?? [], rounds));
  print(summary, rounds, seconds, portkey.version);
  const memory = settings.quick
    ? undefined
    : await runInFlightMemory(Number(process.env.BENCH_PORTKEY_IN_FLIGHT ?? 1000), 3000);
  printTargets(summary, memory);
  return { portkey_version: portkey.version, runs, summary, memory };
}

function summarize(concurrency: number, runs: PortkeyArmRun[], rounds: number): PortkeySummary {
  const perRound = Array.from({ length: rounds }, (_, round) => {
    const of = (arm: Arm): LoadResult => runs.find((r) => r.round === round && r.arm === arm)!.load;
    const [d, p, o, s] = [of("direct"), of("portkey"), of("ours"), of("ours_separate")];
    return {
      added_p50: { portkey: p.p50 - d.p50, ours: o.p50 - d.p50, ours_separate: s.p50 - d.p50 },
      added_p99: { portkey: p.p99 - d.p99, ours: o.p99 - d.p99, ours_separate: s.p99 - d.p99 },
      rps: { direct: d.rps, portkey: p.rps, ours: o.rps, ours_separate: s.rps },
    };
  });
  const med = (pick: (r: (typeof perRound)[number]) => number): number => median(perRound.map(pick));
  // CPU per request over all rounds: total CPU over total requests (one tick is 10 ms).
  const cpuOf = (arm: "portkey" | "ours" | "ours_separate", names: readonly string[]): Record<string, number> => {
    const armRuns = runs.filter((r) => r.arm === arm);
    const requests = armRuns.reduce((sum, r) => sum + r.load.requests, 0);
    const cpu: Record<string, number> = {};
    for (const name of names)
      cpu[name] = armRuns.reduce((sum, r) => sum + (r.cpu_ms_per_request[name] ?? NaN) * r.load.requests, 0) / requests;
    cpu.all = names.reduce((sum, name) => sum + (cpu[name] ?? NaN), 0);
    return cpu;
  };
  const others = ["portkey", "ours_separate"] as const;
  return {
    concurrency,
    rounds,
    ours_to_portkey_added_p50: med((r) => r.added_p50.ours / r.added_p50.portkey),
    ours_to_portkey_added_p99: med((r) => r.added_p99.ours / r.added_p99.portkey),
    ours_to_portkey_rps: med((r) => r.rps.ours / r.rps.portkey),
    ours_separate_to_portkey_added_p50: med((r) => r.added_p50.ours_separate / r.added_p50.portkey),
    ours_separate_to_portkey_rps: med((r) => r.rps.ours_separate / r.rps.portkey),
    added_p50_ms: {
      ours: med((r) => r.added_p50.ours),
      ...Object.fromEntries(others.map((arm) => [arm, med((r) => r.added_p50[arm])])),
    } as PortkeySummary["added_p50_ms"],
    added_p99_ms: {
      ours: med((r) => r.added_p99.ours),
      ...Object.fromEntries(others.map((arm) => [arm, med((r) => r.added_p99[arm])])),
    } as PortkeySummary["added_p99_ms"],
    rps: Object.fromEntries(ARMS.map((arm) => [arm, med((r) => r.rps[arm])])) as PortkeySummary["rps"],
    cpu_ms_per_request: {
      portkey: cpuOf("portkey", ["portkey"]),
      ours: cpuOf("ours", OUR_PROCESSES.ours),
      ours_separate: cpuOf("ours_separate", OUR_PROCESSES.ours_separate),
    },
    errors: runs.reduce((sum, r) => sum + r.load.errors, 0),
  };
}

function print(summary: PortkeySummary[], rounds: number, seconds: number, version: string): void {
  printTable(
    `Against Portkey ${version}: added over a direct call to the same fake OpenAI (median of ${rounds} interleaved round(s) of ${seconds} s per arm; ours = npm start's topology, front in the gateway's process; separate = gateway, front and provider processes, as deploy/)`,
    [
      "concurrency",
      "ours/Portkey added p50",
      "ours/Portkey added p99",
      "ours/Portkey req/s",
      "separate/Portkey added p50",
      "separate/Portkey req/s",
      "Portkey added p50 ms",
      "our added p50 ms",
      "separate added p50 ms",
      "Portkey added p99 ms",
      "our added p99 ms",
      "direct req/s",
      "Portkey req/s",
      "our req/s",
      "separate req/s",
      "errors",
    ],
    summary.map((s) => [
      String(s.concurrency),
      s.ours_to_portkey_added_p50,
      s.ours_to_portkey_added_p99,
      s.ours_to_portkey_rps,
      s.ours_separate_to_portkey_added_p50,
      s.ours_separate_to_portkey_rps,
      s.added_p50_ms.portkey,
      s.added_p50_ms.ours,
      s.added_p50_ms.ours_separate,
      s.added_p99_ms.portkey,
      s.added_p99_ms.ours,
      s.rps.direct,
      s.rps.portkey,
      s.rps.ours,
      s.rps.ours_separate,
      String(s.errors),
    ]),
  );
  printTable(
    "Against Portkey: CPU ms per generation per process (user + system, /proc)",
    [
      "concurrency",
      "Portkey",
      "ours, all",
      "ours: gateway + front",
      "ours: openai provider",
      "separate, all",
      "separate: gateway",
      "separate: front",
      "separate: openai provider",
      "ours/Portkey",
    ],
    summary.map((s) => {
      const { portkey, ours, ours_separate: separate } = s.cpu_ms_per_request;
      return [
        String(s.concurrency),
        portkey.all ?? NaN,
        ours.all ?? NaN,
        ours.gateway ?? NaN,
        ours.openai ?? NaN,
        separate.all ?? NaN,
        separate.gateway ?? NaN,
        separate.front ?? NaN,
        separate.openai ?? NaN,
        (ours.all ?? NaN) / (portkey.all ?? NaN),
      ];
    }),
  );
}

function printTargets(summary: PortkeySummary[], memory: InFlightMemory | undefined): void {
  const at = (c: number): PortkeySummary | undefined => summary.find((s) => s.concurrency === c);
  const verdict = (value: number | undefined, ok: (v: number) => boolean): string =>
    value === undefined || !Number.isFinite(value) ? "not measured" : ok(value) ? "met" : "not met";
  const p50Ratio = at(1)?.ours_to_portkey_added_p50;
  const rpsRatio = at(64)?.ours_to_portkey_rps;
  const cpu64 = at(64)?.cpu_ms_per_request.ours.all;
  printTable(
    "Against Portkey: issue 19's targets for this round",
    ["target", "measured", "verdict"],
    [
      ["added p50 at c=1 ≤ 2× Portkey's", p50Ratio ?? NaN, verdict(p50Ratio, (v) => v <= 2)],
      ["req/s at c=64 ≥ 0.5× Portkey's", rpsRatio ?? NaN, verdict(rpsRatio, (v) => v >= 0.5)],
      ["CPU per generation at c=64 ≤ 1.5 ms (all our processes)", cpu64 ?? NaN, verdict(cpu64, (v) => v <= 1.5)],
      [
        `≤ 200 KiB per in-flight generation (${memory?.in_flight ?? "-"} in flight)`,
        memory?.kib_per_generation.ours ?? NaN,
        verdict(memory?.kib_per_generation.ours, (v) => v <= 200),
      ],
    ],
  );
}

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
