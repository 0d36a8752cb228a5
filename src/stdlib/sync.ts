/**
 * Package `sync`: the original's gates beneath its `sync.MakeRing` (lib/sync).
 *
 * A ring hands out leases: the sequential numbers 0, 1, 2, ..., each exactly once, in order, to
 * whichever callers ask, concurrently or not. The original keeps `cap` numbers ready in a Go
 * channel and refills it after each lease; since a refill takes the next number, the leases are
 * the same whatever the capacity, so here the ring is a counter. (A capacity of 0 would make the
 * original's first lease wait forever; here a capacity below 1 is an error, D24.)
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { EMPTY, int64, Opaque } from "../value/value.js";
import { bigOf, misuse } from "./helpers.js";

const PKG = "sync";
const RING = "sync.Ring";

/** The state of a ring: the number the next lease returns. */
interface Ring {
  next: bigint;
}

const GoMakeRing = defineHost({
  pkg: PKG,
  name: "GoMakeRing",
  doc: "GoMakeRing(cap?) makes a ring whose leases (GoRingLease) are 0, 1, 2, ... in order; cap (an Int64) must be at least 1.",
  params: [{ name: "cap", type: T.int64, monadic: true, optional: true }],
  result: T.opaque(RING),
  // Not pure: every call makes a ring of its own, which no cache may share between calls.
  effects: "random",
  // In-memory, the run's own: a planning pass runs it.
  dryRun: "runs",
  impl: ([cap]) => {
    const capacity = cap === EMPTY ? 0n : bigOf(cap!);
    if (capacity < 1n) throw misuse("sync.GoMakeRing", `a ring's capacity must be at least 1, got ${capacity}`);
    const ring: Ring = { next: 0n };
    return new Opaque(RING, ring);
  },
});

const GoRingLease = defineHost({
  pkg: PKG,
  name: "GoRingLease",
  doc: "GoRingLease(conn?) takes the next lease of the ring (made by GoMakeRing): its sequential number, an Int64.",
  params: [{ name: "conn", type: T.opaque(RING), monadic: true }],
  result: T.int64,
  // Not pure: every call takes a different number.
  effects: "random",
  // In-memory, the run's own: a planning pass runs it.
  dryRun: "runs",
  impl: ([conn]) => {
    const ring = (conn as Opaque).value as Ring;
    return int64(ring.next++);
  },
});

export const syncFunctions: readonly HostFunction[] = [GoMakeRing, GoRingLease];
