#!/usr/bin/env python3
"""A partner client over gRPC with stubs generated from proto/ (grpcio + protobuf).

    npm run generate:partners            # writes build/partner-stubs/python
    IMAGEGEN_API_KEY=dev-key-change-me python3 examples/python/generate_image.py

Environment: IMAGEGEN_GRPC_TARGET (host:port, default localhost:8080), IMAGEGEN_API_KEY,
IMAGEGEN_MODEL (default: the first active model), IMAGEGEN_PY_STUBS (the stubs folder).
Prints one JSON line per step; exits 1 with the error's reason on failure.
"""
import json
import os
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("IMAGEGEN_PY_STUBS", os.path.join(HERE, "..", "..", "build", "partner-stubs", "python")))

import grpc  # noqa: E402  (Debian: python3-grpcio)
from google.rpc import error_details_pb2, status_pb2  # noqa: E402  (generated with the stubs)
from imagegen.v1 import image_service_pb2, image_service_pb2_grpc  # noqa: E402
from imagegen.v1 import generation_pb2, model_service_pb2, model_service_pb2_grpc, types_pb2  # noqa: E402


def error_reason(error: grpc.RpcError) -> str:
    """The ErrorInfo reason (e.g. RATE_LIMITED) from the rich status details, else the gRPC code."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.ErrorInfo()
                if detail.Unpack(info):
                    return info.reason
    return error.code().name


def main() -> int:
    target = os.environ.get("IMAGEGEN_GRPC_TARGET", "localhost:8080")
    key = os.environ.get("IMAGEGEN_API_KEY", "")
    auth = (("authorization", f"Bearer {key}"),)
    with grpc.insecure_channel(target) as channel:  # h2c: the gateway speaks HTTP/2 without TLS on its port
        models = model_service_pb2_grpc.ModelServiceStub(channel)
        images = image_service_pb2_grpc.ImageServiceStub(channel)
        try:
            listed = models.ListModels(model_service_pb2.ListModelsRequest(), metadata=auth, timeout=10)
            model = os.environ.get("IMAGEGEN_MODEL") or next(m.id for m in listed.models if m.status == "active")
            print(json.dumps({"step": "models", "active": [m.id for m in listed.models if m.status == "active"], "using": model}))
            generation = images.TextToImage(
                image_service_pb2.TextToImageRequest(
                    prompt="A lighthouse on a cliff at dawn",
                    model=model,
                    parameters=image_service_pb2.GenerationParameters(width=256, height=256, num_outputs=1, seed=7),
                    output=types_pb2.OutputOptions(format=types_pb2.IMAGE_FORMAT_PNG),
                ),
                metadata=auth,
                timeout=120,  # a deadline, as every partner call should have
            )
        except grpc.RpcError as error:
            print(json.dumps({"step": "error", "reason": error_reason(error), "message": error.details()}))
            return 1
    status = generation_pb2.GenerationStatus.Name(generation.status)
    print(json.dumps({"step": "generated", "id": generation.id, "status": status, "urls": [i.url for i in generation.images]}))
    if generation.status != generation_pb2.GENERATION_STATUS_COMPLETED:
        return 1
    with urllib.request.urlopen(generation.images[0].url, timeout=30) as response:  # a signed URL of the gateway
        data = response.read()
    print(json.dumps({"step": "downloaded", "bytes": len(data), "png": data[:8] == b"\x89PNG\r\n\x1a\n"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
