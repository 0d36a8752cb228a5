/**
 * `Spin`, which starts a call that runs concurrently with the caller, and `Memory`, the one kind
 * of shared mutable state in Ko (reference 5.7).
 *
 * Both return structures of varieties made here — `Wait` for a spun call; `Remember`, `Recall`
 * and `Flush` for a memory — that print as their method name (D28) and are bound to their one
 * call or store: each has an identity of its own, so two handles never compare equal.
 */
import { defineHost, type HostFunction, type SpawnHandle, type TypedSpec } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { equal } from "../value/equal.js";
import { KoPanic } from "../value/failure.js";
import { hashValue } from "../value/hash.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, Struct, Variety, field, type Value } from "../value/value.js";
import { namedParam, valueParam } from "./common.js";

/**
 * Numbers the handles made in this process, for their identities and memory names. A handle can
 * outlive its run (the REPL keeps values from line to line; an embedder can pass a result to its
 * next run), and two handles must never compare equal, so the numbering is the process's.
 */
// eslint-disable-next-line no-restricted-syntax -- identities must be unique in the process, not only in a run (see above)
let handles = 0;

/** A variety of a host function made at run time, with an identity no other callable has. */
function boundMethod(owner: string, spec: Omit<TypedSpec, "pkg">): Variety {
  const fn: HostFunction = { ...defineHost({ pkg: "", ...spec }), identity: `${owner}\u0000${spec.name}` };
  return new Variety(fn, []);
}

// ---------------------------------------------------------------------------------------------
// Spin

export const spin: HostFunction = defineHost({
  pkg: "",
  name: "Spin",
  doc: "Starts invoking the variety concurrently and returns (Wait: <variety returning its result>).",
  params: [valueParam("the variety to invoke", T.variety, false)],
  result: T.struct({ Wait: T.variety }),
  effects: "io",
  dryRun: "runs",
  impl: ([v], ctx) => {
    // Waiting is optional: a failure nobody waits for is the run's to report (D32).
    return new Struct([field("Wait", waitFor(ctx.run.spawn(v!)))]);
  },
});

/**
 * The `Wait` of a spun call: any number of invocations, each returning the call's result or
 * failing as it failed. A panic is raised afresh, so that it is located at the `Wait()` that
 * re-raised it; the original panic, with the spun call's frames, is its `cause` (D27).
 */
function waitFor(outcome: SpawnHandle): Variety {
  return boundMethod(`spin#${++handles}`, {
    name: "Wait",
    doc: "Waits for the spun call and returns its result, or re-raises its panic.",
    params: [],
    result: T.any,
    effects: "time",
    async: true,
    impl: () => outcome.wait().catch(reraise),
  });
}

function reraise(e: unknown): never {
  if (!(e instanceof KoPanic)) throw e;
  const again = new KoPanic(e.value);
  again.cause = e;
  throw again;
}

// ---------------------------------------------------------------------------------------------
// Memory

/** One remembered key and its value. The value changes in place, so the entry keeps its place. */
interface Entry {
  readonly key: Value;
  value: Value;
}

/**
 * A key/value store whose keys are compared with `Equal` (so field order does not matter), and
 * whose entries stay in insertion order (D7, D30): remembering a key again keeps its position;
 * forgetting it (remembering Empty) removes it, and remembering it later appends it.
 * JavaScript runs one piece of code at a time, so each operation is atomic.
 */
export class MemoryStore {
  /** Entries in insertion order (a Set iterates in the order of insertion). */
  private readonly entries = new Set<Entry>();
  /** Entries by the hash of their key; equal keys have equal hashes (D4). */
  private readonly buckets = new Map<string, Entry[]>();

  /** Stores `value` under `key` (Empty forgets the key); returns the previous value or Empty. */
  remember(key: Value, value: Value): Value {
    const h = hashValue(key);
    const bucket = this.buckets.get(h) ?? [];
    const at = bucket.findIndex((e) => equal(e.key, key));
    const found = at >= 0 ? bucket[at]! : undefined;
    const previous = found?.value ?? EMPTY;
    if (value === EMPTY) {
      if (found) this.forget(h, bucket, at, found);
    } else if (found) {
      found.value = value;
    } else {
      const entry: Entry = { key, value };
      bucket.push(entry);
      this.buckets.set(h, bucket);
      this.entries.add(entry);
    }
    return previous;
  }

  private forget(h: string, bucket: Entry[], at: number, entry: Entry): void {
    bucket.splice(at, 1);
    if (bucket.length === 0) this.buckets.delete(h);
    this.entries.delete(entry);
  }

  /** The value stored under `key`, or Empty. */
  recall(key: Value): Value {
    const bucket = this.buckets.get(hashValue(key));
    return bucket?.find((e) => equal(e.key, key))?.value ?? EMPTY;
  }

  /** The entries as a sequence of `(key: k, value: v)`, in insertion order; Empty if none. */
  flush(): Value {
    const pairs = [...this.entries].map((e) => new Struct([field("key", e.key), field("value", e.value)]));
    return listToValue(pairs); // a KoError if the keys' or values' types do not unify (D30)
  }
}

export const memory: HostFunction = defineHost({
  pkg: "",
  name: "Memory",
  doc: "A new key/value store: (name, Remember(key, value), Recall(key, otherwise), Flush()).",
  params: [],
  result: T.struct({ name: T.string, Remember: T.variety, Recall: T.variety, Flush: T.variety }),
  effects: "io",
  dryRun: "runs",
  impl: () => memoryHandle(new MemoryStore(), `memory#${++handles}`),
});

function memoryHandle(store: MemoryStore, name: string): Struct {
  const remember = boundMethod(name, {
    name: "Remember",
    doc: "Stores value under key (an empty value forgets the key); returns the previous value or empty.",
    params: [
      namedParam("key", T.any, "the key, compared with Equal"),
      namedParam("value", T.any, "the value to store; empty forgets the key"),
    ],
    result: T.any,
    effects: "io",
    dryRun: "runs",
    impl: ([key, value]) => store.remember(key!, value!),
  });
  const recall = boundMethod(name, {
    name: "Recall",
    doc: "The value stored under key, or otherwise when there is none.",
    params: [
      namedParam("key", T.any, "the key, compared with Equal"),
      namedParam("otherwise", T.any, "returned when nothing is stored under the key"),
    ],
    result: T.any,
    effects: "io",
    dryRun: "runs",
    impl: ([key, otherwise]) => {
      const found = store.recall(key!);
      return found === EMPTY ? otherwise! : found;
    },
  });
  const flush = boundMethod(name, {
    name: "Flush",
    doc: "The stored (key, value) pairs in insertion order, or empty.",
    params: [],
    result: T.any,
    effects: "io",
    dryRun: "runs",
    impl: () => store.flush(),
  });
  return new Struct([field("name", name), field("Remember", remember), field("Recall", recall), field("Flush", flush)]);
}

export const concurrencyBuiltins: readonly HostFunction[] = [spin, memory];
