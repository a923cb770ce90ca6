/** A vendor answer's headers, read by name (case-insensitive); `Headers` fits too. */
export interface ResponseHeaders {
  /** The header's value (repeated headers joined with ", "), or null when absent. */
  get(name: string): string | null;
}

/** The headers undici hands back (lower-case names, arrays for repeats), read like `Headers`. */
export function responseHeaders(raw: Record<string, string | string[] | undefined>): ResponseHeaders {
  return {
    get(name) {
      const value = raw[name.toLowerCase()];
      if (typeof value === "string") return value;
      return Array.isArray(value) ? value.join(", ") : null;
    },
  };
}
