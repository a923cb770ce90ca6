import type { DescMethod } from "@bufbuild/protobuf";

/**
 * Request and response examples, taken from seed 004 (its field names ARE the REST
 * surface's). Fields the contract does not have (e.g. the seed's `training_data`) are left
 * out: examples.test.ts parses every example with the REST JSON reader, so one that drifts
 * from the contract fails the build.
 */
export const EXAMPLES: Record<string, { request?: unknown; response?: unknown }> = {
  "imagegen.v1.ImageService.TextToImage": {
    request: {
      prompt: "A serene Japanese garden with cherry blossoms, koi pond, and traditional bridge at sunset",
      negative_prompt: "blur, low quality, distorted, watermark",
      model: "stable-diffusion-xl",
      parameters: {
        width: 1024,
        height: 1024,
        num_outputs: 2,
        num_inference_steps: 50,
        guidance_scale: 7.5,
        scheduler: "DPMSolverMultistep",
        seed: 42,
        sampler: "k_euler_a",
      },
      style: {
        preset: "photorealistic",
        artistic_style: "impressionist",
        lighting: "golden_hour",
        camera_angle: "wide_angle",
      },
      output: { format: "png", quality: 95, return_type: "url" },
      webhook_url: "https://your-app.com/webhooks/generation-complete",
      metadata: { user_id: "user_123", project_id: "proj_456", tags: ["nature", "landscape", "japan"] },
    },
    response: {
      id: "gen_abc123def456ghi789jkl012",
      status: "completed",
      created_at: "2024-01-01T00:00:00Z",
      completed_at: "2024-01-01T00:00:45Z",
      model: "stable-diffusion-xl",
      operation: "text-to-image",
      provider: "replicate",
      images: [
        {
          id: "img_001",
          url: "https://api.imagegen.app/images/gen_abc123/img_001.png?exp=1704070800&sig=…",
          width: 1024,
          height: 1024,
          size_bytes: 2456789,
          format: "png",
          seed: 42,
        },
        {
          id: "img_002",
          url: "https://api.imagegen.app/images/gen_abc123/img_002.png?exp=1704070800&sig=…",
          width: 1024,
          height: 1024,
          size_bytes: 2389012,
          format: "png",
          seed: 43,
        },
      ],
      cost: { credits: 4, usd: 0.08 },
      metadata: { user_id: "user_123", project_id: "proj_456", tags: ["nature", "landscape", "japan"] },
    },
  },
  "imagegen.v1.ImageService.ImageToImage": {
    request: {
      init_image: "https://example.com/source-image.jpg",
      prompt: "Transform into a cyberpunk style with neon lights and futuristic elements",
      strength: 0.75,
      model: "stable-diffusion-xl",
      parameters: { width: 1024, height: 1024, num_outputs: 2, num_inference_steps: 50, guidance_scale: 7.5 },
      preserve: { structure: true, colors: false, style: false },
    },
  },
  "imagegen.v1.ImageService.Inpaint": {
    request: {
      init_image: "https://example.com/original.jpg",
      mask_image: "https://example.com/mask.png",
      prompt: "Replace with a beautiful flower garden",
      model: "stable-diffusion-xl-inpaint",
      parameters: { num_inference_steps: 50, guidance_scale: 7.5 },
      inpaint_mode: "original",
      mask_blur: 4,
      preserve_masked_area: false,
    },
  },
  "imagegen.v1.ImageService.ApplyFilters": {
    request: {
      image_url: "https://example.com/image.jpg",
      filters: [
        { type: "brightness", value: 1.2 },
        { type: "contrast", value: 1.1 },
        { type: "blur", radius: 5 },
        { type: "artistic", style: "oil_painting", intensity: 0.7 },
      ],
      output_format: "png",
      preserve_metadata: true,
    },
    response: {
      id: "proc_789xyz",
      processed_image: {
        url: "https://api.imagegen.app/images/proc_789xyz/result.png?exp=…&sig=…",
        filters_applied: ["brightness", "contrast", "blur", "artistic"],
        processing_time_ms: 234,
        width: 1024,
        height: 1024,
        size_bytes: 1843201,
        format: "png",
      },
    },
  },
  "imagegen.v1.ImageService.RemoveBackground": {
    request: {
      image_url: "https://example.com/portrait.jpg",
      mode: "remove",
      output_format: "png",
      edge_smoothing: true,
      foreground_threshold: 0.5,
    },
  },
  "imagegen.v1.ImageService.Upscale": {
    request: {
      image_url: "https://example.com/low_res.jpg",
      scale_factor: 4,
      model: "real-esrgan",
      enhance_faces: true,
      denoise_strength: 0.5,
    },
  },
  "imagegen.v1.ModelService.ListModels": {
    response: {
      models: [
        {
          id: "stable-diffusion-xl",
          name: "Stable Diffusion XL",
          version: "1.0",
          type: "text-to-image",
          status: "active",
          capabilities: ["text-to-image", "image-to-image", "inpainting"],
          supported_sizes: [
            { width: 1024, height: 1024 },
            { width: 1152, height: 896 },
            { width: 896, height: 1152 },
          ],
          pricing: { per_image: 0.02, credits: 1 },
          performance: { average_generation_time: 15, queue_time: 2 },
          providers: ["replicate", "stability"],
        },
      ],
    },
  },
  "imagegen.v1.GalleryService.AddGalleryItem": {
    request: {
      image_id: "img_abc123",
      title: "Sunset Masterpiece",
      description: "A beautiful sunset captured in AI art",
      tags: ["sunset", "landscape", "nature"],
      is_public: true,
      collections: ["landscapes", "favorites"],
    },
  },
  "imagegen.v1.GalleryService.CreateCollection": {
    request: {
      name: "My Landscapes",
      description: "Collection of my best landscape generations",
      is_public: false,
      cover_image_id: "img_123",
    },
    response: {
      collection: {
        id: "coll_789",
        name: "My Landscapes",
        slug: "my-landscapes",
        description: "Collection of my best landscape generations",
        created_at: "2024-01-01T00:00:00Z",
        item_count: 0,
        is_public: false,
        cover_image_url: "",
      },
    },
  },
  "imagegen.v1.WebhookService.CreateWebhook": {
    request: {
      url: "https://your-app.com/webhooks/imagegen",
      events: ["generation.completed", "generation.failed", "process.completed"],
      secret: "webhook_secret_key_123",
      active: true,
      retry_policy: { max_retries: 3, retry_delay_seconds: 60 },
    },
  },
  "imagegen.v1.IntegrationService.CreateIntegration": {
    request: {
      service: "dropbox",
      auth_code: "auth_code_from_oauth",
      settings: { auto_upload: true, folder_path: "/AI Generated Images", file_naming: "{date}_{prompt_snippet}_{id}" },
    },
    response: {
      integration: {
        id: "int_7Qm2c9XbT1kLr0aZ",
        service: "dropbox",
        account: { id: "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", name: "Ada Lovelace", email: "ada@example.com" },
        settings: {
          auto_upload: true,
          folder_path: "/AI Generated Images",
          file_naming: "{date}_{prompt_snippet}_{id}",
        },
        status: "active",
        connected_at: "2024-01-01T00:00:00Z",
      },
    },
  },
};

/** The examples of an RPC, by its full name; both parts may be absent. */
export function examplesFor(method: DescMethod): { request?: unknown; response?: unknown } {
  return EXAMPLES[`${method.parent.typeName}.${method.name}`] ?? {};
}
