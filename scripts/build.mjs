// Builds every entry: JavaScript through rollup, declarations through tsc (generated, never hand-written).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";

const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit" });
rmSync("dist", { recursive: true, force: true });
run("npx", ["rollup", "-c", "--silent"]);
run("npx", ["tsc", "-p", "tsconfig.build.json"]);
