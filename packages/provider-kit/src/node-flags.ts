/**
 * Node flags every provider process runs with, whoever starts it (`npm start`, the test systems,
 * deploy/Dockerfile's provider target — a test there keeps the Dockerfile's CMD in step).
 *
 * `--max-semi-space-size=8`: a provider's in-flight job waits seconds on its vendor, so what it
 * holds for the job is promoted to the old generation whatever the young one's size; under a burst
 * V8 would otherwise grow each semi-space to 32 MiB, which only adds copying and resident memory.
 * Measured (issue 19): 1,000 jobs in flight, the openai provider's peak RSS growth 86–100 → 49–61 MiB;
 * CPU per job at 64 concurrent within noise (three alternating pairs, 0.445 → 0.461 ms).
 */
export const PROVIDER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=8"];
