import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { apiError, ErrorReason } from "@imagegen/errors";
import {
  CollectionSchema,
  GalleryItemSchema,
  GalleryService,
  type Collection,
  type GalleryItem,
} from "@imagegen/proto/imagegen/v1/gallery_service_pb";
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import type { CollectionRecord, GalleryItemRecord, GalleryStore } from "../gallery/gallery-store.ts";
import type { ImageStore } from "../images/image-store.ts";
import type { Store } from "../store/store.ts";
import { principalOf } from "./principal-of.ts";

const THUMBNAIL_WIDTH = 256;

/** GalleryService: items (an owner's chosen images) and collections of them. */
export function registerGalleryService(
  router: ConnectRouter,
  deps: { gallery: GalleryStore; store: Store; images: ImageStore },
): void {
  const { gallery, store, images } = deps;

  const itemMessage = async (item: GalleryItemRecord): Promise<GalleryItem> => {
    const image = await store.getImage(item.owner, item.imageId);
    const generation = image && (await store.getGeneration(item.owner, image.generationId));
    const seconds = generation?.completedAt ? (generation.completedAt - generation.createdAt) / 1000 : 0;
    return create(GalleryItemSchema, {
      id: item.id,
      imageId: item.imageId,
      generationId: item.generationId,
      url: image ? images.url(image.path) : "",
      thumbnailUrl: images.url(item.thumbnailPath),
      prompt: item.prompt,
      model: item.model,
      createdAt: timestampFromMs(item.createdAt),
      tags: item.tags,
      metadata: {
        width: image?.width ?? 0,
        height: image?.height ?? 0,
        sizeBytes: image?.sizeBytes ?? 0,
        generationTimeSeconds: seconds,
      },
      interactions: { views: 0, likes: 0, downloads: 0 },
      isPublic: item.isPublic,
      isFeatured: false,
      title: item.title,
      description: item.description,
      collections: await gallery.collectionsOf(item.id),
    });
  };

  const collectionMessage = async (c: CollectionRecord): Promise<Collection> => {
    const cover = c.coverImageId ? await store.getImage(c.owner, c.coverImageId) : undefined;
    return create(CollectionSchema, {
      id: c.id,
      name: c.name,
      slug: c.slug,
      description: c.description,
      createdAt: timestampFromMs(c.createdAt),
      itemCount: await gallery.itemCount(c.id),
      isPublic: c.isPublic,
      coverImageUrl: cover ? images.url(cover.path) : "",
    });
  };

  const ownCollection = async (owner: string, ref: string): Promise<CollectionRecord> => {
    const c = await gallery.findCollection(owner, ref);
    if (!c) throw apiError(ErrorReason.NOT_FOUND, `collection ${ref} not found`);
    return c;
  };

  const ownCoverImage = async (owner: string, imageId: string): Promise<void> => {
    if (imageId && !(await store.getImage(owner, imageId)))
      throw apiError(ErrorReason.NOT_FOUND, `image ${imageId} not found`);
  };

  router.service(GalleryService, {
    async listGalleryItems(req, ctx) {
      const owner = principalOf(ctx).owner;
      const page = Math.max(1, req.page || 1);
      const limit = req.limit || 20;
      const { items, total } = await gallery.listItems(owner, {
        page,
        limit,
        sort: req.sort === "title" ? "title" : "created_at",
        order: req.order === "asc" ? "asc" : "desc",
        tags: req.tags
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
        model: req.model,
        from: req.dateFrom ? Date.parse(`${req.dateFrom}T00:00:00Z`) : undefined,
        to: req.dateTo ? Date.parse(`${req.dateTo}T23:59:59.999Z`) : undefined,
      });
      return { gallery: { totalItems: total, page, limit, items: await Promise.all(items.map(itemMessage)) } };
    },

    async addGalleryItem(req, ctx) {
      const owner = principalOf(ctx).owner;
      const image = await store.getImage(owner, req.imageId);
      if (!image) throw apiError(ErrorReason.NOT_FOUND, `image ${req.imageId} not found`);
      const generation = await store.getGeneration(owner, image.generationId);
      const collectionIds: string[] = [];
      for (const c of req.collections) {
        const existing = await gallery.findCollection(owner, c);
        if (!existing) {
          throw apiError(ErrorReason.NOT_FOUND, `collection ${c} not found; create it with POST /api/v2/collections`, {
            fieldViolations: [
              {
                field: "collections",
                description: `no collection with the id, slug or name "${c}"`,
                rule: "collection.exists",
              },
            ],
          });
        }
        collectionIds.push(existing.id);
      }
      // An image is in the gallery once: adding it again files the existing item under the
      // request's collections too and answers it (REST 200, not 201).
      const present = await gallery.findItemByImage(owner, image.id);
      if (present) {
        const merged = await gallery.insertItemOnce(present, collectionIds);
        return { item: await itemMessage(merged.item), alreadyInGallery: true };
      }
      const id = `gallery_item_${randomBytes(12).toString("base64url")}`;
      // A real thumbnail, so lists stay light: 256 px wide JPEG beside the original.
      const thumbnail = await sharp(await images.read(image.path))
        .resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer();
      const thumbnailPath = await images.put(image.generationId, `${id}_thumb`, "jpg", thumbnail);
      const item: GalleryItemRecord = {
        id,
        owner,
        imageId: image.id,
        generationId: image.generationId,
        thumbnailPath,
        title: req.title,
        description: req.description,
        tags: [...new Set(req.tags)],
        model: generation?.model ?? "",
        prompt: generation?.prompt ?? "",
        isPublic: req.isPublic,
        createdAt: Math.floor(Date.now() / 1000) * 1000,
      };
      // Another add of the same image may have won the race while the thumbnail was made: then
      // its item is the answer (this thumbnail, a few KB, stays unreferenced on disk).
      const stored = await gallery.insertItemOnce(item, collectionIds);
      return { item: await itemMessage(stored.item), alreadyInGallery: !stored.created };
    },

    async deleteGalleryItem(req, ctx) {
      if (!(await gallery.deleteItem(principalOf(ctx).owner, req.id)))
        throw apiError(ErrorReason.NOT_FOUND, `gallery item ${req.id} not found`);
      return {};
    },

    async createCollection(req, ctx) {
      const owner = principalOf(ctx).owner;
      await ownCoverImage(owner, req.coverImageId);
      const slug = await uniqueSlug(owner, req.name, gallery);
      const collection: CollectionRecord = {
        id: `coll_${randomBytes(9).toString("base64url")}`,
        owner,
        name: req.name,
        slug,
        description: req.description,
        isPublic: req.isPublic,
        coverImageId: req.coverImageId,
        createdAt: Math.floor(Date.now() / 1000) * 1000,
      };
      await gallery.insertCollection(collection);
      return { collection: await collectionMessage(collection) };
    },

    async listCollections(req, ctx) {
      const owner = principalOf(ctx).owner;
      const limit = req.pageSize || 20;
      const offset = req.pageToken ? Number.parseInt(req.pageToken, 10) || 0 : 0;
      const rows = await gallery.listCollections(owner, limit + 1, offset);
      return {
        collections: await Promise.all(rows.slice(0, limit).map(collectionMessage)),
        nextPageToken: rows.length > limit ? String(offset + limit) : "",
      };
    },

    async getCollection(req, ctx) {
      return { collection: await collectionMessage(await ownCollection(principalOf(ctx).owner, req.id)) };
    },

    async updateCollection(req, ctx) {
      const owner = principalOf(ctx).owner;
      const current = await ownCollection(owner, req.id);
      if (req.coverImageId !== undefined) await ownCoverImage(owner, req.coverImageId);
      const next: CollectionRecord = {
        ...current,
        name: req.name ?? current.name,
        slug:
          req.name !== undefined && req.name !== current.name
            ? await uniqueSlug(owner, req.name, gallery)
            : current.slug,
        description: req.description ?? current.description,
        isPublic: req.isPublic ?? current.isPublic,
        coverImageId: req.coverImageId ?? current.coverImageId,
      };
      await gallery.updateCollection(next);
      return { collection: await collectionMessage(next) };
    },

    async deleteCollection(req, ctx) {
      const owner = principalOf(ctx).owner;
      if (!(await gallery.deleteCollection(owner, (await ownCollection(owner, req.id)).id)))
        throw apiError(ErrorReason.NOT_FOUND, `collection ${req.id} not found`);
      return {};
    },
  });
}

/** "My Landscapes" → "my-landscapes", with "-2", "-3"… when the owner already has it. */
async function uniqueSlug(owner: string, name: string, gallery: GalleryStore): Promise<string> {
  const base =
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "collection";
  let slug = base;
  for (let n = 2; await gallery.getCollection(owner, slug); n++) slug = `${base}-${n}`;
  return slug;
}
