export { ERROR_DOMAIN, apiError, describeError } from "./api-error.ts";
export type { ApiErrorOptions, DescribedError, FieldViolation } from "./api-error.ts";
export { allErrorRows, errorRow, errorRowByName, reasonForCode } from "./error-table.ts";
export type { ErrorRow } from "./error-table.ts";
export { ErrorReason } from "@imagegen/proto/imagegen/v1/errors_pb";
export { PROMPT_REFUSAL_DETAILS, PROMPT_REFUSAL_MESSAGE, promptRefusal } from "./prompt-refusal.ts";
