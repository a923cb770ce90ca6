import { ErrorReason } from "@imagegen/errors";
import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { reasonOf } from "./test-requests.ts";
import { translateStabilityImage } from "./translate-response.ts";

const bytes = Buffer.from("image-bytes");
const json = (body: object) => Buffer.from(JSON.stringify(body));

describe("stability sync image answer", () => {
  it.each([
    {
      name: "raw bytes with finish-reason and seed headers",
      answer: { contentType: "image/webp", finishReason: "SUCCESS", seed: "343940597", body: bytes },
      want: { data: bytes, format: Format.WEBP, seed: 343940597 },
    },
    {
      name: "raw bytes from a server that sends no metadata headers",
      answer: { contentType: "image/jpeg", finishReason: null, seed: null, body: bytes },
      want: { data: bytes, format: Format.JPEG, seed: undefined },
    },
    {
      name: "the JSON encoding names the format in the content type",
      answer: {
        contentType: "application/json; type=image/jpeg",
        finishReason: null,
        seed: null,
        body: json({ image: bytes.toString("base64"), seed: 5, finish_reason: "SUCCESS" }),
      },
      want: { data: bytes, format: Format.JPEG, seed: 5 },
    },
  ])("$name", ({ answer, want }) => {
    expect(translateStabilityImage(answer)).toEqual(want);
  });

  it.each([
    {
      name: "CONTENT_FILTERED on a 200 (header)",
      answer: { contentType: "image/png", finishReason: "CONTENT_FILTERED", seed: "1", body: bytes },
      reason: ErrorReason.INVALID_PROMPT,
    },
    {
      name: "CONTENT_FILTERED on a 200 (JSON)",
      answer: {
        contentType: "application/json",
        finishReason: null,
        seed: null,
        body: json({ image: "aGk=", finish_reason: "CONTENT_FILTERED" }),
      },
      reason: ErrorReason.INVALID_PROMPT,
    },
    {
      name: "an empty image body",
      answer: { contentType: "image/png", finishReason: "SUCCESS", seed: "1", body: Buffer.alloc(0) },
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
    {
      name: "an HTML page",
      answer: { contentType: "text/html", finishReason: null, seed: null, body: Buffer.from("<html>") },
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
    {
      name: "garbage JSON",
      answer: { contentType: "application/json", finishReason: null, seed: null, body: Buffer.from("{not json") },
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
    {
      name: "JSON without an image",
      answer: {
        contentType: "application/json",
        finishReason: null,
        seed: null,
        body: json({ finish_reason: "SUCCESS" }),
      },
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
    {
      name: "an unknown finish reason",
      answer: { contentType: "image/png", finishReason: "ERROR", seed: null, body: bytes },
      reason: ErrorReason.UPSTREAM_BAD_RESPONSE,
    },
  ])("refuses $name", ({ answer, reason }) => {
    expect(reasonOf(() => translateStabilityImage(answer))).toBe(reason);
  });
});
