// Row 6: gzip bytes of our IIFE against the StimulusReflex stack (stimulus_reflex + cable_ready +
// @rails/actioncable) bundled here, in the same run, by the same tool chain: rollup + node-resolve +
// commonjs + terser, minified IIFE, @hotwired/stimulus external on both sides.
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { rollup } from "rollup";
import { nodeResolve } from "@rollup/plugin-node-resolve";
import commonjs from "@rollup/plugin-commonjs";
import terser from "@rollup/plugin-terser";
import { bytes, ratio } from "../lib/stats.mjs";
import { sizeParts } from "../lib/size-parts.mjs";

// What an app's entry pulls in to use StimulusReflex: its default export registers with Stimulus and
// brings cable_ready (with its morphdom) and @rails/actioncable along.
const ENTRY = `export { default as StimulusReflex } from "stimulus_reflex";\nexport { default as CableReady } from "cable_ready";\n`;

/** Issue 13: 14 KiB gzipped, about 75% of the stack it replaces. */
const GOAL_BYTES = 14 * 1024;

const gz = (buffer) => gzipSync(buffer, { level: 9 }).length;

export async function bundleStimulusReflex(root) {
  const dir = `${root}/bench/results/.build`;
  await mkdir(dir, { recursive: true });
  const input = `${dir}/stimulus-reflex-entry.mjs`;
  await writeFile(input, ENTRY);
  const bundle = await rollup({
    input,
    external: (id) => /^@hotwired\/stimulus(\/|$)/.test(id),
    plugins: [nodeResolve({ browser: true, rootDir: root, modulePaths: [`${root}/node_modules`] }), commonjs(), terser()],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: "iife", name: "StimulusReflexStack", globals: { "@hotwired/stimulus": "Stimulus" } });
  await bundle.close();
  const code = Buffer.from(output[0].code);
  await writeFile(`${dir}/stimulus-reflex-stack.iife.min.js`, code);
  return { raw: code.length, gzip: gz(code), modules: Object.keys(output[0].modules).length };
}

export async function bytesRow({ root }) {
  const baseline = await bundleStimulusReflex(root);
  let ours;
  try {
    const code = await readFile(`${process.env.BENCH_DIST ?? `${root}/dist`}/cable-courier.iife.min.js`);
    ours = { raw: code.length, gzip: gz(code) };
    const map = JSON.parse(await readFile(`${process.env.BENCH_DIST ?? `${root}/dist`}/cable-courier.iife.min.js.map`, "utf8"));
    ours.parts = sizeParts(code.toString("utf8"), map);
  } catch (error) {
    ours = { error: `dist/cable-courier.iife.min.js missing: ${error.message}` };
  }
  const r = ours.gzip / baseline.gzip;
  return [{
    figure: "6. bytes, gzip -9 of minified IIFE",
    ours: ours.gzip ? bytes(ours.gzip) : "n/a",
    baseline: `${bytes(baseline.gzip)} (SR 3.5.5 + CR 5.0.6 + AC)`,
    ratio: ratio(ours.gzip, baseline.gzip),
    goal: "≤ 14 KiB (issue 13)",
    status: ours.gzip <= GOAL_BYTES ? "OK" : "MISSED",
    data: { ours, baseline, ratio: r },
  }, ...partRows(ours.parts ?? [])];
}

/** One row per part of our IIFE (a src folder or a dependency), from the build's own source map. */
function partRows(parts) {
  return parts.map(({ part, minified, gzipAlone, gzipShare }) => ({
    figure: `6. part: ${part}`,
    ours: `${bytes(gzipShare)} of the gzip`,
    baseline: `${bytes(minified)} minified, ${bytes(gzipAlone)} gzipped alone`,
    ratio: "",
    goal: "",
    status: "—",
    data: { part, minified, gzipAlone, gzipShare },
  }));
}
