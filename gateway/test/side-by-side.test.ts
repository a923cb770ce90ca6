import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../services/front/test/free-port.ts";
import { generate, runStartScript, type StartScript } from "./start-script.ts";

// Two `npm start` on one host, and what a taken port looks like to an operator.
const started: StartScript[] = [];
const blockers: Server[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const blocker of blockers) blocker.close();
});

async function occupy(): Promise<number> {
  const port = await freePort();
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
  return port;
}

describe("two systems on one host", () => {
  it("run side by side when only IMAGEGEN_PORT and IMAGEGEN_DATA_DIR differ; neither takes the other's key", async () => {
    const [a, b] = await Promise.all([
      runStartScript({ IMAGEGEN_BOOTSTRAP_KEY: "system-a-key-0123456789" }),
      runStartScript({ IMAGEGEN_BOOTSTRAP_KEY: "system-b-key-0123456789" }),
    ]);
    started.push(a!, b!);
    await Promise.all([a!.waitFor(/^imagegen: serving on/m, 50_000), b!.waitFor(/^imagegen: serving on/m, 50_000)]);
    const imagePaths: string[] = [];
    for (const system of [a!, b!]) {
      const { status, json } = await generate(system);
      expect(status, JSON.stringify(json)).toBe(200);
      const url = new URL(json.images[0].url);
      expect(url.port).toBe(String(system.port));
      imagePaths.push(url.pathname + url.search);
      const image = await fetch(system.baseUrl + imagePaths.at(-1));
      expect([image.status, image.headers.get("content-type")]).toEqual([200, "image/png"]);
    }
    // Separate data dirs: one system's signed image link means nothing to the other.
    expect((await fetch(b!.baseUrl + imagePaths[0])).status).not.toBe(200);
    expect((await fetch(a!.baseUrl + imagePaths[1])).status).not.toBe(200);
    expect((await generate(a!, b!.key)).status).toBe(401);
    expect((await generate(b!, a!.key)).status).toBe(401);
    // Their internal services listen on different ports the OS picked.
    const frontPort = (s: StartScript) => s.output().match(/"service":"front","msg":"listening[^"]*","port":(\d+)/)![1];
    expect(frontPort(a!)).not.toBe(frontPort(b!));
  });
});

describe("a taken port", () => {
  it("public: one line naming IMAGEGEN_PORT, no stack trace, a non-zero exit", async () => {
    const port = await occupy();
    const system = await runStartScript({ IMAGEGEN_PORT: String(port) });
    started.push(system);
    const code = await system.exited;
    expect(code).not.toBe(0);
    expect(system.output().trimEnd().split("\n").at(-1)).toBe(
      `gateway: port ${port} is in use; set IMAGEGEN_PORT to a free port`,
    );
    expect(system.output()).not.toMatch(/EADDRINUSE|^\s+at /m);
    expect(system.output()).not.toMatch(/restarting/);
  });

  it("internal, set explicitly: the same, naming its variable", async () => {
    const port = await occupy();
    for (const [inProcess, owner] of [
      ["true", "gateway"],
      ["false", "front"],
    ]) {
      const system = await runStartScript({ IMAGEGEN_FRONT_PORT: String(port), IMAGEGEN_FRONT_IN_PROCESS: inProcess! });
      started.push(system);
      expect(await system.exited).not.toBe(0);
      expect(system.output().trimEnd().split("\n").at(-1)).toBe(
        `${owner}: port ${port} is in use; set IMAGEGEN_FRONT_PORT to a free port`,
      );
      expect(system.output()).not.toMatch(/EADDRINUSE|^\s+at /m);
    }
  });
});
