/**
 * Prepares build/proto-deps/: the third-party .proto files our contracts import, taken from
 * installed npm packages (the BSR is unreachable here, and third-party files are not committed).
 * Run by `npm run generate`, `npm run lint:proto` and CI before any buf command.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { printProtoFile } from "./proto-print.ts";

const root = join(import.meta.dirname, "..");
const out = join(root, "build", "proto-deps");
const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

const copies: Array<[pkg: string, from: string, to: string]> = [
  ["google-proto-files", "google/api/annotations.proto", "google/api/annotations.proto"],
  ["google-proto-files", "google/api/http.proto", "google/api/http.proto"],
  ["google-proto-files", "google/rpc/code.proto", "google/rpc/code.proto"],
  ["google-proto-files", "google/rpc/status.proto", "google/rpc/status.proto"],
  ["google-proto-files", "google/rpc/error_details.proto", "google/rpc/error_details.proto"],
  ["grpc-health-check", "proto/health/v1/health.proto", "grpc/health/v1/health.proto"],
  ["@grpc/reflection", "build/proto/grpc/reflection/v1/reflection.proto", "grpc/reflection/v1/reflection.proto"],
];

rmSync(out, { recursive: true, force: true });
for (const [pkg, from, to] of copies) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(join(packageDir(pkg), from), join(out, to));
}
// No package ships buf/validate/validate.proto as source: print it from the descriptor
// that @bufbuild/protovalidate embeds.
const validate = join(out, "buf/validate/validate.proto");
mkdirSync(dirname(validate), { recursive: true });
writeFileSync(validate, printProtoFile(file_buf_validate_validate.proto));
console.log(`proto-deps: ${copies.length + 1} files in ${out}`);
