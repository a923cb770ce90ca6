import { ErrorReason } from "@imagegen/errors";
import { describe, expect, it } from "vitest";
import { mapOpenRouterError } from "./map-error.ts";

const body = (code: number, message: string, metadata?: object) =>
  JSON.stringify({ error: { code, message, metadata } });

describe("openrouter error body", () => {
  it.each([
    {
      name: "403 with moderation metadata is the caller's content, not our key",
      status: 403,
      text: body(403, "Request blocked", { reasons: ["violence"], flagged_input: "the prompt", provider_name: "x" }),
      want: { moderated: true, message: "moderation flagged the input (violence)" },
    },
    {
      name: "403 without moderation metadata is left to the status table",
      status: 403,
      text: body(403, "Forbidden"),
      want: { message: "Forbidden" },
    },
    {
      name: "402 relays the words; the status table makes it our billing problem",
      status: 402,
      text: body(402, "Insufficient credits"),
      want: { message: "Insufficient credits" },
    },
    {
      name: "524 is an edge timeout",
      status: 524,
      text: body(524, "Request timed out. Please try again later."),
      want: { reason: ErrorReason.TIMEOUT },
    },
    {
      name: "400 relays the message",
      status: 400,
      text: body(400, "Invalid request parameters"),
      want: { message: "Invalid request parameters" },
    },
    { name: "a non-JSON body says nothing", status: 502, text: "<html>", want: {} },
  ])("$name", ({ status, text, want }) => {
    expect(mapOpenRouterError({ status, text })).toEqual(want);
  });
});
