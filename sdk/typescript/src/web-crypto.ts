// Browsers, Deno, Bun and Node 19+ have Web Crypto as a global; Node 18 has it only as
// `node:crypto`'s `webcrypto`. The specifier is built at runtime so bundlers for the browser do
// not try to resolve a Node module they will never load.
let loaded: Promise<Crypto> | undefined;

/** The platform's Web Crypto. */
export function webCrypto(): Promise<Crypto> {
  const global = (globalThis as { crypto?: Crypto }).crypto;
  if (global?.subtle) return Promise.resolve(global);
  const specifier = ["node", "crypto"].join(":");
  loaded ??= (import(/* @vite-ignore */ specifier) as Promise<{ webcrypto: Crypto }>).then((m) => m.webcrypto);
  return loaded;
}

/** A random idempotency key: "sdk_" and 32 hex digits (128 bits). */
export async function newIdempotencyKey(): Promise<string> {
  const bytes = (await webCrypto()).getRandomValues(new Uint8Array(16));
  return `sdk_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
