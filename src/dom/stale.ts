// The default of `courier:stale`: committed reflexes whose operations this page did not get (PROTOCOL.md
// §5). With Turbo on the page, a replace visit re-renders it from the server; otherwise the app decides.

interface TurboLike {
  visit(location: string, options: { action: "replace" }): void;
}

/** `notCanceled` is what dispatchEvent returned for the cancelable `courier:stale`. */
export function staleDefault(notCanceled: boolean): void {
  if (!notCanceled) return;
  const turbo = (globalThis as { Turbo?: Partial<TurboLike> }).Turbo;
  if (typeof turbo?.visit === "function") turbo.visit(location.href, { action: "replace" });
}
