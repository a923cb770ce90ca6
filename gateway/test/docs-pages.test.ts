import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

// Debian's chromium (CI installs it from .ci/debian-packages.txt); never a downloaded browser.
const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts");

let system: RunningSystem;
let browser: BrowserContext;
let profileDir: string;
/** Every URL the pages asked for that is not this gateway (must stay empty: docs are offline). */
const outside: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install the Debian package (apt-get install -y chromium; CI reads .ci/debian-packages.txt)`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  system = await startSystem();
  profileDir = mkdtempSync(join(tmpdir(), "imagegen-chromium-"));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  browser.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(system.baseUrl) && !/^(data|blob|about):/.test(url)) outside.push(url);
  });
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

async function openPage(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const response = await page.goto(system.baseUrl + path);
  expect(response?.status()).toBe(200);
  return { page, errors };
}

describe("GET /docs in Chromium", () => {
  it("renders the API reference from /openapi.json without any outside request", async () => {
    const { page, errors } = await openPage("/docs");
    await page.getByText("OpenAPI 3.1").first().waitFor();
    // The first group (ImageService) opens with its operations' summaries from proto comments.
    await page.getByText("Generates images from a text prompt").first().waitFor();
    await page.screenshot({ path: join(ARTIFACTS, "docs.png") });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it("sends a test request from the reference page straight to this gateway (no third-party proxy)", async () => {
    const { page, errors } = await openPage("/docs#tag/modelservice/GET/api/v2/models");
    await page.getByText("Lists every catalog model").first().waitFor();
    await page
      .getByRole("button", { name: /Test Request/i })
      .first()
      .click();
    await page.getByPlaceholder("Token").first().fill(system.adminKey);
    const answered = page.waitForResponse((r) => r.url() === `${system.baseUrl}/api/v2/models`);
    await page
      .getByRole("button", { name: /Send Request/i })
      .first()
      .click();
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(((await response.json()) as { models: unknown[] }).models.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, "docs-test-request.png") });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it("serves the errors page with an anchor per code", async () => {
    const { page } = await openPage("/docs/errors#RATE_LIMITED");
    await expect(page.locator("tr#RATE_LIMITED td").nth(1).textContent()).resolves.toBe("429");
    await page.close();
  });
});

describe("GET /playground in Chromium", () => {
  it("lists the models, generates with the local provider, shows the thumbnails, asks for variations and uploads a photo", async () => {
    const { page, errors } = await openPage("/playground");
    await page.fill("#api-key", system.adminKey);
    await page.press("#api-key", "Tab");
    await page.locator("#model[data-loaded=true]").waitFor();
    await page.selectOption("#model", "local");
    await page.fill("#prompt", "A serene Japanese garden with cherry blossoms");
    await page.click("#generate");

    const turn = page.locator(".turn").first();
    await page.locator(".turn[data-status]").first().waitFor();
    await expect(turn.getAttribute("data-status")).resolves.toBe("completed");
    const thumbnails = turn.locator(".thumbnails img");
    await expect(thumbnails.count()).resolves.toBe(4);
    // Rendered means decoded by the browser: the signed image URLs served real pictures.
    type Img = { decode(): Promise<void>; naturalWidth: number; naturalHeight: number }; // no DOM lib in this tsconfig
    const sizes = await thumbnails.evaluateAll((imgs) =>
      Promise.all(
        (imgs as unknown as Img[]).map(async (img) => (await img.decode(), [img.naturalWidth, img.naturalHeight])),
      ),
    );
    expect(sizes).toEqual([
      [512, 512],
      [512, 512],
      [512, 512],
      [512, 512],
    ]);
    await page.screenshot({ path: join(ARTIFACTS, "playground.png"), fullPage: true });

    // Variations of the first thumbnail: a second turn that finishes, or names why it could not.
    await turn.locator("button", { hasText: "Variations" }).first().click();
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll(".turn[data-status]").length === 2);
    const second = page.locator(".turn").first();
    const status = await second.getAttribute("data-status");
    if (status === "completed") await expect(second.locator(".thumbnails img").count()).resolves.toBeGreaterThan(0);
    else await expect(second.locator(".status").textContent()).resolves.toMatch(/^[A-Z_]+: \S/);
    await page.screenshot({ path: join(ARTIFACTS, "playground-variations.png"), fullPage: true });

    // An uploaded photo makes the next turn an image-to-image call.
    const photo = await sharp({ create: { width: 128, height: 96, channels: 3, background: "#c04020" } })
      .png()
      .toBuffer();
    await page.setInputFiles("#image", { name: "product.png", mimeType: "image/png", buffer: photo });
    await page.fill("#prompt", "the product on a marble table");
    await page.click("#generate");
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll(".turn[data-status]").length === 3);
    const third = page.locator(".turn").first();
    await expect(third.locator(".ask").textContent()).resolves.toContain("image-to-image with product.png");
    const thirdStatus = await third.getAttribute("data-status");
    if (thirdStatus === "completed") await expect(third.locator(".thumbnails img").count()).resolves.toBeGreaterThan(0);
    else await expect(third.locator(".status").textContent()).resolves.toMatch(/^[A-Z_]+: \S/);
    await page.screenshot({ path: join(ARTIFACTS, "playground-upload.png"), fullPage: true });

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });
});
