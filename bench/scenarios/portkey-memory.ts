import { Agent, request } from "undici";
import { startSystem } from "../../gateway/test/start-system.ts";
import { startPortkey } from "../portkey-gateway.ts";
import { rssMiB, samplePeakRss } from "../process-memory.ts";
import { spawnServer } from "../spawn-server.ts";
import { printTable } from "../table.ts";
import { chainEnvFor, FAKE_OPENAI_TOKEN } from "../openai-chain.ts";

// npm start's topology: the front runs in the gateway's process.
const OUR_PROCESSES = ["gateway", "openai"] as const;

/** `floor`: a bare Node proxy (bench/servers/bare-proxy.ts) in front of the same fake, for scale. */
type Arm = "floor" | "portkey" | "ours";

export interface InFlightMemory {
  readonly in_flight: number;
  readonly upstream_delay_ms: number;
  readonly completed: Record<Arm, number>;
  readonly added_mib: Record<string, number>;
  readonly kib_per_generation: Record<Arm, number>;
}

/**
 * Memory per in-flight generation, Portkey against ours, beside a bare Node proxy for scale:
 * `inFlight` requests sent at once to a fresh bare proxy, Portkey and chain in front of a fake
 * OpenAI that holds every answer `delayMs`, one arm after the other. Peak RSS under load minus
 * idle RSS (garbage not yet collected included), summed over each arm's processes, divided by the
 * number in flight.
 */
export async function runInFlightMemory(inFlight: number, delayMs: number): Promise<InFlightMemory> {
  const fake = await spawnServer("servers/fast-openai.ts", {
    FAKE_TOKEN: FAKE_OPENAI_TOKEN,
    FAKE_DELAY_MS: String(delayMs),
  });
  const [floor, portkey, system] = await Promise.all([
    spawnServer("servers/bare-proxy.ts", { UPSTREAM: fake.origin }),
    startPortkey(),
    startSystem(chainEnvFor(fake.origin), { providers: ["openai"], frontInProcess: true }),
  ]);
  const agent = new Agent({ connections: inFlight, headersTimeout: 0, bodyTimeout: 0 });
  const openAiBody = JSON.stringify({ model: "gpt-image-1", prompt: "a blue square", size: "1024x1024", n: 1 });
  const arms = {
    floor: {
      url: `${floor.origin}/v1/images/generations`,
      headers: { authorization: `Bearer ${FAKE_OPENAI_TOKEN}`, "content-type": "application/json" },
      body: openAiBody,
      pids: { floor: floor.child.pid },
    },
    portkey: {
      url: `${portkey.origin}/v1/images/generations`,
      headers: {
        authorization: `Bearer ${FAKE_OPENAI_TOKEN}`,
        "content-type": "application/json",
        "x-portkey-provider": "openai",
        "x-portkey-custom-host": `${fake.origin}/v1`,
      },
      body: openAiBody,
      pids: { portkey: portkey.child.pid },
    },
    ours: {
      url: `${system.baseUrl}/api/v2/generate/text-to-image`,
      headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        prompt: "a blue square",
        model: "gpt-image-1",
        parameters: { width: 1024, height: 1024 },
        use_cache: false,
      }),
      pids: Object.fromEntries(OUR_PROCESSES.map((p) => [p, system.pid(p)])),
    },
  };
  const completed = { floor: 0, portkey: 0, ours: 0 };
  const kib = { floor: NaN, portkey: NaN, ours: NaN };
  const added: Record<string, number> = {};
  try {
    for (const arm of ["floor", "portkey", "ours"] as const) {
      const { url, headers, body, pids } = arms[arm];
      const send = async (): Promise<boolean> => {
        const res = await request(url, { method: "POST", dispatcher: agent, headers, body });
        await res.body.arrayBuffer();
        return res.statusCode === 200;
      };
      await Promise.all(Array.from({ length: 8 }, send)); // warm-up
      await new Promise((r) => setTimeout(r, 1000));
      const idle = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]));
      const sampler = samplePeakRss(pids);
      const answers = await Promise.all(Array.from({ length: inFlight }, () => send().catch(() => false)));
      const peak = sampler.stop();
      completed[arm] = answers.filter(Boolean).length;
      for (const name of Object.keys(pids)) added[name] = Math.max(0, (peak[name] ?? NaN) - (idle[name] ?? NaN));
      kib[arm] = (Object.keys(pids).reduce((sum, name) => sum + (added[name] ?? NaN), 0) * 1024) / inFlight;
    }
  } finally {
    await agent.close();
    await system.stop();
    portkey.stop();
    floor.stop();
    fake.stop();
  }
  printTable(
    `Against Portkey: memory per in-flight generation, ${inFlight} sent at once, upstream holds each ${delayMs} ms (peak − idle RSS)`,
    ["arm", "completed", "added MiB per process", "KiB per in-flight generation"],
    [
      [
        "bare Node proxy (node:http + undici)",
        String(completed.floor),
        `proxy ${(added.floor ?? NaN).toFixed(0)}`,
        kib.floor,
      ],
      ["Portkey", String(completed.portkey), `portkey ${(added.portkey ?? NaN).toFixed(0)}`, kib.portkey],
      [
        "ours",
        String(completed.ours),
        OUR_PROCESSES.map((p) => `${p} ${(added[p] ?? NaN).toFixed(0)}`).join(", "),
        kib.ours,
      ],
    ],
  );
  return { in_flight: inFlight, upstream_delay_ms: delayMs, completed, added_mib: added, kib_per_generation: kib };
}
