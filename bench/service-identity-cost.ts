/**
 * `node --import tsx bench/service-identity-cost.ts [--quick]`: what service identity costs per
 * internal call (issue 15, point 5). Two figures:
 * 1. CPU: the four HMAC-SHA256 steps of one call (caller issues a token, callee verifies it and
 *    proves, caller checks the proof), in a tight loop.
 * 2. A real hop: Health.Check over Connect/h2c (the default internal protocol), client and server
 *    in this process, with and without the identity interceptor and gate — sequential calls in
 *    alternating rounds. Both figures are this process's CPU time (process.cpuUsage), not wall
 *    time, so other load on a shared machine does not count against either side.
 */
import { randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Health } from "@imagegen/proto/grpc/health/v1/health_pb";
import {
  createDualProtocolServer,
  createInternalTransport,
  createServiceIdentityGate,
  createServiceIdentityInterceptor,
  newChallenge,
  registerHealth,
  ServiceIdentity,
} from "@imagegen/server-kit";

const quick = process.argv.includes("--quick");
const secret = randomBytes(32);
const caller = new ServiceIdentity("front", secret);
const callee = new ServiceIdentity("provider-local", secret);

// CPU microseconds (user + system) `run` takes, per call.
function cpuMicrosPerCall(calls: number, run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / calls;
}

// Per call with a fresh token (the worst case: a caller reuses one for TOKEN_REUSE_MS, and the
// callee then finds it verified already): issue, verify, prove the challenge, check the proof.
function cpuPerCallMicros(calls: number): { total: number; caller: number; callee: number } {
  const tokens = Array.from({ length: calls }, () => caller.issue("provider-local"));
  const challenges = Array.from({ length: calls }, newChallenge);
  const proofs: string[] = [];
  const issue = cpuMicrosPerCall(calls, () => {
    for (let i = 0; i < calls; i++) {
      caller.issue("provider-local");
      newChallenge();
    }
  });
  const verifyAndProve = cpuMicrosPerCall(calls, () => {
    for (let i = 0; i < calls; i++) {
      const verified = callee.verify(tokens[i]!);
      if ("refused" in verified) throw new Error(verified.refused);
      proofs.push(callee.prove(challenges[i]!));
    }
  });
  const check = cpuMicrosPerCall(calls, () => {
    for (let i = 0; i < calls; i++)
      if (!caller.checkProof("provider-local", challenges[i]!, proofs[i])) throw new Error("proof did not check out");
  });
  return { total: issue + verifyAndProve + check, caller: issue + check, callee: verifyAndProve };
}

async function hopMicros(rounds: number, callsPerRound: number): Promise<{ plain: number; identified: number }> {
  const serve = async (gated: boolean): Promise<{ url: string; close: () => Promise<void> }> => {
    const handler = connectNodeAdapter({
      requestGate: gated ? createServiceIdentityGate(callee, { required: true }) : undefined,
      routes: (router) => registerHealth(router, async () => true),
    });
    const server = createDualProtocolServer(handler);
    const port = await server.listen(0, "127.0.0.1");
    return { url: `http://127.0.0.1:${port}`, close: () => server.close(0) };
  };
  const plainServer = await serve(false);
  const gatedServer = await serve(true);
  const plain = createClient(Health, createInternalTransport(plainServer.url, [], "connect"));
  const identified = createClient(
    Health,
    createInternalTransport(gatedServer.url, [createServiceIdentityInterceptor(caller, "provider-local")], "connect"),
  );
  const round = async (client: typeof plain): Promise<number> => {
    const before = process.cpuUsage();
    for (let i = 0; i < callsPerRound; i++) await client.check({});
    const used = process.cpuUsage(before);
    return (used.user + used.system) / callsPerRound;
  };
  // Warm both paths (JIT, connections) before measuring.
  await round(plain);
  await round(identified);
  const samples = { plain: [] as number[], identified: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    samples.plain.push(await round(plain));
    samples.identified.push(await round(identified));
  }
  await Promise.all([plainServer.close(), gatedServer.close()]);
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { plain: median(samples.plain), identified: median(samples.identified) };
}

cpuPerCallMicros(20_000); // warm-up
const cpu = cpuPerCallMicros(quick ? 20_000 : 200_000);
console.log(
  `CPU per call with a fresh token, all four HMAC steps: ${cpu.total.toFixed(2)} µs (caller ${cpu.caller.toFixed(2)} µs, callee ${cpu.callee.toFixed(2)} µs)`,
);
const hop = await hopMicros(quick ? 3 : 9, quick ? 500 : 3000);
console.log(
  `Health.Check over Connect/h2c, client + server CPU per call, median of rounds: ${hop.plain.toFixed(1)} µs plain, ${hop.identified.toFixed(1)} µs with identity ` +
    `(+${(hop.identified - hop.plain).toFixed(1)} µs, ${(((hop.identified - hop.plain) / hop.plain) * 100).toFixed(1)} %)`,
);
