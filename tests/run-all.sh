#!/usr/bin/env bash
# The whole test run, as CI and a newcomer run it (npm test): install, build, lint, type check, unit tests, the
# circuits' artifact check, then the integration suite on the real Fabric network, which starts the
# network itself when none runs and stops it again afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

echo "== build"; npm run -s build
echo "== lint"; npx eslint --quiet .
echo "== types (sources and tests)"; npx tsc -p tsconfig.test.json
if [ -f circuits/scripts/check.js ]; then echo "== circuits"; npm run -s circuits:check; fi

results=$(mktemp -d)
status=0
echo "== unit"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" || status=1
echo "== fuzz (REST operations from the OpenAPI document)"
npx jest --selectProjects fuzz --json --outputFile="$results/fuzz.json" || status=1
echo "== integration (real network)"
npx jest --runInBand --selectProjects integration --json --outputFile="$results/integration.json" || status=1
echo "== faults under load and soak (real network)"
npx jest --runInBand --selectProjects faults --json --outputFile="$results/faults.json" || status=1
echo "== e2e (web console in headless Chromium on the real network)"
npx jest --runInBand --selectProjects e2e --json --outputFile="$results/e2e.json" || status=1

# One closing line for every suite together.
node -e '
  const fs = require("fs");
  let p = 0, f = 0, s = 0;
  for (const file of process.argv.slice(1)) {
    if (!fs.existsSync(file)) { f++; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests + r.numRuntimeErrorTestSuites; s += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
' "$results/unit.json" "$results/fuzz.json" "$results/integration.json" "$results/faults.json" "$results/e2e.json"
exit $status
