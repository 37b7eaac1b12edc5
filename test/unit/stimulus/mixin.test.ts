import { Application, Controller } from "@hotwired/stimulus";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TriggerObserver } from "../../../src/dom/triggers";
import { bindReflex, type ReflexMixin } from "../../../src/stimulus/mixin";
import type { Operation } from "../../../src/protocol/types";
import { FakeCourier } from "./fake-courier";

const LIFECYCLE = [
  "beforeIncrement", "beforeReflex", "incrementQueued", "reflexQueued", "incrementDelivered", "reflexDelivered",
  "incrementReceived", "reflexReceived", "incrementSuccess", "reflexSuccess", "incrementError", "reflexError",
  "incrementHalted", "reflexHalted", "incrementForbidden", "reflexForbidden",
  "afterIncrement", "afterReflex", "finalizeIncrement", "finalizeReflex",
];
const SR_EVENTS = ["before", "queued", "delivered", "success", "error", "halted", "forbidden", "after", "finalize"];

interface Call { name: string; args: unknown[]; count: string | null }
let calls: Call[];
let courier: FakeCourier;
let application: Application;
let controllers: CounterController[];

class CounterController extends Controller {
  declare stimulate: ReflexMixin["stimulate"];
  override connect(): void {
    controllers.push(this);
    bindReflex(this, { courier: () => courier }, () => {
      throw new Error("the default courier must not be used when one is given");
    });
  }
}
for (const name of LIFECYCLE) {
  Object.defineProperty(CounterController.prototype, name, {
    value(...args: unknown[]) {
      calls.push({ name, args, count: document.getElementById("count")?.textContent ?? null });
    },
  });
}

const op = (extra: Partial<Operation>): Operation => ({ operation: "dispatchEvent", selector: "body", ...extra });
const el = (selector: string): HTMLElement => document.querySelector<HTMLElement>(selector)!;
async function until(condition: () => boolean, limit = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limit) throw new Error("condition not met");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const names = (): string[] => calls.map((c) => c.name);
const settle = <T>(promise: Promise<T>): Promise<unknown> => promise.then(() => "resolved", (error: unknown) => error);

beforeEach(async () => {
  calls = [];
  controllers = [];
  courier = new FakeCourier();
  document.body.innerHTML = `<div id="counter" data-controller="counter"><span id="count">0</span>
    <button id="plus" data-step="2">+</button></div>`;
  application = Application.start();
  application.register("counter", CounterController);
  await until(() => controllers.length === 1);
});
afterEach(() => {
  application.stop();
  document.body.innerHTML = "";
});

describe("useReflex lifecycle", () => {
  it("committed: calls every stage in StimulusReflex's order with (element, target, error, id, payload)", async () => {
    courier.ending = { stage: "committed", operations: [{ operation: "textContent", selector: "#count", text: "1", reflexId: "x", payload: { n: 1 } }] };
    const controller = controllers[0];
    const events: string[] = [];
    for (const stage of SR_EVENTS) {
      el("#counter").addEventListener(`stimulus-reflex:${stage}`, () => events.push(stage));
      el("#counter").addEventListener(`stimulus-reflex:${stage}:increment`, () => events.push(`${stage}:increment`));
    }
    const promise = controller.stimulate("Counter#increment", el("#plus"), 5);
    expect(names()).toEqual(["beforeIncrement", "beforeReflex"]); // before is synchronous, as in SR
    const result = await promise;
    await until(() => names().includes("finalizeReflex"));

    expect(names()).toEqual([
      "beforeIncrement", "beforeReflex", "incrementQueued", "reflexQueued", "incrementDelivered", "reflexDelivered",
      "incrementReceived", "reflexReceived", "incrementSuccess", "reflexSuccess", "afterIncrement", "afterReflex",
      "finalizeIncrement", "finalizeReflex",
    ]);
    expect(result.id).toBe(promise.id);
    const id = promise.id;
    expect(calls[0].args).toEqual([el("#plus"), "Counter#increment", null, id, null]);
    expect(calls.at(-1)!.args).toEqual([el("#plus"), "Counter#increment", null, id, { n: 1 }]);
    expect(calls.find((c) => c.name === "finalizeReflex")!.count).toBe("1"); // the operations were applied first
    expect(events).toEqual(["before", "before:increment", "queued", "queued:increment", "delivered", "delivered:increment",
      "success", "success:increment", "after", "after:increment", "finalize", "finalize:increment"]);

    const sent = courier.calls[0];
    expect(sent.id).toBe(id);
    expect(sent.options).toMatchObject({ element: el("#plus"), controllerElement: el("#counter"), reflexController: "counter", args: [5] });
  });

  it("failed: before, queued, delivered, received, then error and after with the error; no success, no finalize", async () => {
    courier.ending = { stage: "failed", reason: "uncertain", error: "the socket closed with the reflex in flight" };
    let errorDetail: { reason?: unknown } | undefined;
    el("#counter").addEventListener("stimulus-reflex:error", (e) => (errorDetail = (e as CustomEvent).detail));
    const promise = controllers[0].stimulate("Counter#increment");
    const outcome = await settle(promise);
    await until(() => names().includes("afterReflex"));

    expect(outcome).toMatchObject({ reason: "uncertain" });
    expect(names()).toEqual([
      "beforeIncrement", "beforeReflex", "incrementQueued", "reflexQueued", "incrementDelivered", "reflexDelivered",
      "incrementReceived", "reflexReceived", "incrementError", "reflexError", "afterIncrement", "afterReflex",
    ]);
    const error = calls.find((c) => c.name === "reflexError")!;
    expect(error.args).toEqual([el("#counter"), "Counter#increment", "the socket closed with the reflex in flight", promise.id, null]);
    expect(errorDetail?.reason).toBe("uncertain");
  });

  it("halted and forbidden call only their callback; nothing calls success and after without finalize", async () => {
    const cases: Array<[string, string[]]> = [
      ["halted", ["incrementHalted", "reflexHalted"]],
      ["forbidden", ["incrementForbidden", "reflexForbidden"]],
      ["nothing", ["incrementSuccess", "reflexSuccess", "afterIncrement", "afterReflex"]],
    ];
    for (const [kind, tail] of cases) {
      calls = [];
      courier.ending = { stage: "committed", operations: [op({ name: `stimulus-reflex:morph-${kind}` })] };
      await controllers[0].stimulate("Counter#increment");
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(names().slice(8), kind).toEqual(tail);
    }
  });

  it("a controller whose element left the page gets no further calls", async () => {
    let open!: () => void;
    courier.gate = new Promise<void>((resolve) => (open = resolve));
    const promise = controllers[0].stimulate("Counter#increment");
    await until(() => names().includes("reflexReceived"));
    el("#counter").remove();
    open();
    await promise;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(names()).toEqual([
      "beforeIncrement", "beforeReflex", "incrementQueued", "reflexQueued", "incrementDelivered", "reflexDelivered",
      "incrementReceived", "reflexReceived",
    ]);
  });

  it("stops listening once the reflex settles: a late stage event with its id calls nothing", async () => {
    const promise = controllers[0].stimulate("Counter#increment");
    await promise;
    await until(() => names().includes("finalizeReflex"));
    const before = names().length;
    document.dispatchEvent(new CustomEvent("courier:received", { detail: { id: promise.id } }));
    document.dispatchEvent(new CustomEvent("courier:queued", { detail: { id: promise.id } }));
    expect(names()).toHaveLength(before);
  });

  it("ignores stage events of other reflexes", async () => {
    let open!: () => void;
    courier.gate = new Promise<void>((resolve) => (open = resolve));
    const promise = controllers[0].stimulate("Counter#increment");
    await until(() => names().includes("reflexReceived"));
    const seen = names().length;
    document.dispatchEvent(new CustomEvent("courier:sent", { detail: { id: "someone-else" } }));
    expect(names()).toHaveLength(seen);
    open();
    await promise;
  });

  it("a throwing callback is reported to Stimulus's handleError and the others still run", async () => {
    const handleError = vi.spyOn(application, "handleError").mockImplementation(() => {});
    const controller = controllers[0];
    Object.defineProperty(controller, "beforeReflex", {
      value: () => {
        throw new Error("broken app callback");
      },
    });
    await controller.stimulate("Counter#increment");
    await until(() => names().includes("finalizeReflex"));
    expect(handleError).toHaveBeenCalledTimes(1);
    expect(handleError.mock.calls[0][0]).toMatchObject({ message: "broken app callback" });
    expect(names()).toContain("afterReflex");
  });

  it("reads stimulate's arguments as StimulusReflex does", async () => {
    const controller = controllers[0];
    await controller.stimulate("Counter#increment", { reflexId: "fixed", serializeForm: true, includeInnerHTML: true, retry: "safe" }, "a", 2);
    await controller.stimulate("Counter#increment", { plain: "argument" });
    await settle(controller.stimulate());
    const [first, second, third] = courier.calls;
    expect(first).toMatchObject({ id: "fixed", options: { id: "fixed", serializeForm: true, includeInnerHtml: true, retry: "safe", args: ["a", 2], element: el("#counter") } });
    expect(first.options).not.toHaveProperty("reflexId");
    expect(second.options.args).toEqual([{ plain: "argument" }]);
    expect(third.target).toBe("StimulusReflex::Reflex#default_reflex");
  });
});

describe("declarative data-reflex through a controller", () => {
  let fired: string[];
  let triggers: TriggerObserver;
  beforeEach(() => {
    fired = [];
    triggers = new TriggerObserver(document, (target) => fired.push(target));
    triggers.start();
    el("#counter").insertAdjacentHTML("beforeend",
      `<button id="decl" data-reflex="click->Counter#increment">+</button><button id="other" data-reflex="click->Other#go">o</button>`);
  });
  afterEach(() => triggers.stop());

  it("a reflex named after the controller runs through it, with its lifecycle; others are left to the courier", async () => {
    el("#decl").click();
    el("#other").click();
    await until(() => names().includes("finalizeReflex"));
    expect(fired).toEqual(["Other#go"]);
    expect(courier.calls).toHaveLength(1);
    expect(courier.calls[0].options).toMatchObject({ element: el("#decl"), controllerElement: el("#counter"), reflexController: "counter" });
    expect(calls[0].args[0]).toBe(el("#decl"));
  });

  it("a disconnected controller no longer claims them", async () => {
    el("#counter").removeAttribute("data-controller");
    await new Promise((resolve) => setTimeout(resolve, 20)); // let Stimulus observe the change
    el("#decl").click();
    expect(fired).toEqual(["Counter#increment"]);
    expect(courier.calls).toHaveLength(0);
  });
});
