import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSystem, type RunningSystem } from "./start-system.ts";

let system: RunningSystem;
let imageUrl: string;
// A red disc on a white background: something to filter, enlarge and cut out.
const disc = async () =>
  `data:image/png;base64,${(
    await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="96"><rect width="128" height="96" fill="#fff"/><circle cx="64" cy="48" r="30" fill="#d22"/></svg>',
      ),
    )
      .png()
      .toBuffer()
  ).toString("base64")}`;

beforeAll(async () => {
  system = await startSystem();
  imageUrl = await disc();
});
afterAll(() => system?.stop());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(system.baseUrl + path, {
    method: "POST",
    headers: { authorization: `Bearer ${system.adminKey}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function fetchImage(url: string) {
  return sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
}

describe("/api/v2/process (seed 004)", () => {
  it("applies the seed's filter chain and answers with its shape", async () => {
    const { status, json } = await post("/api/v2/process/filters", {
      image_url: imageUrl,
      filters: [
        { type: "brightness", value: 1.2 },
        { type: "contrast", value: 1.1 },
        { type: "blur", radius: 5 },
        { type: "artistic", style: "oil_painting", intensity: 0.7 },
      ],
      output_format: "png",
      preserve_metadata: true,
    });
    expect(status).toBe(200);
    expect(json.id).toMatch(/^proc_/);
    expect(json.processed_image).toMatchObject({
      filters_applied: ["brightness", "contrast", "blur", "artistic"],
      width: 128,
      height: 96,
      format: "png",
    });
    expect(typeof json.processed_image.processing_time_ms).toBe("number");
    const meta = await fetchImage(json.processed_image.url);
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 128, 96]);
  });

  it("upscales 4× with the seed's request and reports both dimensions", async () => {
    const { status, json } = await post("/api/v2/process/upscale", {
      image_url: imageUrl,
      scale_factor: 4,
      model: "real-esrgan",
      enhance_faces: true,
      denoise_strength: 0.5,
    });
    expect(status).toBe(200);
    expect(json.result).toMatchObject({
      original_dimensions: { width: 128, height: 96 },
      upscaled_dimensions: { width: 512, height: 384 },
    });
    // Nothing about faces is reported: no face detector ran.
    expect(json.result.enhancement_details).toBeUndefined();
    const meta = await fetchImage(json.result.url);
    expect([meta.width, meta.height]).toEqual([512, 384]);
  });

  it("removes the background, with a mask and the measured foreground bounds", async () => {
    const { status, json } = await post("/api/v2/process/remove-background", {
      image_url: imageUrl,
      mode: "remove",
      output_format: "png",
      edge_smoothing: true,
      foreground_threshold: 0.5,
    });
    expect(status).toBe(200);
    const cutout = await fetchImage(json.result.url);
    expect(cutout.hasAlpha).toBe(true);
    const mask = await fetchImage(json.result.mask_url);
    expect([mask.width, mask.height]).toEqual([128, 96]);
    const b = json.result.foreground_bounds;
    // The disc spans about x 34–94, y 18–78.
    expect(b.x).toBeGreaterThanOrEqual(30);
    expect(b.x).toBeLessThanOrEqual(36);
    expect(b.width).toBeGreaterThanOrEqual(56);
    expect(b.width).toBeLessThanOrEqual(66);
  });

  it.each([
    ["a colour", { background_color: "#00ff00" }, [0, 255, 0]],
    ["a picture", { background_image_url: "blue" }, [0, 0, 255]],
  ])(
    "replaces the background with %s: opaque, the new background in the corners, the same mask",
    async (_, given, rgb) => {
      const background =
        "background_image_url" in given &&
        `data:image/png;base64,${(
          await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 0, g: 0, b: 255 } } })
            .png()
            .toBuffer()
        ).toString("base64")}`;
      const { status, json } = await post("/api/v2/process/remove-background", {
        image_url: imageUrl,
        mode: "replace",
        ...given,
        ...(background ? { background_image_url: background } : {}),
      });
      expect(status, JSON.stringify(json)).toBe(200);
      const bytes = Buffer.from(await (await fetch(json.result.url)).arrayBuffer());
      const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([128, 96]);
      expect([...data.subarray(0, 4)]).toEqual([...rgb, 255]);
      expect(json.result.mask_url).toMatch(/_mask\.png/);
      expect(json.result.foreground_bounds.width).toBeGreaterThanOrEqual(56);
    },
  );

  it.each([
    ["replace without a background", { mode: "replace" }, "background_color"],
    [
      "replace with two backgrounds",
      { mode: "replace", background_color: "#000000", background_image_url: "x" },
      "background_color",
    ],
    ["remove with a background", { mode: "remove", background_color: "#000000" }, "background_color"],
    ["a colour that is not #rrggbb", { mode: "replace", background_color: "green" }, "background_color"],
  ])("refuses %s as INVALID_REQUEST naming the field", async (_, body, field) => {
    const { status, json } = await post("/api/v2/process/remove-background", { image_url: imageUrl, ...body });
    expect(status, JSON.stringify(json)).toBe(400);
    expect(json.error.code).toBe("INVALID_REQUEST");
    expect(JSON.stringify(json.error)).toContain(field);
  });

  it.each([
    ["upscale", { image_url: "", scale_factor: 2, model: "real-esrgan" }],
    ["remove-background", { image_url: "", mode: "remove", output_format: "png" }],
  ])("answers a %s job still running past the wait 202 with the generation to poll", async (operation, body) => {
    // respond-async: a wait of 0, so the job is always still running when the call answers.
    const pending = await post(
      `/api/v2/process/${operation}`,
      { ...body, image_url: imageUrl },
      { prefer: "respond-async" },
    );
    expect(pending.status).toBe(202);
    expect(Object.keys(pending.json)).toEqual(["id"]);
    expect(pending.json.id).toMatch(/^gen_/);
    let polled: { status: number; json: Record<string, any> } | undefined;
    for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 100))) {
      const res = await fetch(`${system.baseUrl}/api/v2/generations/${pending.json.id}`, {
        headers: { authorization: `Bearer ${system.adminKey}` },
      });
      polled = { status: res.status, json: (await res.json()) as Record<string, any> };
      if (polled.status !== 202) break;
    }
    expect(polled?.status).toBe(200);
    expect(polled?.json).toMatchObject({ status: "completed", operation });
    const meta = await fetchImage(polled?.json.images[0].url);
    expect([meta.width, meta.height]).toEqual(operation === "upscale" ? [256, 192] : [128, 96]);
    // The published document says so too.
    const openapi = (await (await fetch(`${system.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, { post: { responses: object } }>;
    };
    expect(Object.keys(openapi.paths[`/api/v2/process/${operation}`]!.post.responses)).toEqual(
      expect.arrayContaining(["200", "202"]),
    );
  });

  it("refuses an image it cannot decode", async () => {
    const { status, json } = await post("/api/v2/process/filters", {
      image_url: "data:image/png;base64,AAAA",
      filters: [{ type: "grayscale" }],
    });
    expect(status).toBe(400);
    expect(json.error.code).toBe("INVALID_IMAGE");
  });
});

describe("image-to-image and inpaint answers (seed 004 shapes)", () => {
  it("reports the source image and its measured dominant colours", async () => {
    const { status, json } = await post("/api/v2/generate/image-to-image", {
      init_image: imageUrl,
      prompt: "Transform into a cyberpunk style with neon lights and futuristic elements",
      strength: 0.75,
      model: "local",
      parameters: { width: 128, height: 96, num_outputs: 2, num_inference_steps: 50, guidance_scale: 7.5 },
      preserve: { structure: true, colors: false, style: false },
    });
    expect(status).toBe(200);
    expect(json.status).toBe("completed");
    expect(json.images).toHaveLength(2);
    // White dominates the disc picture, then the red disc.
    expect(json.source_image.analysis.dominant_colors[0]).toBe("#FFFFFF");
    expect(json.source_image.analysis.dominant_colors).toContain("#DD2222");
    expect(json.source_image.analysis.detected_objects).toEqual([]);
  });

  it("reports the masked share and region of an inpainting", async () => {
    const mask = await sharp(
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="96"><rect width="128" height="96" fill="#000"/><rect width="64" height="96" fill="#fff"/></svg>',
      ),
    )
      .png()
      .toBuffer();
    const { status, json } = await post("/api/v2/generate/inpaint", {
      init_image: imageUrl,
      mask_image: `data:image/png;base64,${mask.toString("base64")}`,
      prompt: "Replace with a beautiful flower garden",
      model: "local",
      parameters: { num_inference_steps: 50, guidance_scale: 7.5 },
      inpaint_mode: "original",
      mask_blur: 4,
      preserve_masked_area: false,
    });
    expect(status).toBe(200);
    expect(json.images[0].mask_area_percentage).toBe(50);
    expect(json.images[0].inpainted_regions).toEqual([{ x: 0, y: 0, width: 64, height: 96 }]);
  });
});
