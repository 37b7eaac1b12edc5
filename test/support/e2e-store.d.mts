// Types of the part of e2e-store.mjs the TypeScript harness reads.
/** The lines of the append-only state file, parsed; a torn last line is skipped. */
export function readLog(path: string): Array<Record<string, unknown>>;
/** Every committed effect, in commit order. */
export function readEffects(path: string): unknown[];
