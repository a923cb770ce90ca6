/**
 * The capability check lives in the provider kit: providers run it before any upstream call and
 * the front runs the same one to pick routes, so both always agree.
 */
export { checkAgainstLimits } from "@imagegen/provider-kit";
