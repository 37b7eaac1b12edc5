// StimulusReflex 3.5's controller lifecycle (lifecycle.js): per stage, the action-specific method
// (`beforeIncrement`, `incrementSuccess`), then the generic one (`beforeReflex`, `reflexSuccess`), each
// called with `(element, target, error, id, payload)`; then `stimulus-reflex:<stage>` and
// `stimulus-reflex:<stage>:<action>` bubble from the controller's element.
import { dispatch, guarded } from "../core/events.js";
import type { Logger } from "../core/logger.js";

export type LifecycleStage =
  | "before" | "queued" | "delivered" | "received" | "success" | "error" | "halted" | "forbidden" | "after" | "finalize";

/** What the mixin needs of a Stimulus controller (a `Controller` has all of it). */
export interface ReflexHost {
  readonly element: Element;
  readonly identifier: string;
  readonly application?: { handleError?(error: Error, message: string, detail: object): void };
}

/** One reflex as the lifecycle sees it; `error` and `payload` fill in as the server answers. */
export interface ReflexRun {
  readonly controller: ReflexHost;
  readonly element: Element;
  readonly target: string;
  readonly id: string;
  error: string | null;
  payload: unknown;
}

const PREFIXED = new Set<LifecycleStage>(["before", "after", "finalize"]);
/** `received` is ours (stage 1 of the acknowledgement); StimulusReflex has no event for it. */
const SR_EVENTS = new Set<LifecycleStage>(["before", "queued", "delivered", "success", "error", "halted", "forbidden", "after", "finalize"]);

/** SR's `camelize`, kept exactly (it only knows spaces and underscores). */
export function camelize(value: string, uppercaseFirstLetter = true): string {
  const camel = value
    .replace(/[\s_](.)/g, (match) => match.toUpperCase())
    .replace(/[\s_]/g, "")
    .replace(/^(.)/, (match) => match.toLowerCase());
  return uppercaseFirstLetter ? camel.slice(0, 1).toUpperCase() + camel.slice(1) : camel;
}

/** SR's `extractReflexName` + `reflexNameToControllerIdentifier`: "Admin::UserReflex#x" -> "admin--user". */
export function controllerIdentifierFor(target: string): string {
  const name = target.match(/(?:.*->)?(.*?)(?:Reflex)?#/)?.[1] ?? "";
  return name
    .replace(/([a-z0–9])([A-Z])/g, "$1-$2") // sic: SR's class has an en dash, so most digits do not split
    .replace(/(::)/g, "--")
    .replace(/-reflex$/gi, "")
    .toLowerCase();
}

export const actionOf = (target: string): string => target.split("#")[1] ?? "";

export function methodNames(action: string, stage: LifecycleStage): string[] {
  const names = PREFIXED.has(stage)
    ? [`${stage}${camelize(action)}`, `${stage}Reflex`]
    : [`${camelize(action, false)}${camelize(stage)}`, `reflex${camelize(stage)}`];
  return names[0] === names[1] ? [names[0]] : names;
}

/** Runs one stage; false (and nothing called) when the controller's element has left the page. */
export function runStage(run: ReflexRun, stage: LifecycleStage, logger: Logger, extra: object = {}): boolean {
  const { controller, element, target, id } = run;
  if (!controller.element.isConnected) return false;
  const action = actionOf(target);
  const methods = controller as unknown as Record<string, unknown>;
  for (const name of methodNames(action, stage)) {
    const method = methods[name];
    if (typeof method !== "function") continue;
    guarded(logger, `${controller.identifier}#${name}`, () => method.call(controller, element, target, run.error, id, run.payload));
  }
  if (SR_EVENTS.has(stage) && controller.element.isConnected) {
    const detail = { reflex: target, controller, id, element, payload: run.payload, ...extra };
    dispatch(controller.element, `stimulus-reflex:${stage}`, detail);
    dispatch(controller.element, `stimulus-reflex:${stage}:${action}`, detail);
  }
  return true;
}
