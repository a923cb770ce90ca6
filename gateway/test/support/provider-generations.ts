import { expect } from "vitest";
import type { RunningSystem } from "../start-system.ts";

// What the provider end-to-end suites (providers-e2e*.test.ts) ask of every provider: a REST
// text-to-image call, and images served by us — never a link to the vendor's fake.

/** A REST text-to-image call with the system's admin key. */
export async function generateThroughRest(
  system: RunningSystem,
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${system.baseUrl}/api/v2/generate/text-to-image`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${system.adminKey}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

/** `count` images, each at our own URL (not the vendor's), served with the size the answer states. */
export async function expectOurImages(
  system: RunningSystem,
  json: Record<string, any>,
  count: number,
  vendorBase: string,
): Promise<void> {
  expect(json.images).toHaveLength(count);
  for (const image of json.images) {
    expect(image.url.startsWith(`${system.baseUrl}/images/`)).toBe(true);
    expect(image.url).not.toContain(vendorBase);
    const file = await fetch(image.url);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBe(image.size_bytes);
  }
}
