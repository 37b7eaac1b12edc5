#!/usr/bin/env bash
# `npm test`: every test — unit (happy-dom), server, browser (headless Chromium), Rails peer and the
# cable_courier gem's minitest suite — then one closing line "N passed, N failed" counted from vitest's
# JSON report and minitest's summary line together.
set -u
cd "$(dirname "$0")/.."
bash scripts/ensure-system.sh || exit 1
node scripts/build.mjs || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
npx tsc -p tsconfig.test.json --noEmit || { echo "type check failed"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p test-results
rm -f test-results/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
status=$?
rm -f test-results/minitest.txt
ruby ruby/test/all.rb 2>&1 | tee test-results/minitest.txt
[ "${PIPESTATUS[0]}" = 0 ] || status=1
node scripts/summarize.mjs test-results/vitest.json test-results/minitest.txt || status=1
exit $status
