/**
 * The gallery's tables (items, collections, membership), for both backends. SQLite's are created
 * if missing at open (data dirs from before this module keep theirs); PostgreSQL's are one step
 * of POSTGRES_MIGRATIONS.
 */
export const SQLITE_GALLERY_TABLES = [
  `CREATE TABLE IF NOT EXISTS gallery_items (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, image_id TEXT NOT NULL, generation_id TEXT NOT NULL,
     thumbnail_path TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, tags TEXT NOT NULL,
     model TEXT NOT NULL, prompt TEXT NOT NULL, is_public INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS collections (
     id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, slug TEXT NOT NULL, description TEXT NOT NULL,
     is_public INTEGER NOT NULL, cover_image_id TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (owner, slug))`,
  `CREATE TABLE IF NOT EXISTS collection_items (collection_id TEXT NOT NULL, item_id TEXT NOT NULL,
     PRIMARY KEY (collection_id, item_id))`,
];

// `filed` keeps the order items were filed in (SQLite's rowid does it there).
export const POSTGRES_GALLERY_TABLES = `
  CREATE TABLE gallery_items (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, image_id TEXT NOT NULL, generation_id TEXT NOT NULL,
    thumbnail_path TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL, tags TEXT NOT NULL,
    model TEXT NOT NULL, prompt TEXT NOT NULL, is_public INTEGER NOT NULL, created_at BIGINT NOT NULL);
  CREATE INDEX gallery_items_owner ON gallery_items (owner, created_at);
  CREATE INDEX gallery_items_image ON gallery_items (owner, image_id);
  CREATE TABLE collections (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, slug TEXT NOT NULL, description TEXT NOT NULL,
    is_public INTEGER NOT NULL, cover_image_id TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (owner, slug));
  CREATE TABLE collection_items (collection_id TEXT NOT NULL, item_id TEXT NOT NULL, filed BIGSERIAL,
    PRIMARY KEY (collection_id, item_id));
  CREATE INDEX collection_items_item ON collection_items (item_id, filed);`;
