/** Defaults applied when a request leaves the field unset. */
export interface PreferencesRecord {
  readonly defaultModel: string;
  /** "WIDTHxHEIGHT" or "". */
  readonly defaultSize: string;
  readonly nsfwFilter: boolean;
  readonly autoSaveGallery: boolean;
}

/**
 * Per-owner preferences, on SQLite or the shared PostgreSQL (one suite: profile-store.test.ts).
 * Usage figures come from the generation store (Store.usageTotals), which holds their tables.
 */
export interface ProfileStore {
  /** The owner's preferences; the defaults for an owner who never saved any. */
  preferences(owner: string): Promise<PreferencesRecord>;
  savePreferences(owner: string, p: PreferencesRecord): Promise<void>;
}

/** Row (or none) → record; the columns are the same on both backends. */
export function toPreferences(row: Record<string, unknown> | undefined): PreferencesRecord {
  return {
    defaultModel: String(row?.default_model ?? ""),
    defaultSize: String(row?.default_size ?? ""),
    nsfwFilter: row ? Number(row.nsfw_filter) === 1 : true,
    autoSaveGallery: row ? Number(row.auto_save_gallery) === 1 : false,
  };
}

export const SQLITE_PREFERENCES_TABLE = `CREATE TABLE IF NOT EXISTS preferences (
  owner TEXT PRIMARY KEY, default_model TEXT NOT NULL, default_size TEXT NOT NULL,
  nsfw_filter INTEGER NOT NULL, auto_save_gallery INTEGER NOT NULL)`;

/** One step of POSTGRES_MIGRATIONS. */
export const POSTGRES_PREFERENCES_TABLE = SQLITE_PREFERENCES_TABLE.replace(" IF NOT EXISTS", "");

// Both dialects take this upsert; only the placeholders differ.
export const UPSERT_PREFERENCES = (p: (n: number) => string): string =>
  `INSERT INTO preferences VALUES (${[1, 2, 3, 4, 5].map(p).join(", ")}) ON CONFLICT (owner) DO UPDATE SET
   default_model = excluded.default_model, default_size = excluded.default_size,
   nsfw_filter = excluded.nsfw_filter, auto_save_gallery = excluded.auto_save_gallery`;
