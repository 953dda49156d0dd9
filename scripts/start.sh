#!/bin/sh
# The main job: set up, then run the sandbox. Until the REPL lands this tells the seeds' story.
set -e
cd "$(dirname "$0")/.."
sh scripts/setup.sh
exec node --import tsx packages/core/examples/cat-photo-story.ts "$@"
