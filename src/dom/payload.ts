// The reflex payload, built exactly as StimulusReflex 3.5's client builds it (reflex_data.js and
// stimulus_reflex.js), so an unmodified StimulusReflex server runs it. The outbox adds `courier`.
import type { ReflexPayload } from "../protocol/types.js";
import { extractElementAttributes, extractElementDataset, innerHtmlWithoutSecrets, reflexRoots } from "./payload-attributes.js";
import { serializeForm } from "./payload-form.js";
import { tabId, uuid } from "./payload-id.js";
import { elementToXPath } from "./payload-xpath.js";

/** This package's version. */
export const VERSION = "0.1.0";

/**
 * What the payload's `version` says by default. A StimulusReflex 3.5 server refuses a reflex whose
 * `version` differs from its gem's (`on_failed_sanity_checks = :exit`, the default), so this must be the
 * server's gem version, not ours; pass `version` when the server runs another 3.5.x.
 */
export const STIMULUS_REFLEX_VERSION = "3.5.5";

export interface PayloadOptions {
  /** The element that triggered the reflex; defaults to `controllerElement`. */
  element?: Element;
  args?: unknown[];
  /** The Stimulus controller's element (`xpathController`); defaults to `element`. */
  controllerElement?: Element;
  /** Identifier of the controller that stimulated it. Default `stimulus-reflex`. */
  reflexController?: string;
  /** Serialize the form; `data-reflex-serialize-form` on the element overrides it. Default false. */
  serializeForm?: boolean;
  /** Which form to serialize (else `data-reflex-form-selector`, else the closest form). */
  formSelector?: string;
  includeInnerHtml?: boolean;
  includeTextContent?: boolean;
  params?: Record<string, unknown>;
  /** Morph roots; default from `data-reflex-root`. */
  selectors?: string | string[];
  permanentAttributeName?: string;
  id?: string;
  /** Replaces the attributes read from the element (SR's `attrs` option). */
  attrs?: Record<string, unknown>;
  resolveLate?: boolean;
  suppressLogging?: boolean;
  /** The StimulusReflex version the server expects. Default `STIMULUS_REFLEX_VERSION`. */
  version?: string;
}

/** SR's rule: the attribute decides when present (anything but "false" is on), else the option. */
function flag(element: Element | undefined, attribute: string, option: boolean | undefined): boolean {
  const value = element?.getAttribute(attribute);
  return value === null || value === undefined ? option === true : value !== "false";
}

function closestOrQuery(element: Element, selector: string | null | undefined): Element | null {
  if (!selector) return null;
  try {
    return element.closest(selector) ?? element.ownerDocument.querySelector(selector);
  } catch {
    return null;
  }
}

function formData(element: Element | undefined, options: PayloadOptions): string {
  if (!element || !flag(element, "data-reflex-serialize-form", options.serializeForm)) return "";
  const selector = options.formSelector ?? element.getAttribute("data-reflex-form-selector");
  return serializeForm(closestOrQuery(element, selector) ?? element.closest("form"), element);
}

function pageUrl(element: Element | undefined): string {
  return element?.ownerDocument.defaultView?.location.href ?? globalThis.location?.href ?? "";
}

export function buildPayload(target: string, options: PayloadOptions = {}): ReflexPayload {
  const element = options.element ?? options.controllerElement;
  const controllerElement = options.controllerElement ?? element;
  const { selectors } = options;
  return {
    target,
    args: options.args ?? [],
    id: options.id ?? uuid(),
    url: pageUrl(element),
    attrs: options.attrs ?? (element ? extractElementAttributes(element) : {}),
    dataset: element ? extractElementDataset(element) : { dataset: {}, datasetAll: {} },
    selectors: typeof selectors === "string" ? [selectors] : selectors ?? (element ? reflexRoots(element) : []),
    formData: formData(element, options),
    permanentAttributeName: options.permanentAttributeName ?? "data-reflex-permanent",
    tabId: tabId(),
    version: options.version ?? STIMULUS_REFLEX_VERSION,
    reflexController: options.reflexController ?? "stimulus-reflex",
    inner_html: element && flag(element, "data-reflex-include-inner-html", options.includeInnerHtml) ? innerHtmlWithoutSecrets(element) : "",
    text_content:
      element && flag(element, "data-reflex-include-text-content", options.includeTextContent) ? element.textContent ?? "" : "",
    resolveLate: options.resolveLate ?? false,
    suppressLogging: options.suppressLogging === true || element?.hasAttribute("data-reflex-suppress-logging") === true,
    xpathController: controllerElement ? elementToXPath(controllerElement) : "",
    xpathElement: element ? elementToXPath(element) : "",
    params: options.params ?? {},
  };
}
