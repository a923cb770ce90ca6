#!/usr/bin/env bash
# Text-to-image over REST (seed 004's API), then the generation by id and the first image.
#   IMAGEGEN_API_KEY=dev-key-change-me bash examples/curl/text-to-image.sh
set -euo pipefail
base="${IMAGEGEN_URL:-http://localhost:8080}"
auth="Authorization: Bearer ${IMAGEGEN_API_KEY:?set IMAGEGEN_API_KEY}"

generation=$(curl -sS --fail-with-body "$base/api/v2/generate/text-to-image" \
  -H "$auth" -H "Content-Type: application/json" \
  -d '{"prompt": "A serene Japanese garden with cherry blossoms", "model": "'"${IMAGEGEN_MODEL:-local}"'",
       "parameters": {"width": 256, "height": 256, "num_outputs": 1, "seed": 42},
       "output": {"format": "png"}}')
echo "$generation"
# Poll the generation (a 202 answer means it is still running).
id=$(printf '%s' "$generation" | sed -E 's/.*"id":"(gen_[^"]+)".*/\1/')
curl -sS --fail-with-body "$base/api/v2/generations/$id" -H "$auth"
echo
url=$(printf '%s' "$generation" | sed -E 's/.*"url":"([^"]+)".*/\1/')
curl -sS --fail -o /dev/null -w 'image: %{http_code} %{content_type} %{size_download} bytes\n' "$url"
