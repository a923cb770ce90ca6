/**
 * The request rules of the fake Stability v2beta API (stability.md §2, §4): which fields each
 * endpoint requires, the enums and ranges, and the output size each endpoint renders.
 */

/** Decoded multipart: text fields and image files (with their decoded size). */
export interface FakeForm {
  readonly fields: Record<string, string>;
  readonly files: Record<string, { readonly data: Buffer; readonly width: number; readonly height: number }>;
}

/** One endpoint's behaviour. */
export interface FakeEndpoint {
  readonly prompt: "required" | "optional" | "none";
  readonly image: "required" | "optional" | "none";
  readonly async: boolean;
  readonly formats: readonly string[];
  /** The output size for a valid request. */
  size(form: FakeForm): { width: number; height: number };
}

const ALL = ["png", "jpeg", "webp"];
const RATIOS: Record<string, [number, number]> = {
  "21:9": [1536, 640],
  "16:9": [1344, 768],
  "3:2": [1216, 832],
  "5:4": [1088, 896],
  "1:1": [1024, 1024],
  "4:5": [896, 1088],
  "2:3": [832, 1216],
  "9:16": [768, 1344],
  "9:21": [640, 1536],
};
const byRatio = (scale: number) => (form: FakeForm) => {
  const input = form.files.image;
  if (input) return { width: input.width, height: input.height };
  const [w, h] = RATIOS[form.fields.aspect_ratio ?? "1:1"]!;
  return { width: Math.round(w * scale), height: Math.round(h * scale) };
};
const sameAsInput = (form: FakeForm) => ({ width: form.files.image!.width, height: form.files.image!.height });
// Conservative and creative upscales aim at ≈4 MP whatever the input.
const toFourMegapixels = (form: FakeForm) => {
  const { width, height } = form.files.image!;
  const k = Math.sqrt(4_194_304 / (width * height));
  return { width: Math.round(width * k), height: Math.round(height * k) };
};

/** Endpoints by path. */
export const ENDPOINTS: Record<string, FakeEndpoint> = {
  "/v2beta/stable-image/generate/ultra": {
    prompt: "required",
    image: "optional",
    async: false,
    formats: ALL,
    size: byRatio(1),
  },
  // Core renders ≈1.5x larger per side than ultra/sd3 at the same ratio (observed 1536x1536).
  "/v2beta/stable-image/generate/core": {
    prompt: "required",
    image: "none",
    async: false,
    formats: ALL,
    size: byRatio(1.5),
  },
  "/v2beta/stable-image/generate/sd3": {
    prompt: "required",
    image: "optional",
    async: false,
    formats: ALL,
    size: byRatio(1),
  },
  "/v2beta/stable-image/edit/inpaint": {
    prompt: "required",
    image: "required",
    async: false,
    formats: ALL,
    size: sameAsInput,
  },
  "/v2beta/stable-image/edit/remove-background": {
    prompt: "none",
    image: "required",
    async: false,
    formats: ["png", "webp"],
    size: sameAsInput,
  },
  "/v2beta/stable-image/upscale/fast": {
    prompt: "none",
    image: "required",
    async: false,
    formats: ALL,
    size: (form) => ({ width: form.files.image!.width * 4, height: form.files.image!.height * 4 }),
  },
  "/v2beta/stable-image/upscale/conservative": {
    prompt: "required",
    image: "required",
    async: false,
    formats: ALL,
    size: toFourMegapixels,
  },
  "/v2beta/stable-image/upscale/creative": {
    prompt: "required",
    image: "required",
    async: true,
    formats: ALL,
    size: toFourMegapixels,
  },
};

const SD3_MODELS = ["sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash"];

/** The `errors[]` of a 400 for this request, empty when it is valid. */
export function violations(path: string, endpoint: FakeEndpoint, form: FakeForm): string[] {
  const { fields, files } = form;
  const errors: string[] = [];
  const number = (name: string, min: number, max: number) => {
    if (fields[name] === undefined) return;
    const value = Number(fields[name]);
    if (!Number.isFinite(value) || value < min || value > max)
      errors.push(`${name}: must be a number between ${min} and ${max}`);
  };
  if (endpoint.prompt === "required" && !fields.prompt) errors.push("prompt: cannot be empty");
  if (fields.prompt && fields.prompt.length > 10_000) errors.push("prompt: must be at most 10000 characters");
  if (endpoint.image === "required" && !files.image) errors.push("image: is required");
  if (endpoint.image === "none" && files.image) errors.push("image: is not supported by this endpoint");
  if (fields.aspect_ratio !== undefined && !(fields.aspect_ratio in RATIOS))
    errors.push(`aspect_ratio: must be one of ${Object.keys(RATIOS).join(", ")}`);
  if (fields.output_format !== undefined && !endpoint.formats.includes(fields.output_format)) {
    errors.push(`output_format: must be one of ${endpoint.formats.join(", ")}`);
  }
  number("seed", 0, 4294967294);
  number("strength", 0, 1);
  number("cfg_scale", 1, 10);
  // ultra and sd3 image-to-image need a strength; sd3 also needs the mode.
  if (files.image && path.includes("/generate/") && fields.strength === undefined)
    errors.push("strength: is required when image is provided");
  if (path.endsWith("/sd3")) {
    if (fields.model !== undefined && !SD3_MODELS.includes(fields.model))
      errors.push(`model: must be one of ${SD3_MODELS.join(", ")}`);
    const mode = fields.mode ?? "text-to-image";
    if (mode === "image-to-image" && !files.image) errors.push("image: is required when mode is image-to-image");
    if (mode === "text-to-image" && files.image) errors.push("mode: must be image-to-image when an image is provided");
  }
  for (const [name, file] of Object.entries(files)) {
    if (file.width < 64 || file.height < 64) errors.push(`${name}: each side must be at least 64 pixels`);
  }
  return errors;
}
