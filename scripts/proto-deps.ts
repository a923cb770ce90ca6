/**
 * Prepares build/proto-deps/: the third-party .proto files our contracts import, taken from
 * installed npm packages. The BSR is unreachable here, and third-party files are not committed,
 * so buf.yaml lists this folder as a module instead of using `deps:`.
 * Run by `npm run generate`, `npm run lint:proto` and CI before any buf command:
 *   node scripts/proto-deps.ts [out-dir]
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { createRegistry } from "@bufbuild/protobuf";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { printProtoFile } from "./proto-print.ts";

// An optional argument writes elsewhere, so tests need not clobber the shared build folder.
const outDir = resolve(process.argv[2] ?? join(import.meta.dirname, "..", "build", "proto-deps"));
// The folder is deleted first: make sure a wrong argument cannot delete something else.
if (basename(outDir) !== "proto-deps") {
  console.error(`proto-deps: refusing to clean ${outDir}: the folder must be named proto-deps`);
  process.exit(1);
}

// Resolve through the package manager's layout (workspaces may hoist or nest packages).
const require = createRequire(import.meta.url);
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/** [npm package, path in the package, path under proto-deps/ (= the import path)] */
const copies: ReadonlyArray<readonly [string, string, string]> = [
  ["google-proto-files", "google/api/annotations.proto", "google/api/annotations.proto"],
  ["google-proto-files", "google/api/http.proto", "google/api/http.proto"],
  ["google-proto-files", "google/api/field_behavior.proto", "google/api/field_behavior.proto"],
  ["google-proto-files", "google/rpc/code.proto", "google/rpc/code.proto"],
  ["google-proto-files", "google/rpc/status.proto", "google/rpc/status.proto"],
  ["google-proto-files", "google/rpc/error_details.proto", "google/rpc/error_details.proto"],
  ["grpc-health-check", "proto/health/v1/health.proto", "grpc/health/v1/health.proto"],
  ["@grpc/reflection", "build/proto/grpc/reflection/v1/reflection.proto", "grpc/reflection/v1/reflection.proto"],
  // Older grpcurl, grpcui and many GUI clients speak only v1alpha (same messages, other package).
  [
    "@grpc/reflection",
    "build/proto/grpc/reflection/v1alpha/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
  ],
];

function destination(path: string): string {
  const dest = join(outDir, path);
  mkdirSync(dirname(dest), { recursive: true });
  return dest;
}

// Start clean so that a file dropped from the list does not linger.
rmSync(outDir, { recursive: true, force: true });
for (const [pkg, from, to] of copies) copyFileSync(join(packageDir(pkg), from), destination(to));

// No package ships buf/validate/validate.proto as source: print it from the descriptor that
// @bufbuild/protovalidate embeds. Its custom options use extensions declared in the same file.
const validate = file_buf_validate_validate;
writeFileSync(destination(validate.proto.name), printProtoFile(validate.proto, createRegistry(validate)));

console.log(`proto-deps: wrote ${copies.length + 1} files to ${relative(process.cwd(), outDir) || "."}`);
