import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Seed 004's POST /api/v2/gallery/items with its own body: collections named as the seed names
// them, and an image added twice stays one item.
let system: RunningSystem;
let imageId: string;

beforeAll(async () => {
  system = await startSystem();
  const generation = await call("POST", "/api/v2/generate/text-to-image", {
    prompt: "Sunset over the sea",
    model: "local",
    parameters: { width: 128, height: 96 },
  });
  imageId = JSON.parse(generation.text).images[0].id;
});
afterAll(() => system?.stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(system.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const seedBody = () => ({
  image_id: imageId,
  title: "Sunset Masterpiece",
  description: "A beautiful sunset captured in AI art",
  tags: ["sunset", "landscape", "nature"],
  is_public: true,
  collections: ["landscapes", "favorites"],
});

describe("gallery items as in seed 004", () => {
  const ids: Record<string, string> = {};

  it("files the seed's collections by slug and by name; adding the image again answers 200 with the same item, collections merged", async () => {
    for (const name of ["Landscapes", "Favorites", "Best Of 2024"]) {
      const created = await call("POST", "/api/v2/collections", { name });
      ids[name] = JSON.parse(created.text).collection.id;
    }
    const first = await call("POST", "/api/v2/gallery/items", seedBody());
    expect(first.status).toBe(201);
    const item = JSON.parse(first.text).item as Record<string, unknown>;
    expect(first.text).toBe(
      JSON.stringify({ item: { ...item, collections: [ids.Landscapes, ids.Favorites] }, already_in_gallery: false }),
    );

    // Again, naming a third collection by its name (any case) and one by its id.
    const again = await call("POST", "/api/v2/gallery/items", {
      ...seedBody(),
      title: "ignored",
      collections: ["best of 2024", ids.Favorites!],
    });
    expect(again.status).toBe(200);
    const second = JSON.parse(again.text).item as Record<string, unknown>;
    // Signed URLs carry their own expiry: same file, possibly a newer signature.
    expect([new URL(String(second.url)).pathname, new URL(String(second.thumbnail_url)).pathname]).toEqual([
      new URL(String(item.url)).pathname,
      new URL(String(item.thumbnail_url)).pathname,
    ]);
    // Filed in order: the first add's two, then the new one (Favorites is not filed twice).
    const merged = [ids.Landscapes, ids.Favorites, ids["Best Of 2024"]];
    expect(again.text).toBe(
      JSON.stringify({
        item: { ...item, url: second.url, thumbnail_url: second.thumbnail_url, collections: merged },
        already_in_gallery: true,
      }),
    );

    const list = JSON.parse((await call("GET", "/api/v2/gallery")).text) as { gallery: { total_items: number } };
    expect(list.gallery.total_items).toBe(1);
    const best = JSON.parse((await call("GET", `/api/v2/collections/${encodeURIComponent("Best Of 2024")}`)).text) as {
      collection: Record<string, unknown>;
    };
    expect(best.collection).toMatchObject({ id: ids["Best Of 2024"], slug: "best-of-2024", item_count: 1 });
  });

  it("a collection the owner does not have is 404 naming it", async () => {
    const res = await call("POST", "/api/v2/gallery/items", { ...seedBody(), collections: ["portraits"] });
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).error).toMatchObject({
      code: "NOT_FOUND",
      message: "collection portraits not found; create it with POST /api/v2/collections",
    });
  });
});
