import { defineConfig } from "vitest/config";

// Three levels (README, "Test it"), each a vitest project, run alone with `npm run test:<name>`:
// - contract: every provider service against a fake that speaks its vendor's real wire protocol;
// - system: real processes on loopback ports (gateway/test, the examples) and the suites that
//   start PostgreSQL and Redis;
// - unit: everything else, beside the code, in process.
const CONTRACT = ["services/providers/*/test/**/*.test.ts"];
const SYSTEM = [
  "gateway/test/**/*.test.ts",
  "examples/**/*.test.ts",
  // The SDKs' end-to-end suites (each starts the system; Python and Go run their own toolchains).
  "sdk/typescript/test/sdk-e2e.test.ts",
  "sdk/go/test/**/*.test.ts",
  "sdk/python/test/**/*.test.ts",
  "sdk/webhook-signatures.test.ts",
  // The state-backend suites (they start PostgreSQL and Redis from Debian's binaries).
  "services/front/src/store/store.test.ts",
  "services/front/src/store/redis-connection.test.ts",
  "services/front/src/leases/lease-store.test.ts",
  "services/front/src/metering/rate-limiter.test.ts",
];
const EXCLUDE = ["**/node_modules/**", "build/**", "data/**"];

export default defineConfig({
  test: {
    exclude: EXCLUDE,
    // One temp folder per run, removed at its end (vitest.temp-root.ts).
    globalSetup: ["./vitest.temp-root.ts"],
    // System tests start real processes; their first request pays for module loading.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each system test file starts its own processes on free ports; two at a time fits 2 cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["**/*.test.ts"], exclude: [...EXCLUDE, ...CONTRACT, ...SYSTEM] },
      },
      { extends: true, test: { name: "contract", include: CONTRACT } },
      { extends: true, test: { name: "system", include: SYSTEM } },
    ],
  },
});
