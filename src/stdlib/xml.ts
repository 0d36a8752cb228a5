/**
 * Package `web/xml`: the original's gates beneath its XML and HTML libraries (lib/web/xml,
 * lib/web/html, lib/web/svg). An element is a host value made by one of the `Go…Element` gates;
 * `GoRenderElement` writes elements as text, exactly as the original's Go code writes them:
 *
 * * a tag element is `<tag attrs />` when it has no children, else `<tag attrs>` then its children
 *   separated by single spaces then `</tag>`; `attrs` are already-rendered `name="value"` strings,
 *   joined by spaces (so a tag without attributes keeps the space: `<hr  />`);
 * * a text element is its text escaped as Go's xml.EscapeText escapes it;
 * * a group is its elements separated by single spaces; a doctype is `<!DOCTYPE text>`.
 *
 * As the original's gates, which take Go's zero value for a missing field, every argument is
 * optional: no tag is the empty tag, no text the empty text, no children none.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { lift, Opaque, type Value } from "../value/value.js";
import { stringOr, stringsOf } from "./helpers.js";

const PKG = "web/xml";
const ELEMENT = "web/xml.Element";

/** An element, as the gates build it and GoRenderElement writes it. */
type Element =
  | { readonly kind: "tag"; readonly tag: string; readonly attrs: readonly string[]; readonly children: readonly Element[] }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "group"; readonly elements: readonly Element[] }
  | { readonly kind: "doctype"; readonly text: string };

const element = T.opaque(ELEMENT);
const elements = T.list(element);

function wrap(e: Element): Opaque {
  return new Opaque(ELEMENT, e);
}

/** The elements of a list parameter (declared as elements, so already checked); none for Empty. */
function elementsOf(v: Value): Element[] {
  return lift(v).map((e) => (e as Opaque).value as Element);
}

function write(e: Element, out: string[]): void {
  switch (e.kind) {
    case "tag": {
      const attrs = e.attrs.join(" ");
      if (e.children.length === 0) {
        out.push(`<${e.tag} ${attrs} />`);
        return;
      }
      out.push(`<${e.tag} ${attrs}>`);
      writeSpaced(e.children, out);
      out.push(`</${e.tag}>`);
      return;
    }
    case "text":
      out.push(escapeText(e.text));
      return;
    case "group":
      writeSpaced(e.elements, out);
      return;
    case "doctype":
      out.push(`<!DOCTYPE ${e.text}>`);
      return;
  }
}

function writeSpaced(es: readonly Element[], out: string[]): void {
  es.forEach((child, i) => {
    if (i > 0) out.push(" ");
    write(child, out);
  });
}

/** The escapes of Go's xml.EscapeText. */
const ESCAPES: Readonly<Record<string, string>> = {
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};

/**
 * Text as Go's xml.EscapeText writes it: the markup characters and tab, newline and carriage
 * return as character references, and characters XML cannot hold (controls, U+FFFE, U+FFFF) as
 * U+FFFD.
 */
export function escapeText(text: string): string {
  let out = "";
  for (const c of text) {
    const escaped = ESCAPES[c];
    if (escaped !== undefined) out += escaped;
    else out += inXmlCharacterRange(c.codePointAt(0)!) ? c : "\ufffd";
  }
  return out;
}

function inXmlCharacterRange(code: number): boolean {
  return code >= 0x20
    ? code <= 0xd7ff || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000
    : code === 0x09 || code === 0x0a || code === 0x0d;
}

const GoTagElement = defineHost({
  pkg: PKG,
  name: "GoTagElement",
  doc: 'GoTagElement(tag, attrs, children) makes an element <tag attrs>children</tag>; attrs are rendered attribute strings (name="value").',
  params: [
    { name: "tag", type: T.string, optional: true },
    { name: "attrs", type: T.list(T.string), optional: true },
    { name: "children", type: elements, optional: true },
  ],
  result: element,
  effects: "pure",
  impl: ([tag, attrs, children]) =>
    wrap({ kind: "tag", tag: stringOr(tag!, ""), attrs: stringsOf(attrs!), children: elementsOf(children!) }),
});

const GoTextElement = defineHost({
  pkg: PKG,
  name: "GoTextElement",
  doc: "GoTextElement(string?) makes a text element, written escaped as Go's xml.EscapeText escapes it.",
  params: [{ name: "string", type: T.string, monadic: true, optional: true }],
  result: element,
  effects: "pure",
  impl: ([text]) => wrap({ kind: "text", text: stringOr(text!, "") }),
});

const GoGroupElement = defineHost({
  pkg: PKG,
  name: "GoGroupElement",
  doc: "GoGroupElement(elem?) makes one element of several, written one after the other, separated by spaces.",
  params: [{ name: "elem", type: elements, monadic: true, optional: true }],
  result: element,
  effects: "pure",
  impl: ([es]) => wrap({ kind: "group", elements: elementsOf(es!) }),
});

const GoDocTypeElement = defineHost({
  pkg: PKG,
  name: "GoDocTypeElement",
  doc: "GoDocTypeElement(string?) makes the element <!DOCTYPE string>.",
  params: [{ name: "string", type: T.string, monadic: true, optional: true }],
  result: element,
  effects: "pure",
  impl: ([text]) => wrap({ kind: "doctype", text: stringOr(text!, "") }),
});

const GoRenderElement = defineHost({
  pkg: PKG,
  name: "GoRenderElement",
  doc: "GoRenderElement(elem?) writes the elements (one or a sequence) as XML text, one after the other.",
  params: [{ name: "elem", type: elements, monadic: true, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([es]) => {
    const out: string[] = [];
    for (const e of elementsOf(es!)) write(e, out);
    return out.join("");
  },
});

export const xmlFunctions: readonly HostFunction[] = [GoTagElement, GoTextElement, GoGroupElement, GoDocTypeElement, GoRenderElement];
