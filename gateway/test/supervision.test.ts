import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROVIDER_NODE_FLAGS } from "@imagegen/provider-kit/node-flags";
import { afterAll, describe, expect, it } from "vitest";
import { generate, runStartScript, type StartScript } from "./start-script.ts";

// `npm start` as an operator runs it: a front killed with SIGKILL is restarted by the
// supervisor, the gateway answers 503 meanwhile, and only a crash loop stops the system. The
// front's own process is IMAGEGEN_FRONT_IN_PROCESS=false; by default it runs in the gateway's.
const started: StartScript[] = [];
afterAll(() => Promise.all(started.map((s) => s.stop())));

const readyz = (system: StartScript) =>
  fetch(`${system.baseUrl}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
    (r) => r.status,
    () => 0,
  );

describe("npm start supervision", () => {
  it("restarts a front killed with SIGKILL on its port; meanwhile calls get 503, then 200 within 30 s", async () => {
    const system = await runStartScript({ IMAGEGEN_FRONT_IN_PROCESS: "false" });
    started.push(system);
    await system.waitFor(/^imagegen: serving on/m, 45_000);
    const frontPort = Number((await system.waitFor(/"service":"front","msg":"listening","port":(\d+)/, 1_000))[1]);
    expect((await generate(system)).status).toBe(200);

    // Mid-load: calls in flight when the front dies are answered (503 or, if they finished, 200).
    const inFlight = Array.from({ length: 4 }, () =>
      fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
        method: "POST",
        headers: { authorization: `Bearer ${system.key}`, "content-type": "application/json" },
        body: JSON.stringify({
          prompt: "a storm",
          model: "local",
          parameters: { width: 1024, height: 1024, num_outputs: 2 },
        }),
        signal: AbortSignal.timeout(20_000),
      }).then((r) => r.status),
    );
    await new Promise((r) => setTimeout(r, 150));
    const frontPid = system.pid("front")!;
    const killedAt = Date.now();
    process.kill(frontPid, "SIGKILL");
    for (const status of await Promise.all(inFlight)) expect([200, 503]).toContain(status);

    // Every answer while the front is down is a prompt 503; the first 200 ends the outage.
    const downStatuses = new Set<number>();
    let readyWhileDown: number | undefined;
    let servedAt: number | undefined;
    while (Date.now() - killedAt < 30_000) {
      const { status, json } = await generate(system, system.key, 10_000);
      if (status === 200) {
        servedAt = Date.now();
        break;
      }
      downStatuses.add(status);
      expect(json?.error?.code, JSON.stringify(json)).toBe("UNAVAILABLE");
      readyWhileDown ??= await readyz(system);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(servedAt, `not serving 30 s after the kill:\n${system.output()}`).toBeDefined();
    console.log(`front SIGKILL → first 200 through the gateway: ${servedAt! - killedAt} ms`);
    expect([...downStatuses]).toEqual([503]);
    expect(readyWhileDown).toBe(503);
    expect(await readyz(system)).toBe(200);

    // Restarted by the supervisor, with a line saying so, on the port the gateway was given.
    expect(system.output()).toMatch(
      /^\[front {2}\] exited unexpectedly \(signal SIGKILL after [\d.]+ s\); restarting in 0\.5 s/m,
    );
    expect(system.pid("front")).not.toBe(frontPid);
    expect(system.output()).toContain(`[front  ] started, pid ${system.pid("front")}, port ${frontPort}`);
    // Ctrl-C in its terminal (SIGINT to its process group): gateway first, then front, then the provider.
    process.kill(-system.process.pid!, "SIGINT");
    expect(await system.exited).toBe(0);
    const stopped = [...system.output().matchAll(/^\[(\w+)\s*\] stopped \(code 0\)$/gm)].map((m) => m[1]);
    expect(stopped).toEqual(["gateway", "front", "local"]);
  });

  it("stops the whole system on a crash loop, with a last line naming the child and why", async () => {
    // A catalog whose provider list npm start can read but whose model the front refuses.
    const dir = mkdtempSync(join(tmpdir(), "imagegen-crash-loop-"));
    const config = join(dir, "imagegen.yaml");
    writeFileSync(
      config,
      'providers:\n  local: { url: "http://127.0.0.1:8090" }\nmodels:\n  - { id: broken, name: Broken, type: text-to-image, routes: [{ provider: nowhere, model: x }] }\n',
    );
    const system = await runStartScript({ IMAGEGEN_CONFIG: config, IMAGEGEN_FRONT_IN_PROCESS: "false" });
    started.push(system);
    const code = await system.exited;
    rmSync(dir, { recursive: true, force: true });
    const lines = system.output().trimEnd().split("\n");
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(
      /^imagegen: stopping: front exited 5 times within 60 s \(last: code 1 after [\d.]+ s\), a crash loop; see its log above$/,
    );
    // Its own error is shown, the backoff doubled, and the gateway was never started.
    expect(system.output()).toContain("unknown provider nowhere");
    expect(system.output().match(/restarting in [\d.]+ s/g)).toEqual([
      "restarting in 0.5 s",
      "restarting in 1 s",
      "restarting in 2 s",
      "restarting in 4 s",
    ]);
    expect(system.output()).not.toContain("[gateway] started");
  });

  it("runs the front inside the gateway's process by default, restarted with it when it dies", async () => {
    const system = await runStartScript();
    started.push(system);
    await system.waitFor(/^imagegen: serving on/m, 45_000);
    expect(system.pid("front")).toBeUndefined();
    expect(system.output()).toMatch(/"service":"front","msg":"listening in the gateway's process","port":\d+/);
    expect((await generate(system)).status).toBe(200);
    // A provider runs with provider-kit's Node flags (its bounded young generation), the gateway without.
    const commandLine = (pid: number | undefined) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    expect(commandLine(system.pid("local"))).toEqual(expect.arrayContaining([...PROVIDER_NODE_FLAGS]));
    expect(commandLine(system.pid("gateway"))).not.toContain(PROVIDER_NODE_FLAGS[0]);

    const gatewayPid = system.pid("gateway")!;
    process.kill(gatewayPid, "SIGKILL");
    await system.waitFor(
      /^\[gateway\] exited unexpectedly \(signal SIGKILL after [\d.]+ s\); restarting in 0\.5 s/m,
      5_000,
    );
    let served = false;
    for (const deadline = Date.now() + 30_000; !served && Date.now() < deadline; ) {
      served = (await generate(system, system.key, 10_000).catch(() => ({ status: 0 }))).status === 200;
      if (!served) await new Promise((r) => setTimeout(r, 200));
    }
    expect(served, `not serving 30 s after the kill:\n${system.output()}`).toBe(true);
    expect(system.pid("gateway")).not.toBe(gatewayPid);

    process.kill(-system.process.pid!, "SIGINT");
    expect(await system.exited).toBe(0);
    const stopped = [...system.output().matchAll(/^\[(\w+)\s*\] stopped \(code 0\)$/gm)].map((m) => m[1]);
    expect(stopped).toEqual(["gateway", "local"]);
  });

  it("refuses to start without a readable catalog, in one line and before any child", async () => {
    const system = await runStartScript({ IMAGEGEN_CONFIG: "/nonexistent/imagegen.yaml" });
    started.push(system);
    expect(await system.exited).toBe(1);
    expect(system.output().trimEnd().split("\n").at(-1)).toMatch(
      /^imagegen: cannot start: .*\/nonexistent\/imagegen\.yaml.* \(IMAGEGEN_CONFIG\)$/,
    );
    expect(system.output()).not.toContain("] started");
  });
});
