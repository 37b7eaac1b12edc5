// `npm run fuzz -- [--seed N] [--frames N] [--kinds a,b]`: the hostile-server fuzzer (test/fuzz) with the
// given seed and frame count; it prints a `FUZZ {...}` line of figures, and the seed with any violation.
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { seed: { type: "string", default: "1" }, frames: { type: "string", default: "10000" }, kinds: { type: "string", default: "" } } });
for (const [name, value] of [["seed", values.seed], ["frames", values.frames]]) {
  if (!/^\d+$/.test(value)) {
    console.error(`--${name} must be a whole number`);
    process.exit(2);
  }
}
const build = spawnSync("node", ["scripts/build.mjs"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
const env = { ...process.env, FUZZ_SEED: values.seed, FUZZ_FRAMES: values.frames, FUZZ_KINDS: values.kinds };
const run = spawnSync("npx", ["vitest", "run", "--project", "browser", "test/fuzz/"], { stdio: "inherit", env });
process.exit(run.status ?? 1);
