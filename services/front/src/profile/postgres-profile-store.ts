import type { PostgresDatabase } from "../store/postgres-database.ts";
import { toPreferences, UPSERT_PREFERENCES, type PreferencesRecord, type ProfileStore } from "./profile-store.ts";

/** Preferences in the shared PostgreSQL: set through one replica, applied by every other. */
export class PostgresProfileStore implements ProfileStore {
  constructor(private readonly db: PostgresDatabase) {}

  async preferences(owner: string): Promise<PreferencesRecord> {
    return toPreferences((await this.db.query("SELECT * FROM preferences WHERE owner = $1", [owner])).rows[0]);
  }

  async savePreferences(owner: string, p: PreferencesRecord): Promise<void> {
    await this.db.query(
      UPSERT_PREFERENCES((n) => `$${n}`),
      [owner, p.defaultModel, p.defaultSize, p.nsfwFilter ? 1 : 0, p.autoSaveGallery ? 1 : 0],
    );
  }
}
