export { createDualProtocolServer, DualProtocolServer } from "./dual-protocol-server.ts";
export type { UniversalRequestHandler, DualProtocolServerOptions } from "./dual-protocol-server.ts";
export { registerReflection, REFLECTION_SERVICE_NAMES } from "./reflection-service.ts";
export { READINESS_DETAIL_HEADER, registerHealth } from "./health-service.ts";
export { clientFaultForUnparseableRequests } from "./request-parse-errors.ts";
export type { HealthProbe } from "./health-service.ts";
export { createLogger } from "./logger.ts";
export type { Logger, LogFields } from "./logger.ts";
export { onShutdownSignal } from "./shutdown.ts";
export { createInternalTransport, INTERNAL_PROTOCOLS, type InternalProtocol } from "./internal-transport.ts";
export { guardRpcHandler } from "./guard-rpc-handler.ts";
export { connectionErrorCode, lostConnection, wasConnectionRefused } from "./connection-errors.ts";
export {
  loadServiceIdentity,
  loadServiceSecret,
  MIN_SERVICE_SECRET_LENGTH,
  SERVICE_SECRET_FILE,
} from "./service-secret.ts";
export {
  newChallenge,
  ServiceIdentity,
  SERVICE_CHALLENGE_HEADER,
  SERVICE_PROOF_HEADER,
  SERVICE_TOKEN_HEADER,
  TOKEN_WINDOW_MS,
  type VerifiedToken,
} from "./service-identity.ts";
export {
  combineRequestGates,
  createServiceIdentityGate,
  createServiceIdentityInterceptor,
  isUnprovenPeer,
  serviceCallerKey,
  TOKEN_REUSE_MS,
  UNPROVEN_PEER_MESSAGE,
  type RequestGate,
  type ServiceIdentityGateOptions,
} from "./identity-interceptors.ts";
export { answerUnknownRpc, looksLikeRpc, unimplementedFallback } from "./unknown-rpc.ts";
export { answerRpcError, type RpcErrorAnswerOptions } from "./answer-rpc-error.ts";
export { drawRandomBytes } from "./random-pool.ts";
