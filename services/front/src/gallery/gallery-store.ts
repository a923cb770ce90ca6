export interface GalleryItemRecord {
  readonly id: string;
  readonly owner: string;
  readonly imageId: string;
  readonly generationId: string;
  readonly thumbnailPath: string;
  readonly title: string;
  readonly description: string;
  readonly tags: string[];
  readonly model: string;
  readonly prompt: string;
  readonly isPublic: boolean;
  readonly createdAt: number;
}

export interface CollectionRecord {
  readonly id: string;
  readonly owner: string;
  readonly name: string;
  readonly slug: string;
  readonly description: string;
  readonly isPublic: boolean;
  readonly coverImageId: string;
  readonly createdAt: number;
}

export interface GalleryQuery {
  readonly page: number;
  readonly limit: number;
  readonly sort: "created_at" | "title";
  readonly order: "asc" | "desc";
  readonly tags: string[];
  readonly model: string;
  /** Inclusive bounds in ms since the epoch. */
  readonly from?: number;
  readonly to?: number;
}

/**
 * Gallery items, collections and their membership, per owner: one interface, so the embedded
 * SQLite default and the shared PostgreSQL pass one suite (gallery-store.test.ts).
 */
export interface GalleryStore {
  /** The owner's gallery item holding `imageId`, if the image is in the gallery (the oldest one). */
  findItemByImage(owner: string, imageId: string): Promise<GalleryItemRecord | undefined>;
  /**
   * Inserts `item` unless the owner's gallery already holds its image, and files whichever item
   * holds it under `collectionIds` (merged with the collections it had). Atomic: two adds of the
   * same image, from any replica, make one item.
   */
  insertItemOnce(
    item: GalleryItemRecord,
    collectionIds: readonly string[],
  ): Promise<{ item: GalleryItemRecord; created: boolean }>;
  deleteItem(owner: string, id: string): Promise<boolean>;
  /** One page of the owner's items and the total matching the filters. */
  listItems(owner: string, q: GalleryQuery): Promise<{ items: GalleryItemRecord[]; total: number }>;
  /** Ids of the collections an item is filed under, in the order it was filed. */
  collectionsOf(itemId: string): Promise<string[]>;
  insertCollection(c: CollectionRecord): Promise<void>;
  updateCollection(c: CollectionRecord): Promise<void>;
  deleteCollection(owner: string, id: string): Promise<boolean>;
  /**
   * A collection of the owner's as a caller names it: by id, by slug, or by name without regard
   * to case (names need not be unique: the oldest collection of that name).
   */
  findCollection(owner: string, ref: string): Promise<CollectionRecord | undefined>;
  /** A collection of the owner's by id or slug (slugs are unique per owner). */
  getCollection(owner: string, idOrSlug: string): Promise<CollectionRecord | undefined>;
  listCollections(owner: string, limit: number, offset: number): Promise<CollectionRecord[]>;
  itemCount(collectionId: string): Promise<number>;
}

type Row = Record<string, unknown>;

/** Row → record; the columns are the same on both backends. */
export function toGalleryItem(r: Row): GalleryItemRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    imageId: String(r.image_id),
    generationId: String(r.generation_id),
    thumbnailPath: String(r.thumbnail_path),
    title: String(r.title),
    description: String(r.description),
    tags: JSON.parse(String(r.tags)) as string[],
    model: String(r.model),
    prompt: String(r.prompt),
    isPublic: Number(r.is_public) === 1,
    createdAt: Number(r.created_at),
  };
}

/** Row → record; the columns are the same on both backends. */
export function toCollection(r: Row): CollectionRecord {
  return {
    id: String(r.id),
    owner: String(r.owner),
    name: String(r.name),
    slug: String(r.slug),
    description: String(r.description),
    isPublic: Number(r.is_public) === 1,
    coverImageId: String(r.cover_image_id),
    createdAt: Number(r.created_at),
  };
}

/** The values of one item row, in column order (both backends insert them so). */
export function galleryItemValues(item: GalleryItemRecord): Array<string | number> {
  return [
    item.id,
    item.owner,
    item.imageId,
    item.generationId,
    item.thumbnailPath,
    item.title,
    item.description,
    JSON.stringify(item.tags),
    item.model,
    item.prompt,
    item.isPublic ? 1 : 0,
    item.createdAt,
  ];
}
