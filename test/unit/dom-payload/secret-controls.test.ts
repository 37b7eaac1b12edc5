// Issue 9 item 6: `data-reflex-secret` on a <textarea> or <select> keeps its value out of formData,
// attrs and inner_html, as it does on an <input>.
import { afterEach, expect, test } from "vitest";
import { buildPayload } from "../../../src/dom/payload";

afterEach(() => {
  document.body.innerHTML = "";
});

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!;

test("a secret textarea and a secret select are left out of formData; an ordinary one is not", () => {
  document.body.innerHTML = `<form id="f"><textarea name="key" data-reflex-secret>draft</textarea>
    <select name="q" data-reflex-secret><option value="a">a</option><option value="mother" selected>mother</option></select>
    <textarea name="note"></textarea><button id="go">go</button></form>`;
  $<HTMLTextAreaElement>("[name=key]").value = "-----BEGIN KEY-----";
  $<HTMLTextAreaElement>("[name=note]").value = "hello";
  const payload = buildPayload("Vault#save", { element: $("#go"), serializeForm: true });
  expect(payload.formData).toBe("note=hello");
});

test("a reflex on a secret textarea or select sends no value in attrs", () => {
  document.body.innerHTML = `<textarea id="t" data-reflex-secret>x</textarea>
    <select id="s" data-reflex-secret><option value="mother" selected>mother</option></select>`;
  $<HTMLTextAreaElement>("#t").value = "secret text";
  const fromTextarea = buildPayload("Vault#check", { element: $("#t") });
  const fromSelect = buildPayload("Vault#check", { element: $("#s") });
  expect(fromTextarea.attrs.value).toBe("");
  expect(fromSelect.attrs.value).toBe("");
  expect(fromSelect.attrs.values).toEqual([]);
  expect(JSON.stringify([fromTextarea, fromSelect])).not.toMatch(/secret text|mother"/);
});

test("inner_html leaves out a secret textarea's text and a secret select's chosen option", () => {
  document.body.innerHTML = `<div id="box" data-reflex-include-inner-html><textarea data-reflex-secret>private words</textarea>
    <select data-reflex-secret><option value="m" selected>m</option></select></div>`;
  const payload = buildPayload("Box#save", { element: $("#box"), includeInnerHtml: true });
  expect(payload.inner_html).not.toContain("private words");
  expect(payload.inner_html).not.toContain("selected");
});
