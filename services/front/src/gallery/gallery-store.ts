import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";

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

type Row = Record<string, string | number | null>;

/** Gallery items, collections and their membership, per owner, in the embedded SQLite file. */
export class GalleryStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS gallery_items (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, image_id TEXT NOT NULL, generation_id TEXT NOT NULL,
      thumbnail_path TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, tags TEXT NOT NULL,
      model TEXT NOT NULL, prompt TEXT NOT NULL, is_public INTEGER NOT NULL, created_at INTEGER NOT NULL)`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS collections (
      id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, slug TEXT NOT NULL, description TEXT NOT NULL,
      is_public INTEGER NOT NULL, cover_image_id TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (owner, slug))`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS collection_items (collection_id TEXT NOT NULL, item_id TEXT NOT NULL,
      PRIMARY KEY (collection_id, item_id))`);
  }

  /** The owner's gallery item holding `imageId`, if the image is in the gallery (the oldest one). */
  findItemByImage(owner: string, imageId: string): GalleryItemRecord | undefined {
    const row = this.db.prepare("SELECT * FROM gallery_items WHERE owner = ? AND image_id = ? ORDER BY created_at, id LIMIT 1").get(owner, imageId) as Row | undefined;
    return row && toItem(row);
  }

  /**
   * Inserts `item` unless the owner's gallery already holds its image, and files whichever item
   * holds it under `collectionIds` (merged with the collections it had). One immediate
   * transaction, so two adds of the same image (from any process sharing the file) make one item.
   */
  insertItemOnce(item: GalleryItemRecord, collectionIds: readonly string[]): { item: GalleryItemRecord; created: boolean } {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const existing = this.findItemByImage(item.owner, item.imageId);
      const holder = existing ?? item;
      if (!existing) {
        this.db
          .prepare("INSERT INTO gallery_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .run(item.id, item.owner, item.imageId, item.generationId, item.thumbnailPath, item.title, item.description, JSON.stringify(item.tags), item.model, item.prompt, item.isPublic ? 1 : 0, item.createdAt);
      }
      for (const c of collectionIds) this.db.prepare("INSERT OR IGNORE INTO collection_items VALUES (?, ?)").run(c, holder.id);
      this.db.exec("COMMIT");
      return { item: holder, created: !existing };
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  deleteItem(owner: string, id: string): boolean {
    const deleted = Number(this.db.prepare("DELETE FROM gallery_items WHERE id = ? AND owner = ?").run(id, owner).changes) > 0;
    if (deleted) this.db.prepare("DELETE FROM collection_items WHERE item_id = ?").run(id);
    return deleted;
  }

  /** One page of the owner's items and the total matching the filters. */
  listItems(owner: string, q: GalleryQuery): { items: GalleryItemRecord[]; total: number } {
    const where = ["owner = ?"];
    const args: Array<string | number> = [owner];
    if (q.model) {
      where.push("model = ?");
      args.push(q.model);
    }
    if (q.from !== undefined) {
      where.push("created_at >= ?");
      args.push(q.from);
    }
    if (q.to !== undefined) {
      where.push("created_at <= ?");
      args.push(q.to);
    }
    for (const tag of q.tags) {
      where.push("EXISTS (SELECT 1 FROM json_each(gallery_items.tags) WHERE value = ?)");
      args.push(tag);
    }
    const filter = where.join(" AND ");
    const total = Number((this.db.prepare(`SELECT COUNT(*) AS n FROM gallery_items WHERE ${filter}`).get(...args) as Row).n);
    const column = q.sort === "title" ? "title" : "created_at";
    const direction = q.order === "asc" ? "ASC" : "DESC";
    const rows = this.db
      .prepare(`SELECT * FROM gallery_items WHERE ${filter} ORDER BY ${column} ${direction}, id ${direction} LIMIT ? OFFSET ?`)
      .all(...args, q.limit, (q.page - 1) * q.limit) as Row[];
    return { items: rows.map(toItem), total };
  }

  /** Ids of the collections an item is filed under, in the order it was filed. */
  collectionsOf(itemId: string): string[] {
    return (this.db.prepare("SELECT collection_id FROM collection_items WHERE item_id = ? ORDER BY rowid").all(itemId) as Row[]).map((r) => String(r.collection_id));
  }

  insertCollection(c: CollectionRecord): void {
    this.db
      .prepare("INSERT INTO collections VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(c.id, c.owner, c.name, c.slug, c.description, c.isPublic ? 1 : 0, c.coverImageId, c.createdAt);
  }

  updateCollection(c: CollectionRecord): void {
    this.db
      .prepare("UPDATE collections SET name = ?, slug = ?, description = ?, is_public = ?, cover_image_id = ? WHERE id = ? AND owner = ?")
      .run(c.name, c.slug, c.description, c.isPublic ? 1 : 0, c.coverImageId, c.id, c.owner);
  }

  deleteCollection(owner: string, id: string): boolean {
    const deleted = Number(this.db.prepare("DELETE FROM collections WHERE id = ? AND owner = ?").run(id, owner).changes) > 0;
    if (deleted) this.db.prepare("DELETE FROM collection_items WHERE collection_id = ?").run(id);
    return deleted;
  }

  /**
   * A collection of the owner's as a caller names it: by id, by slug, or by name without regard
   * to case (names need not be unique: the oldest collection of that name).
   */
  findCollection(owner: string, ref: string): CollectionRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT * FROM collections WHERE owner = ? AND (id = ? OR slug = ? OR lower(name) = lower(?))
         ORDER BY (id = ?) DESC, (slug = ?) DESC, created_at, id LIMIT 1`,
      )
      .get(owner, ref, ref, ref, ref, ref) as Row | undefined;
    return row && toCollection(row);
  }

  /** A collection of the owner's by id or slug (slugs are unique per owner). */
  getCollection(owner: string, idOrSlug: string): CollectionRecord | undefined {
    const row = this.db.prepare("SELECT * FROM collections WHERE owner = ? AND (id = ? OR slug = ?)").get(owner, idOrSlug, idOrSlug) as Row | undefined;
    return row && toCollection(row);
  }

  listCollections(owner: string, limit: number, offset: number): CollectionRecord[] {
    return (this.db.prepare("SELECT * FROM collections WHERE owner = ? ORDER BY created_at, id LIMIT ? OFFSET ?").all(owner, limit, offset) as Row[]).map(toCollection);
  }

  itemCount(collectionId: string): number {
    return Number((this.db.prepare("SELECT COUNT(*) AS n FROM collection_items WHERE collection_id = ?").get(collectionId) as Row).n);
  }

  close(): void {
    this.db.close();
  }
}

function toItem(r: Row): GalleryItemRecord {
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

function toCollection(r: Row): CollectionRecord {
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
