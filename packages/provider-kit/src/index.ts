/**
 * @imagegen/provider-kit: everything provider microservices share. A provider folder declares a
 * `ProviderDefinition` (models as data, a pure translator and error mapper, the vendor flow over
 * `job.http`) and calls `runProviderMain`; tests use "@imagegen/provider-kit/testing".
 */
export type {
  ModelDeclaration,
  ProviderCallContext,
  ProviderDefinition,
  ProviderEvent,
  ProviderJob,
} from "./provider-definition.ts";
export { createProviderService } from "./provider-service.ts";
export type { ProviderServiceOptions } from "./provider-service.ts";
export { runProviderMain } from "./provider-main.ts";
export type { ProviderMainOptions } from "./provider-main.ts";
export { envName, readProviderEnvironment } from "./provider-config.ts";
export type { ProviderEnvironment } from "./provider-config.ts";
export { createHttpClient } from "./http-client.ts";
export type { HttpClient, HttpClientOptions, UpstreamRequest, UpstreamResponse } from "./http-client.ts";
export type { ResponseHeaders } from "./response-headers.ts";
export { downloadImage, MAX_IMAGE_BYTES } from "./download.ts";
export { decodeDataUri, sniffFormat } from "./image-bytes.ts";
export { pollUntil } from "./poll.ts";
export type { PollOptions } from "./poll.ts";
export { abortError, abortedByDeadline, sleep } from "./deadline.ts";
export type { Sleep } from "./deadline.ts";
export { createRedactingLogger, createRedactor, redactError, REDACTED } from "./redact.ts";
export type { Redactor } from "./redact.ts";
export {
  badResponse,
  contentPolicy,
  generationFailed,
  parseRetryAfter,
  reasonForStatus,
  upstreamError,
} from "./upstream-errors.ts";
export type { UpstreamErrorResponse, UpstreamFailure, VendorError, VendorErrorMapper } from "./upstream-errors.ts";
export { checkAgainstLimits } from "./check-limits.ts";
export { toFormData } from "./form-data.ts";
export type { MultipartPart } from "./form-data.ts";
export { FORMAT_NAMES, formatName, formatOfMediaType, formatOfName, mediaTypeOf } from "./formats.ts";
export type { FormatName } from "./formats.ts";
