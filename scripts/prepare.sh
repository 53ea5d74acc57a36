#!/usr/bin/env bash
# Shared by `npm start` and `npm test`: the stack up (installing what a new machine lacks),
# the Prisma Client generated, every store migrated.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/stack/stack.sh up
bash scripts/prisma-generate.sh
npx tsx scripts/migrate.ts
