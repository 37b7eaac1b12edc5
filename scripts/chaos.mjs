// `npm run chaos`: builds dist/ (the pages load the bundle, the server is dist/server.js), then runs the
// TypeScript campaign in test/chaos through Vite's module runner (no separate TS toolchain needed).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runnerImport } from "vite";

const root = fileURLToPath(new URL("..", import.meta.url));
execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
const { module } = await runnerImport(fileURLToPath(new URL("../test/chaos/cli.ts", import.meta.url)), { root, logLevel: "error" });
process.exitCode = await module.main(process.argv.slice(2));
