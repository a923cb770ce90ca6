import { Format } from "@imagegen/proto/imagegen/provider/v1/provider_service_pb";
import { describe, expect, it } from "vitest";
import { formatName, formatOfMediaType, formatOfName, mediaTypeOf } from "./formats.ts";

describe("format names and media types", () => {
  it("round-trips every concrete format by name and by media type", () => {
    for (const format of [Format.PNG, Format.JPEG, Format.WEBP]) {
      expect(formatOfName(formatName(format))).toBe(format);
      expect(formatOfMediaType(mediaTypeOf(format))).toBe(format);
    }
  });

  it("reads an unspecified format as PNG and refuses names it does not know", () => {
    expect([formatName(Format.UNSPECIFIED), mediaTypeOf(Format.UNSPECIFIED)]).toEqual(["png", "image/png"]);
    expect([
      formatOfName("jpg"),
      formatOfName("toString"),
      formatOfMediaType("image/gif"),
      formatOfMediaType(" Image/WEBP "),
    ]).toEqual([undefined, undefined, undefined, Format.WEBP]);
  });
});
