import { drawRandomBytes } from "@imagegen/server-kit";

const CLIENT_ID = /^[\w.:-]{1,128}$/;

/** The client's X-Request-ID when it is a sane token, otherwise a new "req_…" id. */
export function requestIdFor(clientValue: string | string[] | undefined): string {
  const value = Array.isArray(clientValue) ? clientValue[0] : clientValue;
  return value && CLIENT_ID.test(value) ? value : `req_${drawRandomBytes(12).toString("base64url")}`;
}
