import { stimulusReflexFrames } from "../../support/fixtures";
import { describe, expect, test } from "vitest";
import { classifyMessage, identifierFor, MAX_DEPTH, nestsDeeper, parseServerFrame, ProtocolError, summarize } from "../../../src/protocol/validate";

interface Recorded { dir: string; frame: Record<string, unknown> }
const fixture = stimulusReflexFrames<Record<string, Recorded[]>>();
const serverFrames = Object.values(fixture).flat().filter((f) => f.dir === "server->client").map((f) => f.frame);

const ack = (courier: Record<string, unknown>) => ({ courier: { v: 1, ack: "received", id: "r1", clientId: "c1", seq: 1, ...courier } });

describe("parseServerFrame", () => {
  test("accepts every real StimulusReflex 3.5.5 server frame", () => {
    expect(serverFrames.length).toBeGreaterThanOrEqual(3);
    for (const frame of serverFrames) {
      const parsed = parseServerFrame(JSON.stringify(frame));
      expect(parsed).not.toBeInstanceOf(Error);
      expect(parsed).toMatchObject(frame);
    }
  });

  test("accepts the ActionCable control frames", () => {
    expect(parseServerFrame('{"type":"welcome"}')).toEqual({ type: "welcome" });
    expect(parseServerFrame('{"type":"welcome","sid":"abc"}')).toEqual({ type: "welcome", sid: "abc" });
    expect(parseServerFrame('{"type":"ping","message":1764406800}')).toEqual({ type: "ping", message: 1764406800 });
    expect(parseServerFrame('{"type":"reject_subscription","identifier":"{}"}')).toEqual({
      type: "reject_subscription",
      identifier: "{}",
    });
    expect(parseServerFrame('{"type":"disconnect","reason":"unauthorized","reconnect":false}')).toEqual({
      type: "disconnect",
      reason: "unauthorized",
      reconnect: false,
    });
    expect(parseServerFrame('{"identifier":"x","message":"<turbo-stream>"}')).toEqual({ identifier: "x", message: "<turbo-stream>" });
  });

  test.each([
    ["not JSON", "{nope"],
    ["empty", ""],
    ["an array", "[1,2]"],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"welcome"'],
    ["an unknown type", '{"type":"hello"}'],
    ["a non-string type", '{"type":7}'],
    ["a ping without message", '{"type":"ping"}'],
    ["a ping with a string message", '{"type":"ping","message":"now"}'],
    ["a confirm without identifier", '{"type":"confirm_subscription"}'],
    ["a reject with an object identifier", '{"type":"reject_subscription","identifier":{"channel":"x"}}'],
    ["a disconnect with a string reconnect", '{"type":"disconnect","reconnect":"no"}'],
    ["a disconnect with a numeric reason", '{"type":"disconnect","reason":3}'],
    ["a channel message without identifier", '{"message":{}}'],
    ["a channel message without message", '{"identifier":"x"}'],
  ])("rejects %s without throwing", (_what, raw) => {
    const result = parseServerFrame(raw);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).raw).toBe(raw);
    expect((result as ProtocolError).message).not.toBe("");
  });

  test("tolerates a welcome with a malformed sid, as stock ActionCable does (issue 10 item 5)", () => {
    expect(parseServerFrame('{"type":"welcome","sid":5}')).toEqual({ type: "welcome" });
    expect(parseServerFrame('{"type":"welcome","sid":{"a":[1]}}')).toEqual({ type: "welcome" });
  });

  test("rejects a deeply nested frame quickly, without building it or stringifying it (issue 10 item 6)", () => {
    const depth = 2 * 1024 * 1024; // a 4 MB frame: {"type":[[[…]]]}
    const raw = `{"type":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const started = Date.now();
    const result = parseServerFrame(raw);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).message).toMatch(/deeper than/);
    // Generous: the old path (parse, then JSON.stringify for the message) took seconds at this size.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("accepts nesting up to the limit and describes odd values in bounded messages", () => {
    const nested = `${"[".repeat(MAX_DEPTH - 2)}${"]".repeat(MAX_DEPTH - 2)}`;
    expect(parseServerFrame(`{"identifier":"x","message":${nested}}`)).toEqual({ identifier: "x", message: JSON.parse(nested) });
    const wide = `{"type":[${Array.from({ length: 100_000 }, (_, i) => `"${"x".repeat(20)}${i}"`).join(",")}]}`;
    const error = parseServerFrame(wide) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message.length).toBeLessThan(400);
    // a brace inside a string does not count as nesting
    expect(nestsDeeper(`{"a":"${"[".repeat(1000)}"}`, 4)).toBe(false);
    expect(nestsDeeper(`{"a":"\\"}`, 1)).toBe(false);
    expect(summarize({ a: [[[[1]]]], b: "y".repeat(1000) }).length).toBeLessThanOrEqual(80);
  });

  test("rejects a non-string without throwing", () => {
    expect(parseServerFrame(new ArrayBuffer(2) as unknown as string)).toBeInstanceOf(ProtocolError);
  });
});

describe("classifyMessage", () => {
  test("real CableReady envelopes are operations", () => {
    const messages = serverFrames.filter((f) => "message" in f).map((f) => f.message);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    for (const message of messages) {
      const result = classifyMessage(message);
      if (result instanceof Error) throw result;
      expect(result.kind).toBe("operations");
      if (result.kind !== "operations") return;
      expect(result.envelope.version).toBe("5.0.6");
      expect(result.envelope.operations[0]?.reflexId).toEqual(expect.any(String));
    }
  });

  test("acks of every kind", () => {
    expect(classifyMessage(ack({}))).toEqual({ kind: "ack", ack: { v: 1, ack: "received", id: "r1", clientId: "c1", seq: 1 } });
    const committed = classifyMessage(ack({ ack: "committed", operations: [{ operation: "morph", selector: "#a" }] }));
    expect(committed).toMatchObject({ kind: "ack", ack: { ack: "committed", operations: [{ operation: "morph" }] } });
    expect(classifyMessage(ack({ ack: "failed", error: "boom" }))).toMatchObject({ ack: { ack: "failed", error: "boom" } });
    expect(classifyMessage(ack({ ack: "gap", seq: 5, expected: 3 }))).toMatchObject({ ack: { ack: "gap", expected: 3 } });
  });

  test.each([
    ["an unknown version", { courier: { v: 2, ack: "received", id: "r", clientId: "c", seq: 1 } }],
    ["a non-object courier", { courier: "yes" }],
    ["neither ack nor hello", { courier: { v: 1 } }],
    ["an unknown ack kind", ack({ ack: "done" })],
    ["a numeric id", ack({ id: 1 })],
    ["a missing clientId", ack({ clientId: undefined })],
    ["seq zero", ack({ seq: 0 })],
    ["seq negative", ack({ seq: -1 })],
    ["seq fractional", ack({ seq: 1.5 })],
    ["seq as a string", ack({ seq: "1" })],
    ["a numeric error", ack({ ack: "failed", error: 500 })],
    ["operations not an array", ack({ ack: "committed", operations: { morph: [] } })],
    ["an operation without a name", ack({ ack: "committed", operations: [{ selector: "#a" }] })],
    ["an operation that is null", ack({ ack: "committed", operations: [null] })],
    ["a gap without expected", ack({ ack: "gap" })],
    ["a gap with fractional expected", ack({ ack: "gap", expected: 2.5 })],
    ["CableReady without operations", { cableReady: true }],
    ["CableReady 4's keyed operations", { cableReady: true, operations: { morph: [{ selector: "#a" }] } }],
    ["CableReady operation with a numeric name", { cableReady: true, operations: [{ operation: 1 }] }],
  ])("rejects %s", (_what, data) => {
    const result = classifyMessage(data);
    expect(result).toBeInstanceOf(ProtocolError);
    expect((result as ProtocolError).raw).toBe(data);
  });

  test("a hello", () => {
    expect(classifyMessage({ courier: { v: 1, hello: true, committed: { c1: 0, c2: 7 } } })).toEqual({
      kind: "hello",
      hello: { v: 1, hello: true, committed: { c1: 0, c2: 7 } },
    });
  });

  // PROTOCOL.md §1: nothing but acks, hellos and operations comes on our identifier (issue 10 item 8).
  test.each([["a string", "<turbo-stream>"], ["null", null], ["an array", [1]], ["another object", { cableReady: false }]])(
    "%s is reported as a protocol error",
    (_what, data) => {
      const result = classifyMessage(data);
      expect(result).toBeInstanceOf(ProtocolError);
      expect((result as ProtocolError).raw).toBe(data);
    },
  );
});

describe("identifierFor", () => {
  test("channel first, then the extension keys, then the rest sorted", () => {
    expect(identifierFor({ clientId: "c", zeta: 1, courier: 1, alpha: "a", channel: "StimulusReflex::Channel" })).toBe(
      '{"channel":"StimulusReflex::Channel","courier":1,"clientId":"c","alpha":"a","zeta":1}',
    );
  });

  test("matches the real handshake's identifier and ignores construction order", () => {
    const subscribe = fixture.handshake!.find((f) => f.frame.command === "subscribe")!;
    expect(identifierFor({ channel: "StimulusReflex::Channel" })).toBe(subscribe.frame.identifier);
    expect(identifierFor({ b: 1, channel: "X", a: 2 })).toBe(identifierFor({ channel: "X", a: 2, b: 1 }));
  });
});

describe("the extension's later additions", () => {
  test("a conflict ack is recognised", () => {
    const message = classifyMessage({ courier: { v: 1, ack: "conflict", id: "r1", clientId: "c1", seq: 3 } });
    expect(message).toEqual({ kind: "ack", ack: { v: 1, ack: "conflict", id: "r1", clientId: "c1", seq: 3 } });
  });

  test("a hello may name the connection's identity; an unusable one counts as none (issue 10 item 2)", () => {
    expect(classifyMessage({ courier: { v: 1, hello: true, committed: {}, identity: "u-9f2" } })).toEqual({
      kind: "hello",
      hello: { v: 1, hello: true, committed: {}, identity: "u-9f2" },
    });
    for (const identity of [42, "", "x".repeat(513), null]) {
      expect(classifyMessage({ courier: { v: 1, hello: true, committed: {}, identity } })).toEqual({
        kind: "hello",
        hello: { v: 1, hello: true, committed: {} },
      });
    }
  });

  test.each([
    ["without committed", { v: 1, hello: true }, {}],
    ["with committed null", { v: 1, hello: true, committed: null }, {}],
    ["with a string seq", { v: 1, hello: true, committed: { c1: "3" } }, { c1: 3 }],
    ["with a null or negative seq", { v: 1, hello: true, committed: { c1: null, c2: -1, c3: 4 } }, { c3: 4 }],
    ["with v as a string", { v: "1", hello: true, committed: { c1: 2 } }, { c1: 2 }],
  ])("a hello %s is read as far as it can be, never refused", (_what, courier, committed) => {
    expect(classifyMessage({ courier })).toEqual({ kind: "hello", hello: { v: 1, hello: true, committed } });
  });
});
