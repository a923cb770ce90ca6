import { createFileRegistry, create, type DescEnum } from "@bufbuild/protobuf";
import {
  CodeGeneratorResponse_Feature,
  CodeGeneratorResponseSchema,
  FileDescriptorSetSchema,
  type CodeGeneratorRequest,
  type CodeGeneratorResponse,
} from "@bufbuild/protobuf/wkt";
import type { Plugin } from "@bufbuild/protoplugin";
import { buildOpenApi } from "./document.ts";

/** info.version of the document: the REST surface is seed 004's v2 API. */
export const API_VERSION = "2.0.0";

/** The file the plugin writes, relative to its `out` directory. */
export const OUTPUT_FILE = "openapi.json";

/**
 * protoc-gen-openapi: one OpenAPI 3.1 document (JSON) for the REST bindings of the files to
 * generate. A plain Plugin rather than createEcmaScriptPlugin: the output is not ECMAScript.
 */
export const protocGenOpenApi: Plugin = {
  name: "protoc-gen-openapi",
  version: "v1",
  run(request: CodeGeneratorRequest): CodeGeneratorResponse {
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: request.protoFile }));
    const files = request.fileToGenerate.map((name) => {
      const file = registry.getFile(name);
      if (!file) throw new Error(`protoc-gen-openapi: ${name} is not in the request`);
      return file;
    });
    const reasons = registry.getEnum("imagegen.v1.ErrorReason") as DescEnum | undefined;
    if (!reasons)
      throw new Error("protoc-gen-openapi: imagegen.v1.ErrorReason (errors.proto) is needed for the error responses");
    const codes = registry.getEnum("google.rpc.Code");
    if (!codes) throw new Error("protoc-gen-openapi: google.rpc.Code is needed for the error table");
    const document = buildOpenApi(files, reasons, codes, API_VERSION);
    return create(CodeGeneratorResponseSchema, {
      supportedFeatures: BigInt(CodeGeneratorResponse_Feature.PROTO3_OPTIONAL),
      file: [{ name: OUTPUT_FILE, content: `${JSON.stringify(document, null, 2)}\n` }],
    });
  },
};
