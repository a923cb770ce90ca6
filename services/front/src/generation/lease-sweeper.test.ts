import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { storedFile } from "@imagegen/image-urls/stored-file";
import { createCapturingLogger } from "@imagegen/provider-kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ImageStore } from "../images/image-store.ts";
import { SqliteLeases } from "../leases/sqlite-leases.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { GenerationRecord } from "../store/store.ts";
import { discardPartialImages } from "./discard-partial-images.ts";
import { startLeaseSweeper } from "./lease-sweeper.ts";

// A generation whose process died holding it: the sweeper fails it, uncharged, and deletes the
// images it had already stored, so they are neither listed nor counted.
const dirs: string[] = [];
afterEach(() => {
  // SQLite may still be letting its WAL files go as the folder is removed: retried, not raced.
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 10 });
});

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
}

describe("the lease sweeper", () => {
  it.each(["processing", "canceled"] as const)(
    "sweeps a dead process's %s generation: failed if it was running, its partial images deleted",
    async (status) => {
      const dir = mkdtempSync(join(tmpdir(), "imagegen-sweeper-"));
      dirs.push(dir);
      const store = new SqliteStore(join(dir, "imagegen.sqlite"));
      const leases = new SqliteLeases(join(dir, "imagegen.sqlite"));
      const images = new ImageStore(join(dir, "images"), "http://gateway.test", Buffer.alloc(32, 1));
      const generation: GenerationRecord = {
        id: "gen_swept",
        owner: "o",
        keyId: "k",
        status,
        operation: "text-to-image",
        model: "local",
        provider: "local",
        prompt: "p",
        requestJson: "{}",
        metadataJson: "",
        createdAt: Date.now() - 60_000,
        costCredits: 0,
        costUsd: 0,
      };
      await store.insertGeneration(generation);
      const path = await images.put(generation.id, "img_1", "png", Buffer.from("partial"));
      expect(existsSync(storedFile(join(dir, "images"), path))).toBe(true);
      await store.insertImages([
        {
          id: "img_1",
          generationId: generation.id,
          owner: "o",
          index: 0,
          path,
          width: 8,
          height: 8,
          sizeBytes: 7,
          format: "png",
        },
      ]);
      await leases.hold({ generationId: generation.id, owner: "o", holder: "dead-process", expiresAt: Date.now() - 1 });

      const stop = startLeaseSweeper({
        leases,
        store,
        holder: "survivor",
        intervalMs: 50,
        logger: createCapturingLogger(),
        discardImages: (id) => discardPartialImages(store, images, id),
      });
      try {
        // Rows first, then files (discardPartialImages): wait for both, or a loaded machine reads between them.
        await until(
          async () =>
            (await store.listImages(generation.id)).length === 0 && !existsSync(storedFile(join(dir, "images"), path)),
        );
        expect(await store.getGeneration("o", generation.id)).toMatchObject({
          status: status === "processing" ? "failed" : "canceled",
          costCredits: 0,
        });
        expect(await store.listImages(generation.id)).toEqual([]);
        expect(existsSync(storedFile(join(dir, "images"), path))).toBe(false);
        expect((await store.usageTotals("o")).storageBytes).toBe(0);
      } finally {
        stop();
        await leases.close();
        await store.close();
      }
    },
  );
});
