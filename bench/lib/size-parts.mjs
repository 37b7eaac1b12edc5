// Where the bytes of a minified bundle come from, read off its own source map (the one rollup + terser
// wrote for that very build, so no second build can disagree with it). Each generated character is
// charged to the source its mapping segment names; a part is a folder of ours (src/outbox, src/dom, ...)
// or a dependency (node_modules/<name>). For each part: its minified bytes, its gzip alone, and its
// share of the whole bundle's gzip (minified share × whole gzip: gzip of a part alone overstates it,
// since the dictionary is shared across parts).
import { gzipSync } from "node:zlib";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one `mappings` line into [generatedColumn, sourceIndex | undefined] pairs (source map v3 VLQ). */
function* segments(line, state) {
  let column = 0;
  for (const segment of line.split(",")) {
    if (!segment) continue;
    const fields = [];
    let value = 0, shift = 0;
    for (const c of segment) {
      const digit = DIGIT.get(c);
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = shift = 0;
      }
    }
    column += fields[0];
    if (fields.length > 1) state.source += fields[1];
    yield [column, fields.length > 1 ? state.source : undefined];
  }
}

/** `../src/outbox/x.ts` → `src/outbox`; `../node_modules/@rails/actioncable/...` → `@rails/actioncable`. */
export function partOf(source) {
  const path = source.replace(/^(\.\.\/)+/, "");
  const dep = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (dep) return dep[1];
  const ours = path.match(/^src\/([^/]+)\//);
  if (ours) return `src/${ours[1]}`;
  if (/^src\/[^/]+$/.test(path)) return "src/*.ts (top level)";
  return path || "(glue)";
}

export function sizeParts(code, map) {
  const lines = code.split("\n");
  const mappingLines = map.mappings.split(";");
  const chunks = new Map();
  const charge = (part, text) => {
    if (!text) return;
    const list = chunks.get(part) ?? [];
    list.push(text);
    chunks.set(part, list);
  };
  const state = { source: 0 };
  lines.forEach((line, i) => {
    const segs = [...segments(mappingLines[i] ?? "", state)];
    if (segs.length === 0 || segs[0][0] > 0) charge("(glue)", line.slice(0, segs[0]?.[0] ?? line.length));
    segs.forEach(([column, source], j) => {
      const end = j + 1 < segs.length ? segs[j + 1][0] : line.length;
      charge(source === undefined ? "(glue)" : partOf(map.sources[source]), line.slice(column, end));
    });
  });
  const wholeGzip = gzipSync(code, { level: 9 }).length;
  const total = code.length;
  return [...chunks]
    .map(([part, list]) => {
      const text = list.join("");
      const bytes = text.length;
      return { part, minified: bytes, gzipAlone: gzipSync(text, { level: 9 }).length, gzipShare: Math.round((bytes / total) * wholeGzip) };
    })
    .sort((a, b) => b.minified - a.minified);
}
