// Every option `start()` takes, its default, and where the page can supply it instead (meta tags).
import type { Consumer } from "@rails/actioncable";
import { createLogger, type Logger, type LoggerOption } from "./core/logger.js";
import { STIMULUS_REFLEX_VERSION } from "./dom/payload.js";

export type OfflineMode = "queue" | "hide" | "disable";

export interface CourierOptions {
  /** Cable endpoint. Default: `<meta name="action-cable-url">`, else `/cable`. */
  url?: string;
  /** An existing @rails/actioncable consumer to share (e.g. turbo-rails'), instead of our own. */
  consumer?: Consumer;
  /** Channel name of the reflex channel. Default `StimulusReflex::Channel`. */
  channel?: string;
  /** Extra subscription params sent with the channel name. */
  params?: Record<string, unknown>;
  /** `true` logs to the console; or a `Logger` / `(level, message, detail) => void`. Default silent. */
  debug?: LoggerOption;
  /** What action elements do while disconnected, unless they say `data-reflex-offline`. Default `queue`. */
  offline?: OfflineMode;
  /** How long a disconnect must last before the page shows it (ms). Default 500. */
  disconnectDelay?: number;
  /** Opaque per-user value partitioning the outbox. Default `<meta name="cable-courier-identity">`, else "". */
  identity?: string;
  /** A queued reflex older than this is not sent; it fails with `expired` (ms). Default 24 h. */
  maxAge?: number;
  /** Reflexes beyond this many pending fail with `outbox-full`. Default 1000. */
  maxQueue?: number;
  /** Resend a reflex the server has not acknowledged as `received` within this (ms). Default 10 000. */
  ackTimeout?: number;
  /** Resend a reflex `received` but neither committed nor failed within this (ms). Default 60 000. */
  commitTimeout?: number;
  /** How many reflexes may be in flight at once per client. Default 32. */
  window?: number;
  /**
   * Plain StimulusReflex servers only: reflexes in flight at once per client. Default 1, so a server
   * that runs a connection's messages on a thread pool still runs them in click order.
   */
  plainWindow?: number;
  /** Plain servers only: a sent reflex with no answer by then fails as `uncertain`, never resent (ms). Default 30 000. */
  answerTimeout?: number;
  /** `memory` keeps the outbox in memory only (nothing survives a reload). Default `indexeddb`. */
  storage?: "indexeddb" | "memory";
  /** First reconnect delay (ms); it doubles with jitter up to `reconnectMax`. Default 50. */
  reconnectBase?: number;
  /** Cap of the reconnect backoff (ms). Default 3000. */
  reconnectMax?: number;
  /** An open socket silent for this long (no ping) is treated as dead (ms). Default 6500. */
  staleAfter?: number;
  /** From a connection attempt to the subscription's confirmation (welcome included); past it the socket is retried (ms). Default 5000; 0 = none. */
  welcomeTimeout?: number;
  /**
   * The payload's `version`: the StimulusReflex version the server checks it against. Default
   * `<meta name="stimulus-reflex-version">`, else "3.5.5".
   */
  version?: string;
  /**
   * StimulusReflex's `isolate`: operations the server broadcasts for another tab's reflex (their
   * `reflexId` is not one this page sent) are not applied here. Operations without a `reflexId` still are.
   * Default false.
   */
  isolate?: boolean;
}

export interface ResolvedOptions extends Required<Omit<CourierOptions, "consumer" | "debug" | "params">> {
  consumer?: Consumer;
  params: Record<string, unknown>;
  logger: Logger;
}

const meta = (name: string): string | undefined =>
  typeof document === "undefined"
    ? undefined
    : document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || undefined;

export function resolveOptions(options: CourierOptions = {}): ResolvedOptions {
  return {
    url: options.url ?? meta("action-cable-url") ?? "/cable",
    consumer: options.consumer,
    channel: options.channel ?? "StimulusReflex::Channel",
    params: options.params ?? {},
    logger: createLogger(options.debug),
    offline: options.offline ?? "queue",
    disconnectDelay: options.disconnectDelay ?? 500,
    identity: options.identity ?? meta("cable-courier-identity") ?? "",
    maxAge: options.maxAge ?? 24 * 60 * 60 * 1000,
    maxQueue: options.maxQueue ?? 1000,
    ackTimeout: options.ackTimeout ?? 10_000,
    commitTimeout: options.commitTimeout ?? 60_000,
    window: options.window ?? 32,
    plainWindow: options.plainWindow ?? 1,
    answerTimeout: options.answerTimeout ?? 30_000,
    storage: options.storage ?? "indexeddb",
    reconnectBase: options.reconnectBase ?? 50,
    reconnectMax: options.reconnectMax ?? 3000,
    staleAfter: options.staleAfter ?? 6500,
    welcomeTimeout: options.welcomeTimeout ?? 5000,
    version: options.version ?? meta("stimulus-reflex-version") ?? STIMULUS_REFLEX_VERSION,
    isolate: options.isolate ?? false,
  };
}

/**
 * The options given to a later `start()` that differ from the running courier's (`debug` and `consumer`
 * are compared by identity only when given). Empty when nothing given differs.
 */
export function differingOptions(given: CourierOptions, running: ResolvedOptions): string[] {
  const wanted = resolveOptions(given) as unknown as Record<string, unknown>;
  const have = running as unknown as Record<string, unknown>;
  const differs: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || key === "debug") continue;
    const same = key === "consumer" ? value === running.consumer : JSON.stringify(wanted[key]) === JSON.stringify(have[key]);
    if (!same) differs.push(key);
  }
  return differs;
}
