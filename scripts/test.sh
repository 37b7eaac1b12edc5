#!/usr/bin/env bash
# `npm test`: every test — unit (happy-dom), server, browser (headless Chromium) and Rails peer — then one
# closing line "N passed, N failed" counted from vitest's own JSON report.
set -u
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh || exit 1
node scripts/build.mjs || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
npx tsc -p tsconfig.test.json --noEmit || { echo "type check failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p test-results
rm -f test-results/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
node scripts/summarize.mjs test-results/vitest.json || status=1
exit $status
