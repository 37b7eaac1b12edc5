import typescript from "@rollup/plugin-typescript";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import commonjs from "@rollup/plugin-commonjs";
import terser from "@rollup/plugin-terser";

// Declarations come from `tsc -p tsconfig.build.json` (scripts/build.mjs); rollup only emits JavaScript.
const ts = () => typescript({ tsconfig: "./tsconfig.json", declaration: false, outDir: undefined, rootDir: undefined, noEmit: false });
const external = (id) => /^(@rails\/actioncable|morphdom|idb-keyval|@hotwired\/stimulus)(\/|$)/.test(id);
// The IIFE's minifier: two compress passes, and private members (named `_x` by convention outside
// src/outbox, see docs/ARCHITECTURE.md) get short names, which plain mangling leaves alone.
const MINIFY = { compress: { passes: 2 }, mangle: { properties: { regex: /^_[A-Za-z]/ } } };
const browser = () => [nodeResolve({ browser: true }), commonjs()];

export default [
  {
    input: { "cable-courier": "src/index.ts", stimulus: "src/stimulus/index.ts", operations: "src/operations.ts" },
    external,
    plugins: [ts()],
    output: { dir: "dist", format: "es", entryFileNames: "[name].js", chunkFileNames: "chunks/[name]-[hash].js", sourcemap: true },
  },
  {
    input: "src/index.ts",
    plugins: [...browser(), ts()],
    output: { file: "dist/cable-courier.bundle.js", format: "es", sourcemap: true },
  },
  {
    // For import maps: everything in one file with a stable name; only Stimulus stays a bare import.
    input: "src/stimulus/bundle.ts",
    external: (id) => /^@hotwired\/stimulus(\/|$)/.test(id),
    plugins: [...browser(), ts()],
    output: { file: "dist/stimulus.bundle.js", format: "es", sourcemap: true },
  },
  {
    input: "src/iife.ts",
    plugins: [...browser(), ts(), terser(MINIFY)],
    output: { file: "dist/cable-courier.iife.min.js", format: "iife", name: "CableCourier", sourcemap: true },
  },
  {
    input: "src/server/index.ts",
    external: (id) => id === "ws" || id.startsWith("node:"),
    plugins: [ts()],
    output: { file: "dist/server.js", format: "es", sourcemap: true },
  },
];
