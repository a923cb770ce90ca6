// The playground's browser code, bundled by esbuild when the gateway first serves it
// (gateway/src/playground/bundle.ts). It talks to the gateway with the generated Connect-Web
// client, like any web client would: Connect JSON, the API key in a header.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { GenerationStatus, type Generation } from "@imagegen/proto/imagegen/v1/generation_pb";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { ErrorInfoSchema } from "@imagegen/proto/google/rpc/error_details_pb";

// The key lives in this variable and the password field only: never sent anywhere but this
// gateway, never written to storage.
let apiKey = "";

const withKey: Interceptor = (next) => (req) => {
  if (apiKey) req.header.set("authorization", `Bearer ${apiKey}`);
  return next(req);
};
const transport = createConnectTransport({ baseUrl: location.origin, interceptors: [withKey] });
const images = createClient(ImageService, transport);
const models = createClient(ModelService, transport);

// Create calls answer at once (HTTP 202 semantics) so progress is watched, not waited for.
const ASYNC = { headers: { prefer: "respond-async" } };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const keyInput = $<HTMLInputElement>("api-key");
const modelSelect = $<HTMLSelectElement>("model");
const promptInput = $<HTMLTextAreaElement>("prompt");
const fileInput = $<HTMLInputElement>("image");
const form = $<HTMLFormElement>("composer");
const conversation = $<HTMLElement>("conversation");
const notice = $<HTMLElement>("notice");

keyInput.addEventListener("change", () => {
  apiKey = keyInput.value.trim();
  void loadModels();
});

async function loadModels(): Promise<void> {
  notice.textContent = "";
  try {
    const res = await models.listModels({});
    modelSelect.replaceChildren(
      ...res.models.map((m) => {
        const option = new Option(`${m.name} (${m.id})${m.status === "active" ? "" : " — unavailable"}`, m.id);
        option.disabled = m.status !== "active";
        return option;
      }),
    );
    const firstActive = res.models.find((m) => m.status === "active");
    if (firstActive) modelSelect.value = firstActive.id;
    modelSelect.dataset.loaded = "true";
  } catch (error) {
    notice.textContent = describe(error);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const prompt = promptInput.value.trim();
  if (!prompt) return;
  const file = fileInput.files?.[0];
  void converse(prompt, file ? `image-to-image with ${file.name}` : "text-to-image", async () => {
    const model = modelSelect.value;
    if (file) return images.imageToImage({ prompt, model, initImage: await dataUrl(file) }, ASYNC);
    return images.textToImage({ prompt, model, parameters: { width: 512, height: 512, numOutputs: 4 } }, ASYNC);
  });
});

/** One turn of the conversation: the user's request, then the generation as it progresses. */
async function converse(prompt: string, what: string, start: () => Promise<Generation>): Promise<void> {
  const turn = document.createElement("article");
  turn.className = "turn";
  const ask = document.createElement("p");
  ask.className = "ask";
  ask.textContent = `${prompt} (${what})`;
  const answer = document.createElement("div");
  answer.className = "answer";
  const status = document.createElement("p");
  status.className = "status";
  status.textContent = "sending…";
  const progress = document.createElement("progress");
  progress.max = 1;
  const gallery = document.createElement("div");
  gallery.className = "thumbnails";
  answer.append(status, progress, gallery);
  turn.append(ask, answer);
  conversation.prepend(turn);
  try {
    let generation = await start();
    render(generation, status, progress, gallery);
    for await (const event of images.watchGeneration({ id: generation.id })) {
      if (event.generation) generation = event.generation;
      render(generation, status, progress, gallery, event.type);
    }
    turn.dataset.status = GenerationStatus[generation.status].toLowerCase();
  } catch (error) {
    status.textContent = describe(error);
    status.classList.add("error");
    progress.remove();
    turn.dataset.status = "error";
  }
}

function render(
  g: Generation,
  status: HTMLElement,
  progress: HTMLProgressElement,
  gallery: HTMLElement,
  event?: string,
): void {
  const state = GenerationStatus[g.status].toLowerCase();
  status.textContent = `${g.id} · ${state}${event && event !== state ? ` (${event})` : ""}${g.provider ? ` · ${g.provider}` : ""}`;
  if (g.error) status.textContent += ` · ${g.error.message}`;
  if (g.progress !== undefined) progress.value = g.progress;
  if (g.status === GenerationStatus.COMPLETED) progress.value = 1;
  if (g.status !== GenerationStatus.QUEUED && g.status !== GenerationStatus.PROCESSING) progress.hidden = true;
  const shown = new Set([...gallery.querySelectorAll("img")].map((img) => img.dataset.id));
  for (const image of g.images) {
    if (shown.has(image.id)) continue;
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.src = image.url;
    img.alt = `${g.prompt} (${image.width}×${image.height})`;
    img.dataset.id = image.id;
    img.width = 160;
    const more = document.createElement("button");
    more.type = "button";
    more.textContent = "Variations";
    more.addEventListener(
      "click",
      () =>
        void converse(g.prompt, `variations of ${image.id}`, () =>
          images.createVariations({ image: image.url, model: g.model, numOutputs: 2 }, ASYNC),
        ),
    );
    figure.append(img, more);
    gallery.append(figure);
  }
}

function describe(error: unknown): string {
  const e = ConnectError.from(error);
  const reason = e.findDetails(ErrorInfoSchema)[0]?.reason ?? Code[e.code];
  return `${reason}: ${e.rawMessage}`;
}

function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
