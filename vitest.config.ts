import { defineConfig } from "vitest/config";

// Two projects: "unit" runs in happy-dom with fake-indexeddb (fast, no network but 127.0.0.1);
// "browser" drives real headless Chromium through playwright-core against servers it starts itself.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          environment: "happy-dom",
          setupFiles: ["test/support/unit-setup.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts", "test/chaos/**/*.test.ts", "test/fuzz/**/*.test.ts", "test/rails/**/*.test.ts", "test/package/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
