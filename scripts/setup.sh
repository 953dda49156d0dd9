#!/bin/sh
# Installs the workspace with pnpm 10 through npx (no global install, no corepack needed).
set -e
cd "$(dirname "$0")/.."
npx -y pnpm@10 install --frozen-lockfile --reporter=silent >/dev/null 2>&1 || npx -y pnpm@10 install --frozen-lockfile
