import type { DatabaseSync } from "node:sqlite";
import { openSqlite } from "../store/open-sqlite.ts";

/** Defaults applied when a request leaves the field unset. */
export interface PreferencesRecord {
  readonly defaultModel: string;
  /** "WIDTHxHEIGHT" or "". */
  readonly defaultSize: string;
  readonly nsfwFilter: boolean;
  readonly autoSaveGallery: boolean;
}

export interface UsageFigures {
  readonly imagesToday: number;
  readonly imagesMonth: number;
  readonly creditsMonth: number;
  readonly storageBytes: number;
  readonly firstSeen?: number;
}

type Row = Record<string, string | number | null>;

/**
 * Per-owner preferences, and usage read from the generation and image tables of the same
 * embedded database (images of completed generations count; failed ones cost nothing).
 */
export class ProfileStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.exec(`CREATE TABLE IF NOT EXISTS preferences (
      owner TEXT PRIMARY KEY, default_model TEXT NOT NULL, default_size TEXT NOT NULL,
      nsfw_filter INTEGER NOT NULL, auto_save_gallery INTEGER NOT NULL)`);
  }

  preferences(owner: string): PreferencesRecord {
    const row = this.db.prepare("SELECT * FROM preferences WHERE owner = ?").get(owner) as Row | undefined;
    return {
      defaultModel: String(row?.default_model ?? ""),
      defaultSize: String(row?.default_size ?? ""),
      nsfwFilter: row ? Number(row.nsfw_filter) === 1 : true,
      autoSaveGallery: row ? Number(row.auto_save_gallery) === 1 : false,
    };
  }

  savePreferences(owner: string, p: PreferencesRecord): void {
    this.db
      .prepare(
        "INSERT INTO preferences VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET default_model = excluded.default_model, default_size = excluded.default_size, nsfw_filter = excluded.nsfw_filter, auto_save_gallery = excluded.auto_save_gallery",
      )
      .run(owner, p.defaultModel, p.defaultSize, p.nsfwFilter ? 1 : 0, p.autoSaveGallery ? 1 : 0);
  }

  /** Usage since the start of today and of this month (UTC). */
  usage(owner: string, now = new Date()): UsageFigures {
    const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const month = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const images = (since: number): number =>
      Number(
        (this.db
          .prepare("SELECT COUNT(*) AS n FROM images i JOIN generations g ON g.id = i.generation_id WHERE g.owner = ? AND g.status = 'completed' AND g.created_at >= ?")
          .get(owner, since) as Row).n,
      );
    const credits = this.db.prepare("SELECT COALESCE(SUM(cost_credits), 0) AS c, MIN(created_at) AS first FROM generations WHERE owner = ? AND created_at >= ?").get(owner, month) as Row;
    const storage = this.db.prepare("SELECT COALESCE(SUM(size_bytes), 0) AS b FROM images WHERE owner = ?").get(owner) as Row;
    const first = this.db.prepare("SELECT MIN(created_at) AS t FROM generations WHERE owner = ?").get(owner) as Row;
    return {
      imagesToday: images(day),
      imagesMonth: images(month),
      creditsMonth: Number(credits.c),
      storageBytes: Number(storage.b),
      firstSeen: first.t === null ? undefined : Number(first.t),
    };
  }

  close(): void {
    this.db.close();
  }
}
