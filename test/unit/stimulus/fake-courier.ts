// A stand-in for the courier that behaves as the real one does towards the page: it builds the real
// payload, announces queued → sent → received through the real stage marks, then either applies the
// operations, marks `committed` and resolves, or marks `failed` and rejects with a reason.
import { buildPayload } from "../../../src/dom/payload";
import { markStage, type StageDetail } from "../../../src/dom/stage-marks";
import type { Operation } from "../../../src/protocol/types";
import type { CourierLike, ReflexPromiseLike, ReflexResultLike, StimulateOptionsLike } from "../../../src/stimulus/types";

export type Ending =
  | { stage: "committed"; operations: Operation[] }
  | { stage: "failed"; reason: "failed" | "uncertain" | "expired"; error: string };

export class ReflexFailure extends Error {
  constructor(message: string, readonly reason: string, readonly id: string) {
    super(message);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export class FakeCourier implements CourierLike {
  readonly calls: Array<{ target: string; options: StimulateOptionsLike; id: string }> = [];
  /** The terminal stage waits for this; replace it to hold a reflex in flight. */
  gate: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(public ending: Ending = { stage: "committed", operations: [] }) {}

  stimulate(target: string, options: StimulateOptionsLike): ReflexPromiseLike {
    const payload = buildPayload(target, options);
    const seq = ++this.seq;
    this.calls.push({ target, options, id: payload.id });
    const ending = this.ending;
    const mark = (stage: StageDetail["stage"], extra: Partial<StageDetail> = {}): void =>
      markStage(options.element, { id: payload.id, target, clientId: "client-1", seq, stage, ...extra });

    const promise = new Promise<ReflexResultLike>((resolve, reject) => {
      void (async () => {
        for (const stage of ["queued", "sent", "received"] as const) {
          await tick();
          mark(stage);
        }
        await this.gate;
        await tick();
        if (ending.stage === "committed") {
          apply(ending.operations);
          mark("committed");
          resolve({ id: payload.id, target, operations: ending.operations });
        } else {
          mark("failed", { reason: ending.reason, error: ending.error });
          reject(new ReflexFailure(ending.error, ending.reason, payload.id));
        }
      })();
    }) as ReflexPromiseLike;
    Object.defineProperty(promise, "id", { value: payload.id });
    return promise;
  }
}

function apply(operations: Operation[]): void {
  for (const op of operations) {
    if (op.operation === "textContent" && op.selector) document.querySelector(op.selector)!.textContent = String(op.text);
  }
}
