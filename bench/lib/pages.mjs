// The two clients the connection rows compare, each in its own fresh browser context:
// ours (the built IIFE, `CableCourier.start`) and stock @rails/actioncable with one subscription.
import { loadCourier, openPage } from "./browser.mjs";

const STOCK = "/node_modules/@rails/actioncable/app/assets/javascripts/actioncable.esm.js";

/** A page running our courier against `cableUrl`; marks `ours:connected` / `ours:disconnected`. */
export async function oursPage(browser, baseUrl, cableUrl, options = {}) {
  const handle = await openPage(browser, baseUrl);
  await loadCourier(handle.page, baseUrl);
  await handle.page.evaluate(
    ({ url, options }) => {
      document.addEventListener("courier:connected", () => window.benchMark("ours:connected", Date.now()));
      document.addEventListener("courier:disconnected", () => window.benchMark("ours:disconnected", Date.now()));
      window.courier = window.CableCourier.start({ url, ...options });
    },
    { url: cableUrl, options },
  );
  return handle;
}

/** A page with stock ActionCable and one StimulusReflex::Channel subscription; marks `stock:*`. */
export async function stockPage(browser, baseUrl, cableUrl) {
  const handle = await openPage(browser, baseUrl);
  await handle.page.evaluate(
    async ({ url, module }) => {
      const { createConsumer } = await import(module);
      window.consumer = createConsumer(url);
      window.consumer.subscriptions.create(
        { channel: "StimulusReflex::Channel" },
        {
          connected: () => window.benchMark("stock:connected", Date.now()),
          disconnected: () => window.benchMark("stock:disconnected", Date.now()),
        },
      );
    },
    { url: cableUrl, module: STOCK },
  );
  return handle;
}
