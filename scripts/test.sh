#!/bin/sh
# Every check: set up, format and lint (biome), type-check every package (turbo), then every test suite (vitest).
set -e
cd "$(dirname "$0")/.."
sh scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
node_modules/.bin/biome ci --reporter=summary . >&2 || { echo "biome: format or lint errors above; npm run format fixes formatting" >&2; exit 1; }
# turbo runs each package's script through pnpm; it needs the absolute path of the local pnpm.
PATH="$PWD/node_modules/.bin:$PATH" turbo run typecheck --output-logs=errors-only
exec npx vitest run "$@"
