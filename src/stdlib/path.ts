/**
 * Package `file/path`: slash-separated paths with the semantics of Go's `path` package (POSIX
 * style, purely textual: nothing here looks at the file system, so every function is pure).
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { stringOr, stringsOf } from "./helpers.js";

const PKG = "file/path";

/**
 * The shortest path equivalent to `p`, by purely lexical processing (Go's path.Clean):
 * repeated slashes become one, `.` elements vanish, each `..` removes the element before it,
 * a `..` right after the root is dropped, and the empty result is `.`.
 */
export function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const kept: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part !== "..") kept.push(part);
    else if (kept.length > 0 && kept[kept.length - 1] !== "..") kept.pop();
    else if (!rooted) kept.push("..");
  }
  const joined = kept.join("/");
  return rooted ? `/${joined}` : joined === "" ? "." : joined;
}

/** The last element of `p` (Go's path.Base). */
export function basePath(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** All but the last element of `p`, cleaned (Go's path.Dir). */
export function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf("/") + 1));
}

/** The monadic path; "" when not given, Go's zero value, as the original's gates take it. */
const path = { name: "path", type: T.string, monadic: true, optional: true } as const;

const Join = defineHost({
  pkg: PKG,
  name: "Join",
  doc:
    "Join(paths?) joins the given path elements with slashes, skipping empty ones, and cleans the result; " +
    'it returns "" when every element is empty.',
  params: [{ name: "paths", type: T.list(T.string), monadic: true, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([paths]) => {
    const parts = stringsOf(paths!).filter((p) => p !== "");
    return parts.length === 0 ? "" : cleanPath(parts.join("/"));
  },
});

const Base = defineHost({
  pkg: PKG,
  name: "Base",
  doc: 'Base(path?) returns the last element of the path, ignoring trailing slashes: "/" for the root, "." for "".',
  params: [path],
  result: T.string,
  effects: "pure",
  impl: ([p]) => basePath(stringOr(p!, "")),
});

const Dir = defineHost({
  pkg: PKG,
  name: "Dir",
  doc: 'Dir(path?) returns all but the last element of the path, cleaned: Dir("a/b/c") is "a/b", Dir("c") is ".".',
  params: [path],
  result: T.string,
  effects: "pure",
  impl: ([p]) => dirPath(stringOr(p!, "")),
});

const Clean = defineHost({
  pkg: PKG,
  name: "Clean",
  doc: "Clean(path?) returns the shortest path equivalent to the given one, by lexical processing only.",
  params: [path],
  result: T.string,
  effects: "pure",
  impl: ([p]) => cleanPath(stringOr(p!, "")),
});

const Ext = defineHost({
  pkg: PKG,
  name: "Ext",
  doc: 'Ext(path?) returns the extension of the last element, from its last dot on (".ko"), or "" if it has none.',
  params: [path],
  result: T.string,
  effects: "pure",
  impl: ([p]) => {
    const s = stringOr(p!, "");
    const dot = s.lastIndexOf(".");
    return dot > s.lastIndexOf("/") ? s.slice(dot) : "";
  },
});

const IsAbs = defineHost({
  pkg: PKG,
  name: "IsAbs",
  doc: "IsAbs(path?) returns true if the path starts with a slash.",
  params: [path],
  result: T.bool,
  effects: "pure",
  impl: ([p]) => stringOr(p!, "").startsWith("/"),
});

export const pathFunctions: readonly HostFunction[] = [Join, Base, Dir, Clean, Ext, IsAbs];
