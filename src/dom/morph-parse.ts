// Turns server HTML into the detached tree morphdom morphs towards. A <template> parses any fragment
// (table rows, options, text) without running scripts or loading images; SVG targets get an <svg>
// context so their children land in the SVG namespace.

const SVG_NS = "http://www.w3.org/2000/svg";

/** An element of the target's kind whose children are the parsed `html` (for `childrenOnly`). */
export function parseChildren(target: Element, html: string): Element {
  const content = parse(target, html);
  if (content.nodeType === Node.ELEMENT_NODE) return content as Element;
  // Same tag as the target so morphdom's TEXTAREA / SELECT handlers read the right value; created in the
  // template's inert document so a custom element's constructor does not run for a throwaway wrapper.
  const owner = content.ownerDocument ?? target.ownerDocument;
  const wrapper = owner.createElementNS(target.namespaceURI, target.localName);
  if (target.hasAttribute("multiple")) wrapper.setAttribute("multiple", "");
  wrapper.appendChild(content);
  return wrapper;
}

/** The one element `html` describes (for a morph of the target itself). */
export function parseElement(target: Element, html: string): Element {
  const name = target.nodeName;
  if (name === "BODY" || name === "HTML") {
    // A template drops <html>/<body> tags and their attributes; a full parse keeps them.
    const parsed = new DOMParser().parseFromString(html, "text/html");
    return name === "BODY" ? parsed.body : parsed.documentElement;
  }
  const content = parse(target, html);
  let root: Element | null = null;
  let strayText = false;
  for (let node = content.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === Node.ELEMENT_NODE) {
      if (root) throw new Error("morph: the html has more than one root element; use childrenOnly or one root");
      root = node as Element;
    } else if (node.nodeType === Node.TEXT_NODE && node.nodeValue?.trim()) strayText = true;
  }
  if (!root) throw new Error("morph: the html has no element to morph into; use childrenOnly for text");
  if (strayText) throw new Error("morph: the html has text outside its root element; use childrenOnly");
  return root;
}

/** The parsed nodes' parent: a DocumentFragment, or an <svg> element for SVG targets. */
function parse(target: Element, html: string): ParentNode & Node {
  const template = target.ownerDocument.createElement("template");
  // Trimmed like CableReady, so stray whitespace around the server's fragment makes no text nodes.
  const source = html.trim();
  if (target.namespaceURI === SVG_NS) {
    template.innerHTML = `<svg>${source}</svg>`;
    return template.content.firstChild as Element;
  }
  template.innerHTML = source;
  return template.content;
}
