// @vitest-environment node
// The published declarations, as an app sees them: test/package/consumer.ts compiled against `exports`
// with bundler and with node16 resolution, without skipLibCheck, so a broken .d.ts fails here.
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, "../../node_modules/typescript/bin/tsc");

function compile(config: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, "-p", join(here, config)], (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

test.each(["tsconfig.bundler.json", "tsconfig.node16.json"])("an app type-checks against the package (%s)", async (config) => {
  const { code, output } = await compile(config);
  expect(output).toBe("");
  expect(code).toBe(0);
});
