// The real server frames of an unmodified StimulusReflex 3.5.5 server, applied to the page it rendered.
import { stimulusReflexFrames } from "../../support/fixtures";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { $, harness, recordEvents, type Harness } from "./helpers";


interface Frame {
  dir: string;
  frame: { message?: unknown };
}
const frames = stimulusReflexFrames<Record<string, Frame[]>>();
const serverMessage = (name: string) => frames[name].find((f) => f.dir === "server->client" && f.frame.message)!.frame.message;

// The counter page as the fixture's Rails app renders it (before any reflex).
const PAGE = `
    <h1>Counter</h1>
    <p>Count: <span id="count">0</span></p>
    <p>Rendered by: <span id="who">page</span></p>
    <button id="sel" data-reflex="click->CounterReflex#increment">selector morph</button>
    <button id="page" data-reflex="click->CounterReflex#page_increment">page morph</button>
`;

let h: Harness;
beforeEach(() => {
  h = harness();
  document.body.innerHTML = PAGE;
});
afterEach(() => {
  h.stop();
  document.body.innerHTML = "";
});

describe("StimulusReflex 3.5.5 server frames", () => {
  test("selector morph: #count becomes 1, same node, with before/after-morph for StimulusReflex's listeners", () => {
    const count = $("#count");
    const events = recordEvents(["cable-ready:before-morph", "cable-ready:after-morph"]);
    expect(h.operations.applyEnvelope(serverMessage("selector_morph"))).toBe(true);
    events.stop();
    expect($("#count")).toBe(count);
    expect(count.textContent).toBe("1");
    expect(events.seen.map((e) => e.name)).toEqual(["cable-ready:before-morph", "cable-ready:after-morph"]);
    expect(events.seen[1].detail).toMatchObject({ reflexId: "a1659379-b662-486d-9cef-d3fac58e6a85", stimulusReflex: { morph: "selector" } });
    expect(h.errors).toEqual([]);
  });

  test("page morph: body children morphed in place, buttons keep their nodes", () => {
    const body = document.body;
    const buttons = [$("#sel"), $("#page")];
    buttons[1].focus();
    expect(h.operations.applyEnvelope(serverMessage("page_morph"))).toBe(true);
    expect(document.body).toBe(body);
    expect($("#count").textContent).toBe("2");
    expect($("#who").textContent).toBe("reflex");
    expect([$("#sel"), $("#page")]).toEqual(buttons);
    expect($("#page")).toBe(buttons[1]);
    expect(document.activeElement).toBe(buttons[1]);
    expect(h.errors).toEqual([]);
  });
});
