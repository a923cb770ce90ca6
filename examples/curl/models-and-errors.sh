#!/usr/bin/env bash
# The model catalog, and what an error looks like (seed 004's envelope, status from errors.proto).
#   IMAGEGEN_API_KEY=dev-key-change-me bash examples/curl/models-and-errors.sh
set -euo pipefail
base="${IMAGEGEN_URL:-http://localhost:8080}"
curl -sS --fail-with-body "$base/api/v2/models" -H "X-API-Key: ${IMAGEGEN_API_KEY:?set IMAGEGEN_API_KEY}"
echo
# An out-of-range width: 400 INVALID_REQUEST, details.field = "parameters.width".
curl -sS -w '\nHTTP %{http_code}\n' "$base/api/v2/generate/text-to-image" \
  -H "X-API-Key: $IMAGEGEN_API_KEY" -H "Content-Type: application/json" \
  -d '{"prompt": "too wide", "parameters": {"width": 4000}}'
# No key: 401 UNAUTHORIZED.
curl -sS -w '\nHTTP %{http_code}\n' "$base/api/v2/models"
