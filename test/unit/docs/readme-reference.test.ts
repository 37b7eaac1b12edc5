// README's reference stays true: every exported name, every option of start() and createServer (each
// with a row and a default in its table), every Courier member, ReflexError field, event, stage, state
// and failure reason, as the TypeScript sources declare them, appears in README.md. A new option, export
// or event without docs fails here.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";

// vitest runs from the repository root (happy-dom gives import.meta.url no file: URL).
const root = (path: string) => resolve(process.cwd(), path);
const README = readFileSync(root("README.md"), "utf8");
const ENTRIES = { index: "src/index.ts", stimulus: "src/stimulus/index.ts", server: "src/server/index.ts" };

const program = ts.createProgram(Object.values(ENTRIES).map(root), {
  strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noEmit: true,
});
const checker = program.getTypeChecker();

function exportsOf(entry: string): ts.Symbol[] {
  const file = program.getSourceFile(root(entry));
  if (!file) throw new Error(`no source ${entry}`);
  return checker.getExportsOfModule(checker.getSymbolAtLocation(file)!);
}
function exported(entry: string, name: string): ts.Symbol {
  const symbol = exportsOf(entry).find((s) => s.name === name);
  if (!symbol) throw new Error(`${entry} exports no ${name}`);
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}
const typeOf = (entry: keyof typeof ENTRIES, name: string): ts.Type => checker.getDeclaredTypeOfSymbol(exported(ENTRIES[entry], name));
const isPrivate = (symbol: ts.Symbol) =>
  (symbol.declarations ?? []).some((d) => ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
/** Public property and method names of a type, inherited ones included. */
const members = (type: ts.Type): string[] =>
  checker.getPropertiesOfType(type).filter((s) => !isPrivate(s)).map((s) => s.name);
const unionOf = (type: ts.Type): string[] =>
  (type.isUnion() ? type.types : [type]).map((t) => String((t as ts.StringLiteralType).value));

const quoted = (name: string) => README.includes("`" + name + "`") || README.includes("`" + name + "(");
/** The names README never mentions in backticks. */
const missing = (names: string[]) => names.filter((name) => !quoted(name));

/** The rows of the markdown table under `heading`: first cell (unquoted) → second cell. */
function table(heading: string): Map<string, string> {
  const start = README.indexOf(heading);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const rows = new Map<string, string>();
  for (const line of README.slice(start).split("\n").slice(1)) {
    if (line.startsWith("#")) break;
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 4) continue;
    for (const key of cells[1].matchAll(/`([A-Za-z]+)`/g)) rows.set(key[1], cells[2]);
  }
  return rows;
}
/** Option keys without a table row whose default cell says something. */
const undocumentedOptions = (keys: string[], rows: Map<string, string>) => keys.filter((key) => !rows.get(key));

describe("README reference", () => {
  test("every export of cable-courier, cable-courier/stimulus and cable-courier/server is named", () => {
    for (const entry of Object.values(ENTRIES)) {
      const names = exportsOf(entry).map((s) => s.name);
      expect(names.length).toBeGreaterThan(3);
      expect([entry, missing(names)]).toEqual([entry, []]);
    }
  });

  test("every option of start() has a row with its default", () => {
    const keys = members(typeOf("index", "CourierOptions"));
    expect(keys).toContain("consumer");
    expect(undocumentedOptions(keys, table("## Options of `start()`"))).toEqual([]);
  });

  test("every option of createServer has a row with its default, and every member of the server it returns is named", () => {
    const keys = members(typeOf("server", "ServerOptions"));
    expect(keys).toContain("logger");
    expect(undocumentedOptions(keys, table("### `createServer(options)`"))).toEqual([]);
    expect(missing(members(typeOf("server", "CourierServer")))).toEqual([]);
    expect(missing(members(typeOf("server", "MemoryStoreOptions")))).toEqual([]);
    expect(missing(unionOf(typeOf("server", "ReflexEventType")))).toEqual([]);
  });

  test("every public member of Courier, every stimulate() option and every ReflexError field and reason", () => {
    const courier = members(typeOf("index", "Courier"));
    expect(courier).toEqual(expect.arrayContaining(["stimulate", "state", "lastDisconnect"]));
    expect(courier).not.toContain("enqueue"); // private members are left out
    expect(missing(courier)).toEqual([]);
    expect(missing(members(typeOf("index", "StimulateOptions")))).toEqual([]);
    const error = members(typeOf("index", "ReflexError")).filter((name) => name !== "stack" && name !== "cause");
    expect(error).toEqual(expect.arrayContaining(["reason", "id", "target", "message", "name"]));
    expect(missing(error)).toEqual([]);
    expect(missing(unionOf(typeOf("index", "FailureReason")))).toEqual([]);
  });

  test("every lifecycle stage of the Stimulus mixin and every option of useReflex", () => {
    expect(missing(unionOf(typeOf("stimulus", "LifecycleStage")))).toEqual([]);
    expect(missing(members(typeOf("stimulus", "UseReflexOptions")))).toEqual([]);
    expect(missing(members(typeOf("index", "MorphOptions")))).toEqual([]);
  });

  test("every event, stage and connection state", () => {
    const events = members(typeOf("index", "CourierEventMap"));
    expect(events).toContain("courier:failed");
    expect(missing(events)).toEqual([]);
    expect(missing(unionOf(typeOf("index", "Stage")))).toEqual([]);
    expect(missing(unionOf(typeOf("index", "CableState")).map((state) => `cable-${state}`))).toEqual([]);
    expect(missing(unionOf(typeOf("index", "CableState")))).toEqual([]);
  });
});
