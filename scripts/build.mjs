// Builds every entry: JavaScript through rollup, declarations through tsc (generated, never hand-written).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";

const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });
// Only what carries hashed or generated names is cleared, so a page served from dist/ during a rebuild
// keeps finding the fixed-name bundles.
for (const dir of ["dist/chunks", "dist/types"]) rmSync(dir, { recursive: true, force: true });
run("npx", ["rollup", "-c", "--silent"]);
run("npx", ["tsc", "-p", "tsconfig.build.json"]);
