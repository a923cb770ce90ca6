import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "build/**", "data/**"],
    // System tests start real processes; their first request pays for module loading.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each system test file starts its own processes on free ports; two at a time fits 2 cores.
    maxWorkers: 2,
  },
});
