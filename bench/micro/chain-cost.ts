/**
 * Our chain alone, for A/B runs between two checkouts (issue 19): REST text-to-image → gateway →
 * front → openai provider → the fast fake OpenAI, closed loop at one concurrency, CPU per
 * generation of each process from /proc (user + system, and system alone).
 *   node --import tsx bench/micro/chain-cost.ts [concurrency=64] [seconds=8] [rounds=3]
 * CHAIN_SEPARATE=1 runs deploy/'s topology (gateway, front, provider processes) instead of
 * npm start's. Alternate the two checkouts run by run: this machine's figures drift between runs
 * (file creation slows for minutes after many files were deleted), so only alternating pairs compare.
 */
import { Pool } from "undici";
import { startSystem } from "../../gateway/test/start-system.ts";
import { runCallLoad } from "../load.ts";
import { cpuMs, systemCpuMs } from "../process-cpu.ts";
import { spawnServer } from "../spawn-server.ts";
import { chainEnvFor, createEnterpriseKey, FAKE_OPENAI_TOKEN } from "../openai-chain.ts";

const KEYS = 4;
const concurrency = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 8);
const rounds = Number(process.argv[4] ?? 3);
const separate = process.env.CHAIN_SEPARATE === "1";

const fake = await spawnServer("servers/fast-openai.ts", { FAKE_TOKEN: FAKE_OPENAI_TOKEN });
const system = await startSystem(chainEnvFor(fake.origin), { providers: ["openai"], frontInProcess: !separate });
const names = separate ? ["gateway", "front", "openai"] : ["gateway", "openai"];
const keys = await Promise.all(
  Array.from({ length: KEYS }, (_, i) => createEnterpriseKey(system.baseUrl, system.adminKey, `chain-cost-${i}`)),
);
const body = JSON.stringify({
  prompt: "a blue square",
  model: "gpt-image-1",
  parameters: { width: 1024, height: 1024 },
  use_cache: false,
});
let next = 0;
try {
  // Round 0 warms up (JIT, connections, the provider's first describe) and is not printed.
  for (let round = 0; round <= rounds; round++) {
    const pool = new Pool(system.baseUrl, { connections: concurrency, pipelining: 1 });
    let before: Record<string, [number, number]> = {};
    let after: Record<string, [number, number]> = {};
    const read = () =>
      Object.fromEntries(names.map((n) => [n, [cpuMs(system.pid(n)), systemCpuMs(system.pid(n))] as [number, number]]));
    const load = await runCallLoad(
      async () => {
        const res = await pool.request({
          method: "POST",
          path: "/api/v2/generate/text-to-image",
          headers: { authorization: `Bearer ${keys[next++ % KEYS]}`, "content-type": "application/json" },
          body,
        });
        await res.body.arrayBuffer();
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      },
      concurrency,
      round === 0 ? 2 : seconds,
      { start: () => (before = read()), end: () => (after = read()) },
    );
    await pool.close();
    if (round === 0) continue;
    const perGeneration = (name: string, i: 0 | 1) =>
      (((after[name]?.[i] ?? NaN) - (before[name]?.[i] ?? NaN)) / load.requests).toFixed(3);
    const cpu = names.map((n) => `${n} ${perGeneration(n, 0)} (system ${perGeneration(n, 1)})`).join(", ");
    console.log(
      `c=${concurrency} ${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(2)} ms, ${load.errors} errors; CPU ms per generation: ${cpu}`,
    );
  }
} finally {
  await system.stop();
  fake.stop();
}
