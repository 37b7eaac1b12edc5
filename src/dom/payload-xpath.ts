// StimulusReflex 3.5's XPath of an element. The server echoes `xpathController`/`xpathElement` back and
// SR clients look elements up by them, so this must produce exactly what SR's `elementToXPath` does.

export function elementToXPath(element: Element): string {
  if (element.id !== "") return `//*[@id='${element.id}']`;
  if (element === element.ownerDocument.body) return "/html/body";
  if (element.nodeName === "HTML") return "/html";

  const parent = element.parentNode;
  if (!parent) return ""; // detached: SR yields undefined, which JSON drops
  let index = 0;
  for (const sibling of Array.from(parent.childNodes)) {
    if (sibling === element) {
      const parentPath = parent.nodeType === 1 ? elementToXPath(parent as Element) : "";
      return `${parentPath}/${element.tagName.toLowerCase()}[${index + 1}]`;
    }
    if (sibling.nodeType === 1 && (sibling as Element).tagName === element.tagName) index++;
  }
  return "";
}
