// Compiled, never run: what an app writes against the published package, resolved through package.json's
// `exports` (the package importing itself by name), so the generated declarations are what is checked.
import { start, ReflexError, type CableState, type CourierOptions, type ReflexResult } from "cable-courier";
import { useReflex, register } from "cable-courier/stimulus";
import { createServer, morph, MemoryStore, type CourierStore } from "cable-courier/server";

const options: CourierOptions = { offline: "hide", maxQueue: 10, debug: (level, message) => void [level, message] };

export async function click(): Promise<ReflexResult | string> {
  const courier = start(options);
  const state: CableState = courier.state;
  const reflex = courier.stimulate("Counter#increment", { args: [1], retry: "safe" });
  const id: string = reflex.id;
  try {
    return await reflex;
  } catch (error) {
    return error instanceof ReflexError ? `${id} ${state} ${error.reason}` : "unknown";
  }
}

const store: CourierStore = new MemoryStore();
export const server = createServer({ store, reflexes: { "Counter#increment": () => [morph("#count", "1")] } });
export const mixins = [useReflex, register];

// @ts-expect-error offline is one of queue, hide, disable
start({ offline: "vanish" });
// @ts-expect-error a reflex target is a string
start().stimulate(42);
// @ts-expect-error retry is safe or unsafe
start().stimulate("A#b", { retry: "maybe" });
// @ts-expect-error a failure reason is one of the documented ones
export const reason: ReflexError["reason"] = "lost";

// ---- exactly as the README writes them ----
import { ReflexController } from "cable-courier/stimulus";

export class CounterController extends ReflexController {
  increment() {
    this.stimulate("Counter#increment").then((result) => result.operations.length);
  }
}

document.addEventListener("courier:failed", e => e.detail.reason);
// ---- end of the README's ----

document.addEventListener("courier:state", (e) => {
  const state: CableState = e.detail.state;
  return [state, e.detail.disconnect?.reason];
});
document.body.addEventListener("courier:committed", (e) => e.detail.id.length);
document.addEventListener("cable-ready:after-morph", (e) => e.detail.operation);
document.addEventListener("cable-ready:batch-complete", (e) => e.detail.batch);
document.addEventListener("courier:stale", (e) => e.detail.reflexes.map((r) => r.reason satisfies "replay" | "pruned" | "url"));
import * as bundle from "cable-courier/stimulus-bundle";
export const fromBundle = [bundle.start, bundle.useReflex, bundle.ReflexController];
// @ts-expect-error a stage event's detail has no `state`
document.addEventListener("courier:failed", (e) => e.detail.state);
