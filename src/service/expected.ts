/**
 * The record type a structure literal is expected to have, from where it stands: what lets the
 * editor complete and describe the fields of a Kubernetes manifest as a YAML schema does.
 *
 * A host function can declare a record type for a parameter (D17, src/host/host-type.ts), sharpened
 * by its `refine` hook from what is known of the arguments (`k8s.Apply` takes a V1StatefulSet
 * when its object says `apiVersion: "apps/v1", kind: "StatefulSet"`). So a literal is typed
 * - as an argument of a host call: by the parameter its term names (or the monadic one), refined
 *   with the literal terms of the call, `object: (apiVersion: ..., kind: ...)` included;
 * - as the value of a field of a literal so typed: by that field's type, a list's element record
 *   counting for the list (`containers: (` is a V1Container, and so is each unnamed term of
 *   `containers: ((...), (...))`);
 * - otherwise, standing on its own (a manifest built in a function of its own, as
 *   examples/cockroachdb.ko builds them): as the object a function of an imported package would
 *   take it as — a host function whose monadic parameter's `refine` turns the literal's known
 *   terms into a record. That is how `k8s.Apply` reads `apiVersion` and `kind`; nothing about
 *   Kubernetes is known here. A typing from outside wins over this one, so that an
 *   `ownerReferences: ((apiVersion: ..., kind: ...))` stays a V1OwnerReference.
 *
 * Like context.ts this reads tokens, not the syntax tree: it must work on text being typed, and
 * its offsets are the current text's. Unlike it, it lexes the whole enclosing definition, past
 * the cursor too, because the terms after the cursor (a `kind:` written below, a field already
 * given) count as much as those before it. Only literal values (strings, numbers, Bools) are
 * known, as the checker knows them from a literal.
 */
import type { IToken } from "chevrotain";
import type { HostFunction, Known, KnownFields } from "../host/binding.js";
import type { HostType, RecordSchema } from "../host/host-type.js";
import {
  Colon,
  Float,
  Ident,
  Int,
  InterpretedString,
  lex,
  LBrace,
  LBracket,
  Line,
  LParen,
  RawString,
  RBrace,
  RBracket,
  RParen,
} from "../syntax/index.js";
import { qualifierBefore } from "./cursor.js";
import { calledAt, scopeStart, sourceFile } from "./places.js";
import type { View } from "./workspace.js";

/** The record a literal is expected to be, and the fields it already has. */
export interface ExpectedRecord {
  readonly schema: RecordSchema;
  /** Labels written in the literal, before and after the cursor, except one the cursor is in or just after (being typed). */
  readonly given: ReadonlySet<string>;
}

/** A field label of such a literal, under the cursor. */
export interface ExpectedField {
  readonly name: string;
  readonly type: HostType;
  readonly doc: string | undefined;
  readonly schema: RecordSchema;
  /** Offsets of the label in the current text. */
  readonly start: number;
  readonly end: number;
}

/** The record type of the structure literal the cursor is directly inside, if one is expected. */
export function expectedRecordAt(view: View, file: string, offset: number): ExpectedRecord | undefined {
  const scan = scanAround(view, file, offset);
  const literal = scan?.innermost;
  if (scan === undefined || literal === undefined) return undefined;
  const record = recordIn(new Typing(view, file).expected(literal));
  if (record === undefined) return undefined;
  const given = new Set<string>();
  for (const t of literal.terms) if (t.label !== undefined && !(t.labelStart < offset && offset <= t.labelEnd)) given.add(t.label);
  return { schema: record, given };
}

/** The field whose label (`replicas` of `replicas: 3`) is under the cursor, in a literal of an expected record. */
export function expectedFieldAt(view: View, file: string, offset: number): ExpectedField | undefined {
  const scan = scanAround(view, file, offset);
  if (scan === undefined) return undefined;
  const at = scan.labelAt;
  if (at === undefined) return undefined;
  const schema = recordIn(new Typing(view, file).expected(at.bracket));
  const type = schema?.field(at.term.label!);
  if (schema === undefined || type === undefined) return undefined;
  return { name: at.term.label!, type, doc: schema.fieldDoc?.(at.term.label!), schema, start: at.term.labelStart, end: at.term.labelEnd };
}

/** The record a type stands for where a structure is written: itself, a list's element, a union's record. */
function recordIn(t: HostType | undefined): RecordSchema | undefined {
  if (t === undefined) return undefined;
  switch (t.k) {
    case "record":
      return t.schema;
    case "list":
      return recordIn(t.of);
    case "oneOf":
      for (const o of t.of) {
        const r = recordIn(o);
        if (r) return r;
      }
      return undefined;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Brackets and their terms, from tokens

interface Bracket {
  readonly parent: Bracket | undefined;
  /** The parent's term this bracket is written in. */
  readonly inTerm: Term | undefined;
  /** `(` not after a name or a bracket: a structure (or sequence) literal rather than a call. */
  readonly literal: boolean;
  /** For a call or augmentation: the callee as written, and where it starts (current text). */
  readonly callee: readonly string[] | undefined;
  readonly calleeAt: number;
  readonly bracket: "(" | "[";
  readonly open: number;
  readonly terms: Term[];
}

interface Term {
  label: string | undefined;
  labelStart: number;
  labelEnd: number;
  /** Tokens of the value at the term's own depth (a bracket counts as one). */
  valueTokens: number;
  literal: Known;
  /** The bracket the value starts with. */
  child: Bracket | undefined;
}

interface Scan {
  /** The innermost `(` literal whose brackets hold the cursor (not if a `{` or call is nearer). */
  readonly innermost: Bracket | undefined;
  /** A term label under the cursor, with its bracket. */
  readonly labelAt: { readonly bracket: Bracket; readonly term: Term } | undefined;
}

const DEFINITION_START = /^[\p{L}_][\p{L}\p{Nd}_]*\s*\(/gmu;

/** Lexes the definition around `offset` and finds the brackets that hold it. */
function scanAround(view: View, file: string, offset: number): Scan | undefined {
  const text = view.text;
  const start = scopeStart(view, file, offset);
  // The definition ends where the next one starts (a line opening a definition at column 0).
  const lineEnd = text.indexOf("\n", offset);
  DEFINITION_START.lastIndex = lineEnd + 1;
  const next = lineEnd < 0 ? null : DEFINITION_START.exec(text);
  const end = next === null ? text.length : next.index;
  const tokens = lex(text.slice(start, end)).tokens;
  const abs = (t: IToken) => t.startOffset + start;
  const absEnd = (t: IToken) => t.startOffset + t.image.length + start;

  const stack: Bracket[] = [];
  let innermostAtCursor: Bracket[] | undefined;
  let labelAt: Scan["labelAt"];
  const newTerm = (): Term => ({ label: undefined, labelStart: -1, labelEnd: -1, valueTokens: 0, literal: undefined, child: undefined });
  const termOf = (b: Bracket | undefined) => (b === undefined ? undefined : b.terms[b.terms.length - 1]);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (innermostAtCursor === undefined && abs(t) >= offset) innermostAtCursor = [...stack];
    const type = t.tokenType;
    const top = stack[stack.length - 1];
    const term = termOf(top);
    if (type === LParen || type === LBracket || type === LBrace) {
      const before = tokens[i - 1];
      const afterName = before?.tokenType === Ident;
      const afterBracket = before?.tokenType === RParen || before?.tokenType === RBracket;
      const callee = afterName && type !== LBrace ? qualifierBefore(tokens, i) : undefined;
      const b: Bracket = {
        parent: top,
        inTerm: term,
        literal: type === LParen && !afterName && !afterBracket,
        callee,
        calleeAt: callee ? abs(tokens[i - callee.length * 2 + 1]!) : abs(t),
        bracket: type === LBracket ? "[" : "(",
        open: abs(t),
        terms: [newTerm()],
      };
      if (term) {
        if (term.valueTokens === 0) term.child = b;
        term.valueTokens++;
      }
      stack.push(b);
    } else if (type === RParen || type === RBracket || type === RBrace) {
      stack.pop();
    } else if (term === undefined) {
      continue;
    } else if (type === Line) {
      top!.terms.push(newTerm());
    } else if (term.valueTokens === 0 && term.label === undefined && type === Ident && tokens[i + 1]?.tokenType === Colon) {
      term.label = t.image;
      term.labelStart = abs(t);
      term.labelEnd = absEnd(t);
      if (abs(t) <= offset && offset <= absEnd(t)) labelAt = { bracket: top!, term };
      i++; // the colon
    } else if (term.valueTokens === 0 && term.label === undefined && type === Colon) {
      term.label = "";
    } else {
      if (term.valueTokens === 0) term.literal = literalOf(t);
      term.valueTokens++;
    }
  }
  const open = innermostAtCursor ?? stack;
  const top = open[open.length - 1];
  return { innermost: top?.literal ? top : undefined, labelAt };
}

/** The value of a literal token, as the checker knows a literal. */
function literalOf(t: IToken): Known {
  if (t.tokenType === InterpretedString) {
    try {
      return JSON.parse(t.image) as string;
    } catch {
      return t.image.slice(1, -1);
    }
  }
  if (t.tokenType === RawString) return t.image.slice(1, -1);
  if (t.tokenType === Int || t.tokenType === Float) {
    const n = Number(t.image.replaceAll("_", ""));
    return Number.isNaN(n) ? undefined : n;
  }
  if (t.tokenType === Ident && (t.image === "true" || t.image === "false")) return t.image === "true";
  return undefined;
}

/** What is known of a term's value: its literal, or the known terms of the literal it is. */
function knownOfTerm(term: Term): Known {
  if (term.valueTokens !== 1) return undefined;
  return term.child ? (term.child.literal ? knownFields(term.child) : undefined) : term.literal;
}

function knownFields(b: Bracket): KnownFields {
  const out: Record<string, Known> = {};
  for (const t of b.terms) if (t.label) out[t.label] = knownOfTerm(t);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Types, from the outside in

class Typing {
  private readonly memo = new Map<Bracket, HostType | undefined>();

  constructor(
    private readonly view: View,
    private readonly file: string,
  ) {}

  /** The type the literal `b` stands for (a record, or a list whose element it is), if known. */
  expected(b: Bracket): HostType | undefined {
    if (!b.literal) return undefined;
    if (this.memo.has(b)) return this.memo.get(b);
    this.memo.set(b, undefined); // no cycles through a bracket, but be safe
    const t = this.fromOutside(b) ?? this.asObject(b);
    this.memo.set(b, t);
    return t;
  }

  /** From the call or literal the bracket is written in. */
  private fromOutside(b: Bracket): HostType | undefined {
    const parent = b.parent;
    const term = b.inTerm;
    if (parent === undefined || term === undefined || term.child !== b) return undefined;
    let t: HostType | undefined;
    if (parent.callee !== undefined) t = this.parameterType(parent, term);
    else if (parent.literal) {
      const outer = this.expected(parent);
      if (term.label === undefined || term.label === "")
        t = outer?.k === "list" ? outer.of : undefined; // an element of a sequence
      else t = recordIn(outer)?.field(term.label);
    }
    return recordIn(t) ? t : undefined;
  }

  /** The type of the parameter a call's term gives, refined by what the call's terms say. */
  private parameterType(call: Bracket, term: Term): HostType | undefined {
    const fn = this.hostCalled(call);
    if (fn === undefined) return undefined;
    const param = term.label ? fn.params.find((p) => p.name === term.label) : fn.params.find((p) => p.monadic);
    if (param === undefined) return undefined;
    if (fn.refine === undefined) return param.type;
    const known: Record<string, Known> = {};
    for (const t of call.terms) {
      const p = t.label ? fn.params.find((q) => q.name === t.label) : t.valueTokens > 0 ? fn.params.find((q) => q.monadic) : undefined;
      if (p) known[p.name] = knownOfTerm(t);
    }
    return fn.refine(known)?.params?.[param.name] ?? param.type;
  }

  private hostCalled(call: Bracket): HostFunction | undefined {
    const called = calledAt(this.view.analysis.program, this.view, this.file, {
      callee: call.callee,
      calleeAt: call.calleeAt,
      bracket: call.bracket,
      open: call.open,
      usedLabels: [],
      label: undefined,
      unlabelled: false,
    });
    return called === undefined || "def" in called ? undefined : called;
  }

  /**
   * Standing on its own: the record an imported package's host function would take this literal
   * as, for its monadic parameter, by its `refine` (k8s.Apply: `apiVersion` and `kind`).
   */
  private asObject(b: Bracket): HostType | undefined {
    const known = knownFields(b);
    if (!Object.values(known).some((v) => v !== undefined)) return undefined;
    const program = this.view.analysis.program;
    const fn = this.view.analysis.index.enclosingFunction(this.file, this.view.map.toOld(b.open));
    const source = fn?.file ?? sourceFile(program, this.file);
    for (const target of new Set(source?.aliases.values() ?? [])) {
      for (const h of program.packages.get(target)?.host.values() ?? []) {
        if (h.refine === undefined) continue;
        const param = h.params.find((p) => p.monadic);
        if (param === undefined) continue;
        const t = h.refine({ [param.name]: known })?.params?.[param.name];
        if (recordIn(t)) return t;
      }
    }
    return undefined;
  }
}
