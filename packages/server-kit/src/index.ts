export { createDualProtocolServer, DualProtocolServer } from "./dual-protocol-server.ts";
export type { UniversalRequestHandler, DualProtocolServerOptions } from "./dual-protocol-server.ts";
export { registerReflection } from "./reflection-service.ts";
export { registerHealth } from "./health-service.ts";
export { clientFaultForUnparseableRequests } from "./request-parse-errors.ts";
export type { HealthProbe } from "./health-service.ts";
export { createLogger } from "./logger.ts";
export type { Logger, LogFields } from "./logger.ts";
export { onShutdownSignal } from "./shutdown.ts";
