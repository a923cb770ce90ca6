/**
 * Acceptance test for scripts/proto-deps.ts: the printed buf/validate/validate.proto must compile
 * (with buf, offline) to exactly the descriptor that @bufbuild/protovalidate embeds, custom
 * options included, so our protos validate against the same rules the runtime enforces.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { clearField, clone, fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

const script = join(import.meta.dirname, "proto-deps.ts");
const buf = createRequire(import.meta.url).resolve("@bufbuild/buf/bin/buf");
const tmp = mkdtempSync(join(tmpdir(), "proto-deps-test-"));
// A temp copy rather than build/proto-deps: other tests may be reading that one meanwhile.
const out = join(tmp, "proto-deps");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the script the way npm scripts do: plain `node` with type stripping. */
function runScript(): string {
  return execFileSync(process.execPath, [script, out], { encoding: "utf8" });
}

/** Compared without source info (comments, spans), which the embedded descriptor does not keep. */
function withoutSourceInfo(file: FileDescriptorProto): FileDescriptorProto {
  const copy = clone(FileDescriptorProtoSchema, file);
  clearField(copy, FileDescriptorProtoSchema.field.sourceCodeInfo);
  return copy;
}

test("writes the third-party protos, and starts clean", () => {
  runScript();
  writeFileSync(join(out, "stale.proto"), "");
  const stdout = runScript();
  expect(stdout.trim()).toMatch(/^proto-deps: wrote 10 files to /);
  expect(existsSync(join(out, "stale.proto"))).toBe(false);
  for (const path of [
    "google/api/annotations.proto",
    "google/api/http.proto",
    "google/api/field_behavior.proto",
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
    "google/rpc/code.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
    "buf/validate/validate.proto",
  ]) {
    expect(existsSync(join(out, path)), path).toBe(true);
  }
});

test("buf/validate/validate.proto compiles to the descriptor embedded in @bufbuild/protovalidate", () => {
  runScript();
  // A buf.yaml of its own makes the folder its workspace, whatever lies above the temp dir.
  writeFileSync(join(out, "buf.yaml"), "version: v2\n");
  const image = join(tmp, "validate.binpb");
  const target = join(out, "buf/validate/validate.proto");
  const args = ["build", out, "--path", target, "--as-file-descriptor-set", "--exclude-source-info", "-o", image];
  execFileSync(process.execPath, [buf, ...args], { stdio: ["ignore", "inherit", "inherit"] });

  const set = fromBinary(FileDescriptorSetSchema, readFileSync(image));
  const built = set.file.find((f) => f.name === "buf/validate/validate.proto");
  expect(built).toBeDefined();
  const actual = withoutSourceInfo(built!);
  const expected = withoutSourceInfo(file_buf_validate_validate.proto);
  // JSON first, for a readable diff; it leaves out custom options (unknown fields on the
  // options messages), so the bytes comparison below is the one that covers them.
  expect(toJson(FileDescriptorProtoSchema, actual)).toEqual(toJson(FileDescriptorProtoSchema, expected));
  expect(
    Buffer.from(toBinary(FileDescriptorProtoSchema, actual)).equals(toBinary(FileDescriptorProtoSchema, expected)),
  ).toBe(true);
});
