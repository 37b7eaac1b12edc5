// Shared set-up for the transport tests: a Transport on a FakeWebSocket, with a delegate that records.
import { adapters } from "@rails/actioncable";
import { afterEach, beforeEach, vi } from "vitest";
import type { Logger, LogLevel } from "../../../src/core/logger";
import type { CableState } from "../../../src/protocol/types";
import { identifierFor } from "../../../src/protocol/validate";
import { Transport, type TransportOptions } from "../../../src/transport";
import { FakeWebSocket } from "../../../src/transport/testing";

export const params = { channel: "StimulusReflex::Channel", courier: 1 as const, clientId: "client-1" };
export const identifier = identifierFor(params);

export interface Recorder {
  states: Array<[CableState, CableState]>;
  events: string[];
  received: unknown[];
  errors: Array<{ error: Error; raw: unknown }>;
  logs: Array<{ level: LogLevel; message: string }>;
}

export function makeTransport(options: Partial<TransportOptions> = {}) {
  const record: Recorder = { states: [], events: [], received: [], errors: [], logs: [] };
  const logger: Logger = { enabled: true, log: (level, message) => void record.logs.push({ level, message }) };
  const transport = new Transport(
    { url: "ws://127.0.0.1:9/cable", params, logger, ...options },
    {
      stateChanged: (state, previous) => {
        record.states.push([state, previous]);
        record.events.push(`state:${state}`);
      },
      subscribed: () => void record.events.push("subscribed"),
      unsubscribed: () => void record.events.push("unsubscribed"),
      socketLost: () => void record.events.push("socketLost"),
      received: (data) => void record.received.push(data),
      protocolError: (error, raw) => void record.errors.push({ error, raw }),
    },
  );
  return { transport, record };
}

/** Fake timers and a fresh FakeWebSocket class under ActionCable; returns a cleanup. */
export function fakeCable(): () => void {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  const original = adapters.WebSocket;
  adapters.WebSocket = FakeWebSocket as unknown as typeof WebSocket;
  return () => {
    adapters.WebSocket = original;
    vi.restoreAllMocks();
    vi.useRealTimers();
  };
}

/** Drops every socket as it is created, `count` times, returning the ms between each drop and the next socket. */
export async function failRepeatedly(count: number): Promise<number[]> {
  const gaps: number[] = [];
  for (let i = 0; i < count; i++) {
    const before = FakeWebSocket.instances.length;
    FakeWebSocket.last.drop();
    const droppedAt = Date.now();
    while (FakeWebSocket.instances.length === before) {
      await vi.advanceTimersByTimeAsync(1);
      if (Date.now() - droppedAt > 60_000) throw new Error("no reconnect within 60 s");
    }
    gaps.push(Date.now() - droppedAt);
  }
  return gaps;
}

/**
 * Installs the fake cable around each test of the calling file and returns `started(options)`: a
 * transport already started, stopped after the test.
 */
export function startedTransports(): (options?: Partial<TransportOptions>) => ReturnType<typeof makeTransport> {
  let cleanup: () => void;
  let stopAll: Array<() => void> = [];
  beforeEach(() => {
    cleanup = fakeCable();
  });
  afterEach(() => {
    for (const stop of stopAll) stop();
    stopAll = [];
    cleanup();
  });
  return (options = {}) => {
    const made = makeTransport(options);
    made.transport.start();
    stopAll.push(() => made.transport.stop());
    return made;
  };
}
