#!/bin/sh
# The main job: set up, then open the REPL on a sandbox (an in-process server on the embedded
# journal store; `ec2sim --help` for options). The seeds' story through the core: npm run story.
set -e
cd "$(dirname "$0")/.."
sh scripts/setup.sh
exec sh bin/ec2sim "$@"
