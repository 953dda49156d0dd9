#!/bin/sh
# Every check: set up, type-check every package (turbo), then every test suite (vitest).
set -e
cd "$(dirname "$0")/.."
sh scripts/setup.sh
export TURBO_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
# turbo runs each package's script through pnpm; it needs the absolute path of the local pnpm.
PATH="$PWD/node_modules/.bin:$PATH" turbo run typecheck --output-logs=errors-only
exec npx vitest run "$@"
