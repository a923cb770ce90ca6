/**
 * @imagegen/provider-kit/testing: what provider tests share — the fake-upstream server helper,
 * the ContractFake shape every vendor fake implements, a real gRPC server for a provider
 * service, and the one contract suite.
 */
export { createFakeServer, sendCutOff, sendJson, sendMalformed, sendSlowBody } from "./fake-server.ts";
export type { FakeHandler, FakeServer, RecordedRequest } from "./fake-server.ts";
export type { ContractFake, FakeBehaviour } from "./contract-fake.ts";
export { createSyncScript } from "./sync-script.ts";
export type { StatusAnswer, SyncScript } from "./sync-script.ts";
export { runProviderContractSuite } from "./contract-suite.ts";
export type { ContractCase, ContractSuiteOptions } from "./contract-suite.ts";
export { createCapturingLogger, serveProvider } from "./serve-provider.ts";
export type { ServedProvider } from "./serve-provider.ts";
export { testImage } from "./test-image.ts";
