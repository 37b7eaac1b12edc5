// Issue 9 item 5: the SDK's own marks (the stage mark, aria-busy, the offline marks) are not the app's
// markup: a second click on the same element must not send them in attrs or dataset.
import { afterEach, expect, test } from "vitest";
import { buildPayload } from "../../../src/dom/payload";
import { markStage } from "../../../src/dom/stage-marks";

afterEach(() => {
  document.body.innerHTML = "";
});

test("a second click on an element does not send the previous outcome or aria-busy", () => {
  document.body.innerHTML = `<button id="b" data-reflex="click->Counter#increment" data-step="2" aria-label="plus">+</button>`;
  const button = document.getElementById("b")!;
  const stage = { id: "r1", target: "Counter#increment", clientId: "c", seq: 1 };
  markStage(button, { ...stage, stage: "sent" }); // pending: aria-busy is on
  const busy = buildPayload("Counter#increment", { element: button });
  markStage(button, { ...stage, stage: "committed" });
  const after = buildPayload("Counter#increment", { element: button });
  for (const payload of [busy, after]) {
    expect(payload.attrs).not.toHaveProperty("data-reflex-state");
    expect(payload.attrs).not.toHaveProperty("aria-busy");
    expect(payload.dataset.dataset).not.toHaveProperty("data-reflex-state");
    expect(payload.attrs).toMatchObject({ "data-step": "2", "aria-label": "plus" });
    expect(payload.dataset.dataset).toMatchObject({ "data-step": "2" });
  }
});

test("offline marks the SDK added are left out; the app's own disabled stays", () => {
  document.body.innerHTML = `<button id="ours" disabled aria-disabled="true" data-cable-disabled="disabled aria-disabled">a</button>
    <button id="app" disabled data-cable-disabled="aria-disabled" aria-disabled="true">b</button>`;
  const ours = buildPayload("X#y", { element: document.getElementById("ours")! });
  const app = buildPayload("X#y", { element: document.getElementById("app")! });
  expect(ours.attrs).not.toHaveProperty("disabled");
  expect(ours.attrs).not.toHaveProperty("data-cable-disabled");
  expect(ours.dataset.dataset).not.toHaveProperty("data-cable-disabled");
  expect(app.attrs).toHaveProperty("disabled");
  expect(app.attrs).not.toHaveProperty("aria-disabled");
});
