import type { PostgresDatabase } from "../store/postgres-database.ts";
import {
  galleryItemValues,
  toCollection,
  toGalleryItem,
  type CollectionRecord,
  type GalleryItemRecord,
  type GalleryQuery,
  type GalleryStore,
} from "./gallery-store.ts";

const ITEM_BY_IMAGE = "SELECT * FROM gallery_items WHERE owner = $1 AND image_id = $2 ORDER BY created_at, id LIMIT 1";

/** The gallery in the shared PostgreSQL, so every replica lists what any other saved. */
export class PostgresGalleryStore implements GalleryStore {
  constructor(private readonly db: PostgresDatabase) {}

  async findItemByImage(owner: string, imageId: string): Promise<GalleryItemRecord | undefined> {
    const { rows } = await this.db.query(ITEM_BY_IMAGE, [owner, imageId]);
    return rows[0] && toGalleryItem(rows[0]);
  }

  async insertItemOnce(
    item: GalleryItemRecord,
    collectionIds: readonly string[],
  ): Promise<{ item: GalleryItemRecord; created: boolean }> {
    return this.db.transaction(async (query) => {
      // Two replicas adding the same image queue on this lock (released at commit): one inserts, the other finds it.
      await query("SELECT pg_advisory_xact_lock(hashtext($1))", [`gallery:${item.owner}:${item.imageId}`]);
      const existing = (await query(ITEM_BY_IMAGE, [item.owner, item.imageId])).rows[0];
      const holder = existing ? toGalleryItem(existing) : item;
      if (!existing)
        await query(
          "INSERT INTO gallery_items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
          galleryItemValues(item),
        );
      for (const c of collectionIds)
        await query("INSERT INTO collection_items (collection_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
          c,
          holder.id,
        ]);
      return { item: holder, created: !existing };
    });
  }

  async deleteItem(owner: string, id: string): Promise<boolean> {
    return this.db.transaction(async (query) => {
      const deleted =
        ((await query("DELETE FROM gallery_items WHERE id = $1 AND owner = $2", [id, owner])).rowCount ?? 0) > 0;
      if (deleted) await query("DELETE FROM collection_items WHERE item_id = $1", [id]);
      return deleted;
    });
  }

  async listItems(owner: string, q: GalleryQuery): Promise<{ items: GalleryItemRecord[]; total: number }> {
    const args: unknown[] = [owner];
    const where = ["owner = $1"];
    if (q.model) where.push(`model = $${args.push(q.model)}`);
    if (q.from !== undefined) where.push(`created_at >= $${args.push(q.from)}`);
    if (q.to !== undefined) where.push(`created_at <= $${args.push(q.to)}`);
    for (const tag of q.tags) where.push(`tags::jsonb @> jsonb_build_array($${args.push(tag)}::text)`);
    const filter = where.join(" AND ");
    const total = Number(
      (await this.db.query(`SELECT COUNT(*) AS n FROM gallery_items WHERE ${filter}`, args)).rows[0].n,
    );
    const column = q.sort === "title" ? "title" : "created_at";
    const direction = q.order === "asc" ? "ASC" : "DESC";
    const page = [...args, q.limit, (q.page - 1) * q.limit];
    const sql = `SELECT * FROM gallery_items WHERE ${filter} ORDER BY ${column} ${direction}, id ${direction} LIMIT $${args.length + 1} OFFSET $${args.length + 2}`;
    return { items: (await this.db.query(sql, page)).rows.map(toGalleryItem), total };
  }

  async collectionsOf(itemId: string): Promise<string[]> {
    const { rows } = await this.db.query(
      "SELECT collection_id FROM collection_items WHERE item_id = $1 ORDER BY filed",
      [itemId],
    );
    return rows.map((r) => String(r.collection_id));
  }

  async insertCollection(c: CollectionRecord): Promise<void> {
    await this.db.query("INSERT INTO collections VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
      c.id,
      c.owner,
      c.name,
      c.slug,
      c.description,
      c.isPublic ? 1 : 0,
      c.coverImageId,
      c.createdAt,
    ]);
  }

  async updateCollection(c: CollectionRecord): Promise<void> {
    await this.db.query(
      "UPDATE collections SET name = $1, slug = $2, description = $3, is_public = $4, cover_image_id = $5 WHERE id = $6 AND owner = $7",
      [c.name, c.slug, c.description, c.isPublic ? 1 : 0, c.coverImageId, c.id, c.owner],
    );
  }

  async deleteCollection(owner: string, id: string): Promise<boolean> {
    return this.db.transaction(async (query) => {
      const deleted =
        ((await query("DELETE FROM collections WHERE id = $1 AND owner = $2", [id, owner])).rowCount ?? 0) > 0;
      if (deleted) await query("DELETE FROM collection_items WHERE collection_id = $1", [id]);
      return deleted;
    });
  }

  async findCollection(owner: string, ref: string): Promise<CollectionRecord | undefined> {
    const { rows } = await this.db.query(
      `SELECT * FROM collections WHERE owner = $1 AND (id = $2 OR slug = $2 OR lower(name) = lower($2))
       ORDER BY (id = $2) DESC, (slug = $2) DESC, created_at, id LIMIT 1`,
      [owner, ref],
    );
    return rows[0] && toCollection(rows[0]);
  }

  async getCollection(owner: string, idOrSlug: string): Promise<CollectionRecord | undefined> {
    const { rows } = await this.db.query("SELECT * FROM collections WHERE owner = $1 AND (id = $2 OR slug = $2)", [
      owner,
      idOrSlug,
    ]);
    return rows[0] && toCollection(rows[0]);
  }

  async listCollections(owner: string, limit: number, offset: number): Promise<CollectionRecord[]> {
    const { rows } = await this.db.query(
      "SELECT * FROM collections WHERE owner = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
      [owner, limit, offset],
    );
    return rows.map(toCollection);
  }

  async itemCount(collectionId: string): Promise<number> {
    return Number(
      (await this.db.query("SELECT COUNT(*) AS n FROM collection_items WHERE collection_id = $1", [collectionId]))
        .rows[0].n,
    );
  }
}
