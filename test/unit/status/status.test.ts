import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { StatusHooks } from "../../../src/dom/status";
import type { CableState } from "../../../src/protocol/types";

const html = () => document.documentElement;
const $ = (selector: string) => document.querySelector(selector) as HTMLElement;
const cableClasses = () => [...html().classList].filter((c) => c.startsWith("cable-"));
/** Lets the MutationObserver deliver its records (happy-dom queues them as a microtask). */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

let hooks: StatusHooks;
function start(options: Partial<{ offline: "queue" | "hide" | "disable"; disconnectDelay: number }> = {}) {
  hooks = new StatusHooks(document, { offline: "queue", disconnectDelay: 500, ...options });
  hooks.start();
  return hooks;
}

beforeEach(() => {
  vi.useFakeTimers();
  document.body.innerHTML = `
    <button id="plain" data-reflex="click->A#b">plain</button>
    <button id="hide" data-reflex="click->A#b" data-reflex-offline="hide">hide</button>
    <button id="disable" data-reflex="click->A#b" data-reflex-offline="disable">disable</button>
    <button id="app-disabled" data-reflex="click->A#b" data-reflex-offline="disable" disabled>app</button>
    <button id="app-hidden" data-reflex="click->A#b" data-reflex-offline="hide" hidden>app</button>
    <a id="link" data-reflex-offline="disable" aria-disabled="false" href="#">link</a>
    <button id="ignored">not an action</button>`;
});
afterEach(() => {
  hooks?.stop();
  vi.useRealTimers();
});

function down(state: CableState = "disconnected") {
  hooks.setState(state);
  vi.advanceTimersByTime(500);
}

describe("<html> hooks", () => {
  test("connecting shows at once at start; exactly one cable-* class", () => {
    start();
    expect(html().getAttribute("data-cable-state")).toBe("connecting");
    expect(cableClasses()).toEqual(["cable-connecting"]);
    hooks.setState("connected");
    expect(html().getAttribute("data-cable-state")).toBe("connected");
    expect(cableClasses()).toEqual(["cable-connected"]);
    down("offline");
    expect(cableClasses()).toEqual(["cable-offline"]);
    hooks.setState("disconnected"); // offline → disconnected: both down, no new delay
    expect(cableClasses()).toEqual(["cable-disconnected"]);
  });

  test("the disconnected look waits disconnectDelay; the way back is immediate", () => {
    start();
    hooks.setState("connected");
    hooks.setState("disconnected");
    vi.advanceTimersByTime(499);
    expect(html().getAttribute("data-cable-state")).toBe("connected");
    expect($("#hide").hidden).toBe(false);
    vi.advanceTimersByTime(1);
    expect(html().getAttribute("data-cable-state")).toBe("disconnected");
    expect($("#hide").hidden).toBe(true);
    hooks.setState("connected");
    expect(html().getAttribute("data-cable-state")).toBe("connected");
    expect($("#hide").hidden).toBe(false);
  });

  test("a blip shorter than the delay never shows", async () => {
    start({ offline: "disable" });
    hooks.setState("connected");
    const seen = new Set<string>();
    const watcher = new MutationObserver((records) => {
      for (const record of records) seen.add(`${(record.target as Element).id || record.target.nodeName} ${record.attributeName}`);
    });
    watcher.observe(document.documentElement, { attributes: true, subtree: true });
    hooks.setState("disconnected");
    vi.advanceTimersByTime(300);
    hooks.setState("offline");
    vi.advanceTimersByTime(150);
    hooks.setState("connected");
    vi.advanceTimersByTime(5000);
    await flush();
    watcher.disconnect();
    expect(seen).toEqual(new Set());
    expect(html().getAttribute("data-cable-state")).toBe("connected");
  });

  test("a later disconnect after a blip still waits its own full delay", () => {
    start();
    hooks.setState("connected");
    hooks.setState("disconnected");
    vi.advanceTimersByTime(400);
    hooks.setState("connected");
    hooks.setState("disconnected");
    vi.advanceTimersByTime(400);
    expect(html().getAttribute("data-cable-state")).toBe("connected");
    vi.advanceTimersByTime(100);
    expect(html().getAttribute("data-cable-state")).toBe("disconnected");
  });

  test("data-cable-pending follows setPending", () => {
    start();
    hooks.setPending(3);
    expect(html().getAttribute("data-cable-pending")).toBe("3");
    hooks.setPending(0);
    expect(html().getAttribute("data-cable-pending")).toBe("0");
  });

  test("start and stop are idempotent; stop undoes everything", () => {
    start({ offline: "hide" });
    hooks.start();
    hooks.setState("connected");
    down();
    expect($("#plain").hidden).toBe(true);
    hooks.stop();
    hooks.stop();
    expect($("#plain").hidden).toBe(false);
    expect(html().hasAttribute("data-cable-state")).toBe(false);
    expect(cableClasses()).toEqual([]);
    expect($("#app-hidden").hidden).toBe(true);
  });
});

describe("action elements", () => {
  test("each follows its data-reflex-offline, else the option", () => {
    start({ offline: "queue" });
    hooks.setState("connected");
    down();
    expect($("#plain").hidden || $("#plain").hasAttribute("disabled")).toBe(false);
    expect($("#hide").hidden).toBe(true);
    expect($("#disable").hasAttribute("disabled")).toBe(true);
    expect($("#disable").getAttribute("aria-disabled")).toBe("true");
    expect($("#link").hasAttribute("disabled")).toBe(true);
    expect($("#ignored").hasAttribute("disabled")).toBe(false);
  });

  test("the option applies to elements that do not say", () => {
    start({ offline: "disable" });
    down("offline");
    expect($("#plain").hasAttribute("disabled")).toBe(true);
    expect($("#hide").hasAttribute("disabled")).toBe(false);
    expect($("#hide").hidden).toBe(true);
  });

  test("reconnecting undoes only what we did: app-disabled and app-hidden elements stay so", () => {
    start();
    down();
    expect($("#app-disabled").hasAttribute("data-cable-disabled")).toBe(false);
    expect($("#app-hidden").hasAttribute("data-cable-hidden")).toBe(false);
    hooks.setState("connected");
    expect($("#app-disabled").hasAttribute("disabled")).toBe(true);
    expect($("#app-hidden").hidden).toBe(true);
    expect($("#disable").hasAttribute("disabled")).toBe(false);
    expect($("#disable").hasAttribute("aria-disabled")).toBe(false);
    expect($("#link").hasAttribute("disabled")).toBe(false);
    expect($("#link").getAttribute("aria-disabled")).toBe("false"); // the app's own value, untouched
    expect(document.querySelectorAll("[data-cable-hidden], [data-cable-disabled]")).toHaveLength(0);
  });

  test("a node inserted while disconnected is disabled; once reconnected it is enabled", async () => {
    start({ offline: "disable" });
    hooks.setState("connected");
    down();
    const section = document.createElement("section");
    section.innerHTML = `<div><button id="late" data-reflex="click->A#c">late</button></div>`;
    document.body.append(section);
    await flush();
    expect($("#late").hasAttribute("disabled")).toBe(true);
    expect($("#late").getAttribute("aria-disabled")).toBe("true");
    hooks.setState("connected");
    expect($("#late").hasAttribute("disabled")).toBe(false);
  });

  test("an element whose data-reflex-offline changes while down follows the new mode", async () => {
    start();
    down();
    $("#plain").setAttribute("data-reflex-offline", "hide");
    await flush();
    expect($("#plain").hidden).toBe(true);
    $("#plain").setAttribute("data-reflex-offline", "disable");
    await flush();
    expect($("#plain").hidden).toBe(false);
    expect($("#plain").hasAttribute("disabled")).toBe(true);
  });

  test("a morph that strips our attributes while down gets them back", async () => {
    start();
    down();
    const button = $("#disable");
    for (const name of ["disabled", "aria-disabled", "data-cable-disabled"]) button.removeAttribute(name);
    await flush();
    expect(button.hasAttribute("disabled")).toBe(true);
  });

  test("turbo:render re-applies after a render replaced the body", () => {
    start({ offline: "hide" });
    down();
    document.body.innerHTML = `<button id="fresh" data-reflex="click->A#b">fresh</button>`;
    document.dispatchEvent(new Event("turbo:render"));
    expect($("#fresh").hidden).toBe(true);
    hooks.setState("connected");
    document.body.innerHTML = `<button id="cached" data-reflex="click->A#b" hidden data-cable-hidden>cached</button>`;
    document.dispatchEvent(new Event("turbo:load"));
    expect($("#cached").hidden).toBe(false);
  });

  test("nothing changes while connected or connecting", () => {
    start({ offline: "disable" });
    expect(document.querySelectorAll("[disabled]")).toHaveLength(1); // the app's own
    hooks.setState("connected");
    expect(document.querySelectorAll("[disabled]")).toHaveLength(1);
  });
});

describe("refused", () => {
  test("refused shows cable-refused and data-cable-state, apart from disconnected, after the delay", () => {
    start();
    hooks.setState("connected");
    down("refused");
    expect(html().getAttribute("data-cable-state")).toBe("refused");
    expect(cableClasses()).toEqual(["cable-refused"]);
    hooks.setState("connected");
    expect(cableClasses()).toEqual(["cable-connected"]);
  });
});
