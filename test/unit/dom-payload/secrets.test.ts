// Secret fields never enter a payload: not in formData, not in attrs, not in inner_html, and not after
// a "show password" toggle has changed the input's type.
import { afterEach, expect, test } from "vitest";
import { buildPayload } from "../../../src/dom/payload";
import { sanitize } from "../../../src/outbox/journal";

afterEach(() => {
  document.body.innerHTML = "";
});

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

test("a password shown as text by a toggle is still left out of formData and attrs", () => {
  document.body.innerHTML = `<form><input name="user" value="bob"><input id="pw" type="password" name="pw" autocomplete="current-password">
    <button id="go" data-reflex="click->Auth#login">go</button></form>`;
  const pw = $<HTMLInputElement>("#pw");
  pw.value = "hunter2";
  pw.type = "text";
  const form = buildPayload("Auth#login", { element: $("#go"), serializeForm: true });
  const field = buildPayload("Auth#check", { element: pw });
  expect(form.formData).toBe("user=bob");
  expect(field.attrs.value).toBe("");
});

test("one-time codes and fields marked data-reflex-secret are secret too; ordinary fields are not", () => {
  document.body.innerHTML = `<form><input name="otp" autocomplete="one-time-code"><input name="pin" data-reflex-secret>
    <input name="note"><button id="go">go</button></form>`;
  for (const [name, value] of [["otp", "123456"], ["pin", "9999"], ["note", "hello"]]) {
    $<HTMLInputElement>(`[name=${name}]`).value = value;
  }
  expect(buildPayload("A#b", { element: $("#go"), serializeForm: true }).formData).toBe("note=hello");
});

test("inner_html keeps a secret field but not its value attribute", () => {
  document.body.innerHTML = `<form id="f" data-reflex-include-inner-html><input type="password" name="pw" value="hunter2"><input name="q" value="kept"></form>`;
  const { inner_html } = buildPayload("Auth#x", { element: $("#f") });
  expect(inner_html).not.toContain("hunter2");
  expect(inner_html).toContain('name="pw"');
  expect(inner_html).toContain('value="kept"');
  expect($("#f input").getAttribute("value")).toBe("hunter2"); // the page itself is untouched
});

test("the outbox drops a secret value that reached it anyway", () => {
  const payload = buildPayload("A#b", {});
  for (const attrs of [{ type: "PASSWORD", value: "x" }, { autocomplete: "new-password", value: "x" }, { "data-reflex-secret": "", value: "x" }]) {
    expect(sanitize({ ...payload, attrs }, payload.id).attrs).not.toHaveProperty("value");
  }
  expect(sanitize({ ...payload, attrs: { type: "text", value: "x" } }, payload.id).attrs.value).toBe("x");
});
