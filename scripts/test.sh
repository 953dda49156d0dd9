#!/bin/sh
# Every check: set up, format and lint (biome), type-check every package (one tsc program), then every test suite (vitest).
set -e
echo "test: Node $(node --version)" >&2
cd "$(dirname "$0")/.."
sh scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
node_modules/.bin/biome ci --reporter=summary . >&2 || { echo "biome: format or lint errors above; npm run format fixes formatting" >&2; exit 1; }
# One TypeScript program over every package (the root tsconfig.json): far cheaper than one per package,
# which re-checked core and the AWS SDK's types 19 times.
node_modules/.bin/tsc -p tsconfig.json
exec npx vitest run "$@"
