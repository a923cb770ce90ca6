import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
let imageId: string;
beforeAll(async () => {
  system = await startSystem();
  const generation = await call("POST", "/api/v2/generate/text-to-image", {
    prompt: "Beautiful sunset over mountains",
    model: "local",
    parameters: { width: 512, height: 384 },
  });
  imageId = generation.json.images[0].id;
});
afterAll(() => system?.stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(system.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Record<string, any> };
}

describe("collections and gallery (seed 004)", () => {
  it("creates a collection with the seed's request and response shape", async () => {
    const { status, json } = await call("POST", "/api/v2/collections", {
      name: "My Landscapes",
      description: "Collection of my best landscape generations",
      is_public: false,
      cover_image_id: imageId,
    });
    expect(status).toBe(201);
    expect(Object.keys(json.collection).sort()).toEqual(
      ["cover_image_url", "created_at", "description", "id", "is_public", "item_count", "name", "slug"].sort(),
    );
    expect(json.collection).toMatchObject({
      name: "My Landscapes",
      slug: "my-landscapes",
      item_count: 0,
      is_public: false,
    });
    expect(json.collection.cover_image_url).toContain("/images/");
  });

  it("adds an image with the seed's request, files it under collections, and lists it with the seed's filters", async () => {
    await call("POST", "/api/v2/collections", { name: "Landscapes" });
    await call("POST", "/api/v2/collections", { name: "Favorites" });
    const added = await call("POST", "/api/v2/gallery/items", {
      image_id: imageId,
      title: "Sunset Masterpiece",
      description: "A beautiful sunset captured in AI art",
      tags: ["sunset", "landscape", "nature"],
      is_public: true,
      collections: ["landscapes", "favorites"],
    });
    expect(added.status).toBe(201);
    expect(added.json.item).toMatchObject({
      image_id: imageId,
      title: "Sunset Masterpiece",
      is_public: true,
      model: "local",
    });
    expect(added.json.item.collections).toHaveLength(2);

    const today = new Date().toISOString().slice(0, 10);
    const list = await call(
      "GET",
      `/api/v2/gallery?page=1&limit=20&sort=created_at&order=desc&tags=landscape,nature&model=local&date_from=${today}&date_to=${today}`,
    );
    expect(list.status).toBe(200);
    expect(list.json.gallery).toMatchObject({ total_items: 1, page: 1, limit: 20 });
    const item = list.json.gallery.items[0];
    for (const key of [
      "id",
      "image_id",
      "generation_id",
      "url",
      "thumbnail_url",
      "prompt",
      "model",
      "created_at",
      "tags",
      "metadata",
      "interactions",
      "is_public",
      "is_featured",
    ]) {
      expect(item).toHaveProperty(key);
    }
    expect(item.metadata).toMatchObject({ width: 512, height: 384 });
    expect(item.prompt).toBe("Beautiful sunset over mountains");
    const thumbnail = await fetch(item.thumbnail_url);
    expect(thumbnail.headers.get("content-type")).toBe("image/jpeg");

    const none = await call("GET", "/api/v2/gallery?tags=portrait");
    expect(none.json.gallery.total_items).toBe(0);
    const coll = await call("GET", "/api/v2/collections/landscapes");
    expect(coll.json.collection.item_count).toBe(1);
  });

  it("answers NOT_FOUND for images and collections that are not the caller's", async () => {
    expect((await call("POST", "/api/v2/gallery/items", { image_id: "img_nope" })).status).toBe(404);
    expect((await call("GET", "/api/v2/collections/coll_nope")).status).toBe(404);
  });

  it("updates and deletes a collection (204)", async () => {
    const created = await call("POST", "/api/v2/collections", { name: "Temp" });
    const updated = await call("PATCH", `/api/v2/collections/${created.json.collection.id}`, {
      name: "Renamed",
      is_public: true,
    });
    expect(updated.json.collection).toMatchObject({ name: "Renamed", slug: "renamed", is_public: true });
    const deleted = await call("DELETE", `/api/v2/collections/${created.json.collection.id}`);
    expect(deleted.status).toBe(204);
    expect((await call("GET", `/api/v2/collections/${created.json.collection.id}`)).status).toBe(404);
  });
});

describe("user profile (seed 004)", () => {
  it("reports usage with the seed's shape", async () => {
    const { status, json } = await call("GET", "/api/v2/user/profile");
    expect(status).toBe(200);
    expect(Object.keys(json.user)).toEqual(
      expect.arrayContaining(["id", "username", "created_at", "subscription", "usage", "preferences"]),
    );
    expect(json.user.subscription).toEqual({ plan: "enterprise", status: "active" });
    expect(json.user.usage.images_generated_today).toBeGreaterThanOrEqual(1);
    expect(json.user.usage.images_generated_month).toBeGreaterThanOrEqual(json.user.usage.images_generated_today);
    expect(json.user.usage.storage_used_mb).toBeGreaterThan(0);
    expect(Object.keys(json.user.preferences).sort()).toEqual([
      "auto_save_gallery",
      "default_model",
      "default_size",
      "nsfw_filter",
    ]);
  });

  it("applies saved preferences when a request leaves model and size unset", async () => {
    const saved = await call("PATCH", "/api/v2/user/preferences", {
      default_model: "local",
      default_size: "320x240",
      nsfw_filter: true,
      auto_save_gallery: false,
    });
    expect(saved.status).toBe(200);
    expect(saved.json.user.preferences).toMatchObject({ default_model: "local", default_size: "320x240" });
    const generation = await call("POST", "/api/v2/generate/text-to-image", { prompt: "a quiet harbour" });
    expect(generation.json.model).toBe("local");
    expect(generation.json.images[0]).toMatchObject({ width: 320, height: 240 });
    const bad = await call("PATCH", "/api/v2/user/preferences", { default_size: "huge" });
    expect(bad.status).toBe(400);
  });
});
