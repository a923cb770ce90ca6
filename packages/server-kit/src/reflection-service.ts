import { create, createRegistry, fromBinary, toBinary, type DescFile, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  file_grpc_reflection_v1_reflection,
  ServerReflection,
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "@imagegen/proto/grpc/reflection/v1/reflection_pb";
import {
  file_grpc_reflection_v1alpha_reflection,
  ServerReflection as ServerReflectionV1alpha,
  ServerReflectionRequestSchema as V1alphaRequestSchema,
  ServerReflectionResponseSchema as V1alphaResponseSchema,
} from "@imagegen/proto/grpc/reflection/v1alpha/reflection_pb";

/** Both reflection services, for edges that route by path prefix. */
export const REFLECTION_SERVICE_NAMES: readonly string[] = [
  ServerReflection.typeName,
  ServerReflectionV1alpha.typeName,
];

/**
 * gRPC server reflection for a connect-node router, as grpc.reflection.v1 and as v1alpha (the
 * only version older grpcurl, grpcui and many GUI clients speak), so `buf curl`, grpcurl and
 * Postman work against a server without a copy of the schema. No package offers this for
 * connect-node; @grpc/reflection only fits grpc-js servers (its .proto files are what we use).
 *
 * `registry` must contain the files of every service listed in `serviceNames`.
 */
export function registerReflection(router: ConnectRouter, registry: Registry, serviceNames: readonly string[]): void {
  const services = [...serviceNames, ...REFLECTION_SERVICE_NAMES];
  // The reflection files themselves are answerable too (a client may ask for their symbols).
  const all = createRegistry(registry, file_grpc_reflection_v1_reflection, file_grpc_reflection_v1alpha_reflection);
  router.service(ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) yield answer(request, all, services);
    },
  });
  // v1alpha's messages are v1's field for field under another package name: the same bytes
  // parse as either, so one implementation answers both.
  router.service(ServerReflectionV1alpha, {
    async *serverReflectionInfo(requests) {
      for await (const request of requests) {
        const v1 = fromBinary(ServerReflectionRequestSchema, toBinary(V1alphaRequestSchema, request));
        yield fromBinary(V1alphaResponseSchema, toBinary(ServerReflectionResponseSchema, answer(v1, all, services)));
      }
    },
  });
}

function answer(
  request: ServerReflectionRequest,
  registry: Registry,
  services: readonly string[],
): ServerReflectionResponse {
  const base = { validHost: request.host, originalRequest: request };
  const mr = request.messageRequest;
  switch (mr.case) {
    case "listServices":
      return create(ServerReflectionResponseSchema, {
        ...base,
        messageResponse: { case: "listServicesResponse", value: { service: services.map((name) => ({ name })) } },
      });
    case "fileByFilename":
      return filesResponse(base, findFile(registry, mr.value));
    case "fileContainingSymbol": {
      const desc = registry.get(mr.value) ?? findMethodParent(registry, mr.value);
      return filesResponse(base, desc?.file);
    }
    case "fileContainingExtension": {
      const ext = registry.getExtensionFor(
        registry.getMessage(mr.value.containingType) ?? ({} as never),
        mr.value.extensionNumber,
      );
      return filesResponse(base, ext?.file);
    }
    case "allExtensionNumbersOfType": {
      const message = registry.getMessage(mr.value);
      if (!message) return notFound(base, `type not found: ${mr.value}`);
      const numbers: number[] = [];
      for (const type of registry) {
        if (type.kind === "extension" && type.extendee.typeName === message.typeName) numbers.push(type.number);
      }
      return create(ServerReflectionResponseSchema, {
        ...base,
        messageResponse: {
          case: "allExtensionNumbersResponse",
          value: { baseTypeName: message.typeName, extensionNumber: numbers },
        },
      });
    }
    default:
      return notFound(base, "unsupported reflection request", 12 /* UNIMPLEMENTED */);
  }
}

// A method name ("pkg.Service.Method") resolves to its service's file.
function findMethodParent(registry: Registry, symbol: string) {
  const dot = symbol.lastIndexOf(".");
  return dot > 0 ? registry.getService(symbol.slice(0, dot)) : undefined;
}

function findFile(registry: Registry, name: string): DescFile | undefined {
  for (const type of registry) {
    if (type.file.proto.name === name) return type.file;
  }
  return undefined;
}

type Base = Pick<ServerReflectionResponse, "validHost" | "originalRequest">;

// The file and every file it imports, transitively, so the client needs no second round trip.
function filesResponse(base: Base, file: DescFile | undefined): ServerReflectionResponse {
  if (!file) return notFound(base, "symbol or file not found");
  const seen = new Map<string, DescFile>();
  const visit = (f: DescFile): void => {
    if (seen.has(f.proto.name)) return;
    seen.set(f.proto.name, f);
    f.dependencies.forEach(visit);
  };
  visit(file);
  return create(ServerReflectionResponseSchema, {
    ...base,
    messageResponse: {
      case: "fileDescriptorResponse",
      value: { fileDescriptorProto: [...seen.values()].map((f) => toBinary(FileDescriptorProtoSchema, f.proto)) },
    },
  });
}

function notFound(base: Base, message: string, code = 5 /* NOT_FOUND */): ServerReflectionResponse {
  return create(ServerReflectionResponseSchema, {
    ...base,
    messageResponse: { case: "errorResponse", value: { errorCode: code, errorMessage: message } },
  });
}
