#!/usr/bin/env bash
# Fails when buf lint fails, when proto/ (the internal provider contract aside) breaks compatibility
# with the previous commit of main, or when the committed generated code differs from what
# `npm run generate` produces.
set -euo pipefail
cd "$(dirname "$0")/.."
buf="$PWD/node_modules/.bin/buf"
node --import tsx scripts/proto-deps.ts
"$buf" lint

# Breaking-change check: build the base revision's contracts with today's third-party imports
# (build/proto-deps is generated, not committed, so a plain `.git#ref=` input cannot resolve them).
base="${PROTO_BREAKING_BASE:-}"
if [ -z "$base" ]; then
  if [ "$(git rev-parse --abbrev-ref HEAD)" != "main" ] && git rev-parse -q --verify main >/dev/null; then
    base=main
  elif git rev-parse -q --verify HEAD~1 >/dev/null; then
    base=HEAD~1
  fi
fi
if [ -n "$base" ] && git cat-file -e "$base:proto" 2>/dev/null; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  git archive "$base" proto buf.yaml | tar -x -C "$tmp"
  mkdir -p "$tmp/build" && cp -r build/proto-deps "$tmp/build/"
  (cd "$tmp" && "$buf" build -o "$tmp/base.binpb")
  # Both sides as single images (the workspace has two modules; the base image is one).
  "$buf" build -o "$tmp/head.binpb"
  # The internal provider contract (imagegen/provider) is left out: only the front calls it, and
  # the front and every provider service ship from this one repository and are deployed together
  # (npm start, compose, k8s), so a change there never meets an older peer. Every other contract,
  # the public imagegen/v1 that partners' clients call first of all, stays under FILE rules.
  "$buf" breaking "$tmp/head.binpb" --against "$tmp/base.binpb" --exclude-path imagegen/provider \
    --config '{"version":"v2","breaking":{"use":["FILE"]}}'

  echo "buf breaking: no breaking change against $base"
else
  echo "buf breaking: no base revision with protos yet"
fi

"$buf" generate
if [ -n "$(git status --porcelain -- packages/proto)" ]; then
  git status --porcelain -- packages/proto
  echo "generated code is stale: run 'npm run generate' and commit the result" >&2
  exit 1
fi
echo "generated code is up to date"
