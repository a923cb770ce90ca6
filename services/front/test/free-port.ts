import { createServer } from "node:net";

// Ports for the processes a test starts. Asking the kernel (listen on 0, then close) hands out a
// port from its ephemeral range and frees it at once: the next ask — in this file, in the other
// vitest worker — or any outgoing connection can be given the same port before the child binds
// it (CI once saw the front and the local provider both handed 44335). So each vitest worker
// takes ports from a block of its own below the ephemeral range (32768 and up on Linux, which the
// kernel never picks by itself), never hands one out twice, and checks each is free first.
const FIRST_PORT = 20_000;
const BLOCK_SIZE = 1_500;
const BLOCKS = 8;

const poolId = Number(process.env.VITEST_POOL_ID ?? 0) % BLOCKS;
const blockStart = FIRST_PORT + poolId * BLOCK_SIZE;
// A file's module state starts afresh (vitest isolates files): a random start keeps the worker's
// next file off the ports its last one used, and two test runs side by side off each other's.
let next = Math.floor(Math.random() * BLOCK_SIZE);
const handedOut = new Set<number>();

/** A loopback port nothing listens on and nothing in this worker has been given. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK_SIZE; tries++) {
    const port = blockStart + (next++ % BLOCK_SIZE);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port in ${blockStart}-${blockStart + BLOCK_SIZE - 1}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
