import type { DatabaseSync } from "node:sqlite";
import {
  SQLITE_PREFERENCES_TABLE,
  toPreferences,
  UPSERT_PREFERENCES,
  type PreferencesRecord,
  type ProfileStore,
} from "./profile-store.ts";

/** Preferences in the embedded SQLite file, on the front's shared connection. */
export class SqliteProfileStore implements ProfileStore {
  constructor(private readonly db: DatabaseSync) {
    this.db.exec(SQLITE_PREFERENCES_TABLE);
  }

  async preferences(owner: string): Promise<PreferencesRecord> {
    return toPreferences(
      this.db.prepare("SELECT * FROM preferences WHERE owner = ?").get(owner) as Record<string, unknown> | undefined,
    );
  }

  async savePreferences(owner: string, p: PreferencesRecord): Promise<void> {
    this.db
      .prepare(UPSERT_PREFERENCES(() => "?"))
      .run(owner, p.defaultModel, p.defaultSize, p.nsfwFilter ? 1 : 0, p.autoSaveGallery ? 1 : 0);
  }
}
