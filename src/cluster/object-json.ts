/**
 * Stored objects are never mutated, so each one's JSON text is computed once and reused by every
 * list, get and watch event that sends it.
 */
import type { KObject } from "./resources.js";

const cache = new WeakMap<object, string>();

export function objectJSON(o: KObject): string {
  let text = cache.get(o);
  if (text === undefined) cache.set(o, (text = JSON.stringify(o)));
  return text;
}
