import { afterEach, describe, expect, it } from "vitest";
import { markStage, type StageDetail } from "../../../src/dom/stage-marks";
import type { Stage } from "../../../src/protocol/types";

const detail = (stage: Stage, id = "r1", extra: Partial<StageDetail> = {}): StageDetail => ({
  id, target: "Counter#increment", clientId: "c1", seq: 1, stage, ...extra,
});

afterEach(() => {
  document.body.innerHTML = "";
});

describe("markStage", () => {
  it("marks each stage, busy until committed, and dispatches bubbling courier:<stage> with the detail", () => {
    document.body.innerHTML = `<div id="wrap"><button id="b">+</button></div>`;
    const button = document.getElementById("b")!;
    const heard: Array<{ type: string; detail: StageDetail; target: EventTarget | null }> = [];
    for (const type of ["courier:queued", "courier:sent", "courier:received", "courier:committed"]) {
      document.getElementById("wrap")!.addEventListener(type, (event) => {
        heard.push({ type, detail: (event as CustomEvent<StageDetail>).detail, target: event.target });
      });
    }
    const states: Array<[string | null, string | null]> = [];
    for (const stage of ["queued", "sent", "received", "committed"] as const) {
      markStage(button, detail(stage));
      states.push([button.getAttribute("data-reflex-state"), button.getAttribute("aria-busy")]);
    }
    expect(states).toEqual([["queued", "true"], ["sent", "true"], ["received", "true"], ["committed", null]]);
    expect(heard.map((h) => h.type)).toEqual(["courier:queued", "courier:sent", "courier:received", "courier:committed"]);
    expect(heard.every((h) => h.target === button)).toBe(true);
    expect(heard[3].detail).toEqual(detail("committed"));
  });

  it("failed is terminal too and carries reason and error", () => {
    document.body.innerHTML = `<button id="b">+</button>`;
    const button = document.getElementById("b")!;
    let failure: StageDetail | undefined;
    document.addEventListener("courier:failed", (event) => (failure = (event as CustomEvent<StageDetail>).detail), { once: true });
    markStage(button, detail("sent"));
    markStage(button, detail("failed", "r1", { reason: "uncertain", error: "socket closed" }));
    expect(button.getAttribute("data-reflex-state")).toBe("failed");
    expect(button.hasAttribute("aria-busy")).toBe(false);
    expect(failure).toMatchObject({ stage: "failed", reason: "uncertain", error: "socket closed" });
  });

  it("stays busy while another reflex of the same element is pending", () => {
    document.body.innerHTML = `<button id="b">+</button>`;
    const button = document.getElementById("b")!;
    markStage(button, detail("queued", "a"));
    markStage(button, detail("queued", "b"));
    markStage(button, detail("committed", "a"));
    expect(button.getAttribute("aria-busy")).toBe("true");
    markStage(button, detail("committed", "b"));
    expect(button.hasAttribute("aria-busy")).toBe(false);
  });

  it("an element no longer in the page is left alone and the event fires on the document", () => {
    document.body.innerHTML = `<button id="b">+</button>`;
    const button = document.getElementById("b")!;
    button.remove();
    const targets: Array<EventTarget | null> = [];
    button.addEventListener("courier:sent", () => targets.push(button));
    document.addEventListener("courier:sent", (event) => targets.push(event.target), { once: true });
    markStage(button, detail("sent"));
    markStage(undefined, detail("sent", "r2"));
    expect(button.hasAttribute("data-reflex-state")).toBe(false);
    expect(targets).toEqual([document]);
  });
});
