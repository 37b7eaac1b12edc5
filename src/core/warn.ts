// Warnings a developer must see even without `debug`: each distinct one goes to console.warn once per page.
const given = new Set<string>();

/** console.warn(`[cable-courier] message`) the first time `key` is seen on this page; false after that. */
export function warnOnce(key: string, message: string, detail?: unknown): boolean {
  if (given.has(key)) return false;
  given.add(key);
  if (typeof console === "undefined") return true;
  detail === undefined ? console.warn(`[cable-courier] ${message}`) : console.warn(`[cable-courier] ${message}`, detail);
  return true;
}

/** @internal For tests: forget which warnings were given. */
export function resetWarnings(): void {
  given.clear();
}
