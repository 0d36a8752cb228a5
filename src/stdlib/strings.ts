/**
 * Package `strings` (reference 6.6): text functions with Go's semantics.
 *
 * Conventions shared by every function here:
 *
 * * The text is the monadic parameter `string`, so `strings.Upper("a")` and
 *   `strings.Upper(string: "a")` are the same call. Where it is a list (`Join`, `Len`, `Equal`)
 *   a single string and a sequence of strings are both accepted, and Empty is the empty list.
 * * A string argument that is not given is the empty string, as in the original, whose gates
 *   take Go's zero value for a missing field: `strings.Quote()` is `"\"\""` and `strings.Split()`
 *   is `("")`. (Only `count` of `Repeat` and `old`/`new` of `Replace`, functions the original
 *   does not have, must be given.)
 * * Types are strict (D31): `strings.Upper(65)` is an error, not `"A"`.
 * * Lengths and positions count UTF-8 bytes, as Go does (`strings.Len("héllo")` is 6).
 * * Functions returning lists return a sequence even for one element and Empty for none.
 *
 * `Tree` and `Flush` build and render string trees: a tree is its prefix, then its middle trees
 * separated by its delimiter, then its suffix. They let a program assemble large texts piece by
 * piece and concatenate them once.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { quoteString } from "../value/print.js";
import { listToValue } from "../value/sequence.js";
import { type Value, lift, Opaque } from "../value/value.js";
import { bigOf, misuse, stringOr, stringsOf } from "./helpers.js";

const PKG = "strings";

/** The monadic text parameter most functions take; "" when not given. */
const text = { name: "string", type: T.string, monadic: true, optional: true } as const;
/** The monadic list-of-texts parameter of Join, Len and Equal; Empty counts as no strings. */
const texts = { name: "string", type: T.list(T.string), monadic: true, optional: true } as const;

/** An optional string parameter's value: "" when it was not given, as Go's zero value. */
function textOf(v: Value | undefined): string {
  return stringOr(v!, "");
}

/** Go's UTF-8 length of a string, in bytes. */
function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/**
 * Maps each code point on its own, keeping it when the mapping would turn it into several
 * (German ß stays ß in upper case, as in Go's unicode.ToUpper, rather than becoming "SS").
 */
function mapCodePoints(s: string, map: (c: string) => string): string {
  if (/^\p{ASCII}*$/u.test(s)) return map(s);
  let out = "";
  for (const c of s) {
    const m = map(c);
    out += [...m].length === 1 ? m : c;
  }
  return out;
}

/** Unicode white space, as Go's unicode.IsSpace. */
const SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

const Join = defineHost({
  pkg: PKG,
  name: "Join",
  doc: 'Join(string?, delimiter) concatenates the given strings with the delimiter (default "") between them.',
  params: [texts, { name: "delimiter", type: T.string, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([strings, delimiter]) => stringsOf(strings!).join(stringOr(delimiter!, "")),
});

const Split = defineHost({
  pkg: PKG,
  name: "Split",
  doc:
    'Split(string?, separator) splits the string around each occurrence of the separator (default "/") ' +
    "and returns the sequence of pieces; an empty separator splits into characters.",
  params: [text, { name: "separator", type: T.string, optional: true }],
  result: T.list(T.string),
  effects: "pure",
  impl: ([s, separator]) => {
    const str = textOf(s);
    const sep = stringOr(separator!, "/");
    // Go splits into UTF-8 sequences (whole characters) for an empty separator.
    const pieces = sep === "" ? [...str] : str.split(sep);
    return listToValue(pieces);
  },
});

const Len = defineHost({
  pkg: PKG,
  name: "Len",
  doc: "Len(string?) returns the total length of the given strings in UTF-8 bytes, as Int64.",
  params: [texts],
  result: T.int64,
  effects: "pure",
  impl: ([strings]) => stringsOf(strings!).reduce((n, s) => n + byteLength(s), 0),
});

const Equal = defineHost({
  pkg: PKG,
  name: "Equal",
  doc: "Equal(string?) returns true if all the given strings are equal (also for none or one).",
  params: [texts],
  result: T.bool,
  effects: "pure",
  impl: ([strings]) => stringsOf(strings!).every((s, i, all) => i === 0 || s === all[i - 1]),
});

const HasPrefix = defineHost({
  pkg: PKG,
  name: "HasPrefix",
  doc: "HasPrefix(string?, prefix) returns true if the string starts with the prefix.",
  params: [text, { name: "prefix", type: T.string, optional: true }],
  result: T.bool,
  effects: "pure",
  impl: ([s, prefix]) => textOf(s).startsWith(textOf(prefix)),
});

const HasSuffix = defineHost({
  pkg: PKG,
  name: "HasSuffix",
  doc: "HasSuffix(string?, suffix) returns true if the string ends with the suffix.",
  params: [text, { name: "suffix", type: T.string, optional: true }],
  result: T.bool,
  effects: "pure",
  impl: ([s, suffix]) => textOf(s).endsWith(textOf(suffix)),
});

const Contains = defineHost({
  pkg: PKG,
  name: "Contains",
  doc: "Contains(string?, subString) returns true if the subString occurs anywhere in the string.",
  params: [text, { name: "subString", type: T.string, optional: true }],
  result: T.bool,
  effects: "pure",
  impl: ([s, sub]) => textOf(s).includes(textOf(sub)),
});

const Index = defineHost({
  pkg: PKG,
  name: "Index",
  doc: "Index(string?, subString) returns the UTF-8 byte offset of the first occurrence of subString, or -1.",
  params: [text, { name: "subString", type: T.string, optional: true }],
  result: T.int64,
  effects: "pure",
  impl: ([s, sub]) => {
    const str = textOf(s);
    const at = str.indexOf(textOf(sub));
    return at < 0 ? -1 : byteLength(str.slice(0, at));
  },
});

const Upper = defineHost({
  pkg: PKG,
  name: "Upper",
  doc: "Upper(string?) returns the string with every letter in upper case.",
  params: [text],
  result: T.string,
  effects: "pure",
  impl: ([s]) => mapCodePoints(textOf(s), (c) => c.toUpperCase()),
});

const Lower = defineHost({
  pkg: PKG,
  name: "Lower",
  doc: "Lower(string?) returns the string with every letter in lower case.",
  params: [text],
  result: T.string,
  effects: "pure",
  impl: ([s]) => mapCodePoints(textOf(s), (c) => c.toLowerCase()),
});

const Quote = defineHost({
  pkg: PKG,
  name: "Quote",
  doc: "Quote(string?) returns the string as a double-quoted Ko (and Go) string literal.",
  params: [text],
  result: T.string,
  effects: "pure",
  impl: ([s]) => quoteString(textOf(s)),
});

const TrimSpace = defineHost({
  pkg: PKG,
  name: "TrimSpace",
  doc: "TrimSpace(string?) returns the string without leading and trailing Unicode white space.",
  params: [text],
  result: T.string,
  effects: "pure",
  impl: ([s]) => textOf(s).replace(SPACE, ""),
});

const TrimPrefix = defineHost({
  pkg: PKG,
  name: "TrimPrefix",
  doc: "TrimPrefix(string?, prefix) returns the string without the prefix, or unchanged if it does not start with it.",
  params: [text, { name: "prefix", type: T.string, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([s, prefix]) => {
    const str = textOf(s);
    const p = textOf(prefix);
    return str.startsWith(p) ? str.slice(p.length) : str;
  },
});

const TrimSuffix = defineHost({
  pkg: PKG,
  name: "TrimSuffix",
  doc: "TrimSuffix(string?, suffix) returns the string without the suffix, or unchanged if it does not end with it.",
  params: [text, { name: "suffix", type: T.string, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([s, suffix]) => {
    const str = textOf(s);
    const x = textOf(suffix);
    return str.endsWith(x) ? str.slice(0, str.length - x.length) : str;
  },
});

const Replace = defineHost({
  pkg: PKG,
  name: "Replace",
  doc:
    "Replace(string?, old, new) replaces every non-overlapping occurrence of old by new, left to right; " +
    "an empty old matches before every character and at the end.",
  params: [text, { name: "old", type: T.string }, { name: "new", type: T.string }],
  result: T.string,
  effects: "pure",
  impl: ([s, old, replacement]) => {
    const str = textOf(s);
    const o = old as string;
    const r = replacement as string;
    // An empty `old` inserts between characters (code points, as Go's UTF-8 runes), not UTF-16 units.
    return o === "" ? r + [...str].join(r) + (str === "" ? "" : r) : str.split(o).join(r);
  },
});

/** Longest text Repeat will build, to fail clearly rather than exhaust memory. */
const MAX_REPEAT_LENGTH = 1 << 28;

const Repeat = defineHost({
  pkg: PKG,
  name: "Repeat",
  doc: "Repeat(string?, count) returns count copies of the string, concatenated; count must not be negative.",
  params: [text, { name: "count", type: T.int64 }],
  result: T.string,
  effects: "pure",
  impl: ([s, count]) => {
    const str = textOf(s);
    const n = bigOf(count!);
    if (n < 0n) throw misuse("strings.Repeat", `negative count ${n}`);
    if (str.length !== 0 && n * BigInt(str.length) > MAX_REPEAT_LENGTH) {
      throw misuse("strings.Repeat", `result longer than ${MAX_REPEAT_LENGTH} characters`);
    }
    return str === "" ? "" : str.repeat(Number(n));
  },
});

const Fields = defineHost({
  pkg: PKG,
  name: "Fields",
  doc: "Fields(string?) splits the string around runs of white space and returns the sequence of words (Empty if none).",
  params: [text],
  result: T.list(T.string),
  effects: "pure",
  impl: ([s]) =>
    listToValue(
      textOf(s)
        .split(/\p{White_Space}+/u)
        .filter((w) => w !== ""),
    ),
});

/** A string tree made by `Tree` and rendered by `Flush`. */
interface StringTree {
  readonly delimiter: string;
  readonly prefix: readonly string[];
  readonly middle: readonly StringTree[];
  readonly suffix: readonly string[];
}

const TREE_TYPE = "strings.Tree";

function treesOf(v: Value): StringTree[] {
  return lift(v).map((t) => (t as Opaque).value as StringTree);
}

function flushTree(tree: StringTree, out: string[]): void {
  out.push(...tree.prefix);
  tree.middle.forEach((m, i) => {
    if (i > 0) out.push(tree.delimiter);
    flushTree(m, out);
  });
  out.push(...tree.suffix);
}

const Tree = defineHost({
  pkg: PKG,
  name: "Tree",
  doc:
    "Tree(delimiter, prefix, middle, suffix) makes a string tree: its prefix strings, then its middle trees " +
    "separated by the delimiter, then its suffix strings. Flush renders it.",
  params: [
    { name: "delimiter", type: T.string, optional: true },
    { name: "prefix", type: T.list(T.string), optional: true },
    { name: "middle", type: T.list(T.opaque(TREE_TYPE)), optional: true },
    { name: "suffix", type: T.list(T.string), optional: true },
  ],
  result: T.opaque(TREE_TYPE),
  effects: "pure",
  impl: ([delimiter, prefix, middle, suffix]) => {
    const tree: StringTree = {
      delimiter: stringOr(delimiter!, ""),
      prefix: stringsOf(prefix!),
      middle: treesOf(middle!),
      suffix: stringsOf(suffix!),
    };
    return new Opaque(TREE_TYPE, tree);
  },
});

const Flush = defineHost({
  pkg: PKG,
  name: "Flush",
  doc: "Flush(tree?) renders the given string trees (one or a sequence) into one string.",
  params: [{ name: "tree", type: T.list(T.opaque(TREE_TYPE)), monadic: true, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([trees]) => {
    const out: string[] = [];
    for (const t of treesOf(trees!)) flushTree(t, out);
    return out.join("");
  },
});

export const stringsFunctions: readonly HostFunction[] = [
  Join,
  Split,
  Len,
  Equal,
  HasPrefix,
  HasSuffix,
  Contains,
  Index,
  Upper,
  Lower,
  Quote,
  TrimSpace,
  TrimPrefix,
  TrimSuffix,
  Replace,
  Repeat,
  Fields,
  Tree,
  Flush,
];
