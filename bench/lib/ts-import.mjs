// Imports a TypeScript module of this repository (see ts-hooks.mjs); registered once per process.
import { register } from "node:module";

let registered = false;

export async function importTs(url) {
  if (!registered) {
    register("./ts-hooks.mjs", import.meta.url);
    registered = true;
  }
  return import(url);
}
