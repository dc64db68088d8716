#!/usr/bin/env bash
# Fetch the Prism mock server and Twilio's OpenAPI file into .cache/prism/ for the contract tests.
# Idempotent: each part is skipped when already present. Needs node and npm: Prism 5.14.2 wants Node >= 18.20.1 (Debian bookworm's 18.20.4 and Node 20 both work).
set -euo pipefail
cd "$(dirname "$0")/.."

PRISM_VERSION=5.14.2
TWILIO_MCP_VERSION=0.7.0  # ships twilio-oai/spec/json/twilio_api_v2010.json, Twilio's official OpenAPI file
DIR=.cache/prism
SPEC=$DIR/twilio_api_v2010.json

command -v npm >/dev/null || { echo "prism.sh: npm is missing (install nodejs and npm)" >&2; exit 1; }
mkdir -p "$DIR"

if [ ! -x "$DIR/node_modules/.bin/prism" ]; then
	npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION"
fi

if [ ! -s "$SPEC" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	tarball=$(cd "$tmp" && npm pack --silent "@twilio-alpha/mcp@$TWILIO_MCP_VERSION" | tail -n 1)
	tar -xzf "$tmp/$tarball" -C "$tmp" package/twilio-oai/spec/json/twilio_api_v2010.json
	mv "$tmp/package/twilio-oai/spec/json/twilio_api_v2010.json" "$SPEC.tmp"
	mv "$SPEC.tmp" "$SPEC"
fi

echo "prism: @stoplight/prism-cli@$PRISM_VERSION and $SPEC ready"
