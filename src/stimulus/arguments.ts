// `stimulate(target, [element], [options], ...args)`, read the way StimulusReflex 3.5 reads it
// (getReflexElement / getReflexOptions): an element first, then an options object if it names a known
// option, and the rest are the reflex's arguments.
import type { StimulateOptionsLike } from "./types.js";

const DEFAULT_TARGET = "StimulusReflex::Reflex#default_reflex";

/** SR's option names, plus ours (`retry`, `params`, `formSelector`). */
const OPTION_KEYS = [
  "id", "attrs", "selectors", "reflexId", "resolveLate", "serializeForm", "suppressLogging",
  "includeInnerHTML", "includeTextContent", "retry", "params", "formSelector",
];

export interface StimulateCall {
  target: string;
  element: Element;
  options: StimulateOptionsLike;
  args: unknown[];
}

const isElement = (value: unknown): value is Element =>
  typeof value === "object" && value !== null && (value as Node).nodeType === 1;

const isOptions = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.keys(value).some((key) => OPTION_KEYS.includes(key));

export function readStimulateArguments(controllerElement: Element, argv: unknown[]): StimulateCall {
  const args = [...argv];
  const first = args.shift();
  const target = typeof first === "string" && first ? first : DEFAULT_TARGET;
  const element = isElement(args[0]) ? (args.shift() as Element) : controllerElement;
  const options: StimulateOptionsLike = {};
  if (isOptions(args[0])) {
    const { reflexId, includeInnerHTML, ...rest } = args.shift() as Record<string, unknown>;
    Object.assign(options, rest);
    if (reflexId !== undefined) options.id = String(reflexId);
    if (includeInnerHTML !== undefined) options.includeInnerHtml = includeInnerHTML === true;
  }
  return { target, element, options, args };
}
