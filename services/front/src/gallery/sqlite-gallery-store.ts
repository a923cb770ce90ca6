import type { DatabaseSync } from "node:sqlite";
import { SQLITE_GALLERY_TABLES } from "./gallery-schema.ts";
import {
  galleryItemValues,
  toCollection,
  toGalleryItem,
  type CollectionRecord,
  type GalleryItemRecord,
  type GalleryQuery,
  type GalleryStore,
} from "./gallery-store.ts";

type Row = Record<string, string | number | null>;

/** The gallery in the embedded SQLite file, on the front's shared connection. */
export class SqliteGalleryStore implements GalleryStore {
  constructor(private readonly db: DatabaseSync) {
    for (const sql of SQLITE_GALLERY_TABLES) this.db.exec(sql);
  }

  async findItemByImage(owner: string, imageId: string): Promise<GalleryItemRecord | undefined> {
    return this.itemByImage(owner, imageId);
  }

  // One immediate transaction, so two adds of the same image (from any process sharing the file) make one item.
  async insertItemOnce(
    item: GalleryItemRecord,
    collectionIds: readonly string[],
  ): Promise<{ item: GalleryItemRecord; created: boolean }> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const existing = this.itemByImage(item.owner, item.imageId);
      const holder = existing ?? item;
      if (!existing)
        this.db
          .prepare("INSERT INTO gallery_items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
          .run(...galleryItemValues(item));
      for (const c of collectionIds)
        this.db.prepare("INSERT OR IGNORE INTO collection_items VALUES (?, ?)").run(c, holder.id);
      this.db.exec("COMMIT");
      return { item: holder, created: !existing };
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  async deleteItem(owner: string, id: string): Promise<boolean> {
    const deleted =
      Number(this.db.prepare("DELETE FROM gallery_items WHERE id = ? AND owner = ?").run(id, owner).changes) > 0;
    if (deleted) this.db.prepare("DELETE FROM collection_items WHERE item_id = ?").run(id);
    return deleted;
  }

  async listItems(owner: string, q: GalleryQuery): Promise<{ items: GalleryItemRecord[]; total: number }> {
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
    const total = Number(
      (this.db.prepare(`SELECT COUNT(*) AS n FROM gallery_items WHERE ${filter}`).get(...args) as Row).n,
    );
    const column = q.sort === "title" ? "title" : "created_at";
    const direction = q.order === "asc" ? "ASC" : "DESC";
    const rows = this.db
      .prepare(
        `SELECT * FROM gallery_items WHERE ${filter} ORDER BY ${column} ${direction}, id ${direction} LIMIT ? OFFSET ?`,
      )
      .all(...args, q.limit, (q.page - 1) * q.limit) as Row[];
    return { items: rows.map(toGalleryItem), total };
  }

  async collectionsOf(itemId: string): Promise<string[]> {
    return (
      this.db
        .prepare("SELECT collection_id FROM collection_items WHERE item_id = ? ORDER BY rowid")
        .all(itemId) as Row[]
    ).map((r) => String(r.collection_id));
  }

  async insertCollection(c: CollectionRecord): Promise<void> {
    this.db
      .prepare("INSERT INTO collections VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(c.id, c.owner, c.name, c.slug, c.description, c.isPublic ? 1 : 0, c.coverImageId, c.createdAt);
  }

  async updateCollection(c: CollectionRecord): Promise<void> {
    this.db
      .prepare(
        "UPDATE collections SET name = ?, slug = ?, description = ?, is_public = ?, cover_image_id = ? WHERE id = ? AND owner = ?",
      )
      .run(c.name, c.slug, c.description, c.isPublic ? 1 : 0, c.coverImageId, c.id, c.owner);
  }

  async deleteCollection(owner: string, id: string): Promise<boolean> {
    const deleted =
      Number(this.db.prepare("DELETE FROM collections WHERE id = ? AND owner = ?").run(id, owner).changes) > 0;
    if (deleted) this.db.prepare("DELETE FROM collection_items WHERE collection_id = ?").run(id);
    return deleted;
  }

  async findCollection(owner: string, ref: string): Promise<CollectionRecord | undefined> {
    const row = this.db
      .prepare(
        `SELECT * FROM collections WHERE owner = ? AND (id = ? OR slug = ? OR lower(name) = lower(?))
         ORDER BY (id = ?) DESC, (slug = ?) DESC, created_at, id LIMIT 1`,
      )
      .get(owner, ref, ref, ref, ref, ref) as Row | undefined;
    return row && toCollection(row);
  }

  async getCollection(owner: string, idOrSlug: string): Promise<CollectionRecord | undefined> {
    const row = this.db
      .prepare("SELECT * FROM collections WHERE owner = ? AND (id = ? OR slug = ?)")
      .get(owner, idOrSlug, idOrSlug) as Row | undefined;
    return row && toCollection(row);
  }

  async listCollections(owner: string, limit: number, offset: number): Promise<CollectionRecord[]> {
    return (
      this.db
        .prepare("SELECT * FROM collections WHERE owner = ? ORDER BY created_at, id LIMIT ? OFFSET ?")
        .all(owner, limit, offset) as Row[]
    ).map(toCollection);
  }

  async itemCount(collectionId: string): Promise<number> {
    return Number(
      (this.db.prepare("SELECT COUNT(*) AS n FROM collection_items WHERE collection_id = ?").get(collectionId) as Row)
        .n,
    );
  }

  private itemByImage(owner: string, imageId: string): GalleryItemRecord | undefined {
    const row = this.db
      .prepare("SELECT * FROM gallery_items WHERE owner = ? AND image_id = ? ORDER BY created_at, id LIMIT 1")
      .get(owner, imageId) as Row | undefined;
    return row && toGalleryItem(row);
  }
}
