import { ScalarType, type DescMessage } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { promptRefusal } from "@imagegen/errors";
import { ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { noteOnActiveSpan } from "@imagegen/telemetry";
import { principalKey } from "../auth/principal.ts";
import { DEFAULT_MODERATION_PATH, loadModerationConfig } from "./moderation-config.ts";
import { createPromptModerator, type PromptModerator } from "./prompt-moderator.ts";

/**
 * Refuses a prohibited prompt before its handler runs: nothing is charged, no idempotency key
 * is claimed, no provider is called. It judges every ImageService request that has a `prompt`
 * (text-to-image, image-to-image, inpaint, variations and any create method added later), with
 * the free-text style hints that are appended to the prompt on the way to the provider.
 * Runs after auth (the key's tier may switch the threshold off) and after validation.
 */
export function createModerationInterceptor(moderator: PromptModerator, tiersOff: ReadonlySet<string>): Interceptor {
  return (next) => async (req) => {
    if (!req.stream && req.service.typeName === ImageService.typeName) {
      const text = moderatedText(req.method.input, req.message as unknown as Record<string, unknown>);
      if (text) {
        const tier = req.contextValues.get(principalKey)?.tier;
        const verdict = moderator.judge(text, { thresholdOn: !(tier && tiersOff.has(tier)) });
        if (verdict.refused) {
          // List names and the score only: the span never carries the prompt's words.
          noteOnActiveSpan("imagegen.prompt_refused", {
            "imagegen.moderation.lists": verdict.matched.join(","),
            "imagegen.moderation.score": verdict.score,
          });
          throw promptRefusal();
        }
      }
    }
    return next(req);
  };
}

/** The request's prompt and its style hints (every string field of `style`), space-joined. */
function moderatedText(schema: DescMessage, message: Record<string, unknown>): string {
  const parts: string[] = [];
  const prompt = schema.fields.find(
    (f) => f.name === "prompt" && f.fieldKind === "scalar" && f.scalar === ScalarType.STRING,
  );
  if (prompt) parts.push(String(message[prompt.localName] ?? ""));
  const style = schema.fields.find((f) => f.name === "style" && f.fieldKind === "message");
  const styleValue = style && (message[style.localName] as Record<string, unknown> | undefined);
  if (style?.fieldKind === "message" && styleValue) {
    for (const f of style.message.fields) {
      if (f.fieldKind === "scalar" && f.scalar === ScalarType.STRING) parts.push(String(styleValue[f.localName] ?? ""));
    }
  }
  return parts.filter(Boolean).join(" ");
}

/** The interceptor for this deployment: IMAGEGEN_MODERATION_CONFIG (else config/moderation.yaml) and the catalog's tiers. */
export function moderationInterceptorFor(catalogPath: string, env: NodeJS.ProcessEnv = process.env): Interceptor {
  const config = loadModerationConfig(env.IMAGEGEN_MODERATION_CONFIG || DEFAULT_MODERATION_PATH, catalogPath);
  return createModerationInterceptor(createPromptModerator(config), config.tiersOff);
}
