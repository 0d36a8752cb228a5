/**
 * Fault injection for tests of clients: fail the next N matching requests with a status, delay
 * matching requests, and drop open watch connections. Rules match on verb, resource, namespace
 * and name; an omitted matcher matches anything.
 */

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection";

export interface RequestInfo {
  verb: Verb;
  /** Plural resource name ("pods"); subresources as "pods/status". */
  resource: string;
  group: string;
  namespace?: string;
  name?: string;
}

export interface FaultMatch {
  verb?: Verb | Verb[];
  /** "pods", "deployments", "pods/status"... */
  resource?: string;
  namespace?: string;
  name?: string;
}

export interface FailRule extends FaultMatch {
  /** HTTP status to answer with (a Status object with the usual reason for that code). */
  status: number;
  /** How many matching requests fail (default 1). */
  count?: number;
  reason?: string;
  message?: string;
  /** Adds a Retry-After header (seconds), as 429 and 503 answers do. */
  retryAfterSeconds?: number;
}

export interface LatencyRule extends FaultMatch {
  latencyMs: number;
  /** How many matching requests are delayed (default: all until cleared). */
  count?: number;
}

export interface ActiveRule {
  id: number;
  kind: "fail" | "latency";
  rule: FailRule | LatencyRule;
  remaining: number;
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  410: "Expired",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

export const reasonFor = (status: number) => REASONS[status] ?? "Unknown";

function matches(m: FaultMatch, r: RequestInfo): boolean {
  if (m.verb !== undefined && !(Array.isArray(m.verb) ? m.verb.includes(r.verb) : m.verb === r.verb)) return false;
  if (m.resource !== undefined && m.resource !== r.resource && m.resource !== `${r.resource}.${r.group}`) return false;
  if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
  if (m.name !== undefined && m.name !== r.name) return false;
  return true;
}

/** A watch connection that can be dropped. */
export interface DroppableWatch {
  info: RequestInfo;
  drop(mode: "close" | "reset"): void;
}

export class Faults {
  private nextId = 1;
  private rules: ActiveRule[] = [];
  readonly watches = new Set<DroppableWatch>();

  /** Fails the next `count` (default 1) matching requests. Returns the rule id. */
  fail(rule: FailRule): number {
    const id = this.nextId++;
    this.rules.push({ id, kind: "fail", rule, remaining: rule.count ?? 1 });
    return id;
  }

  /** Delays matching requests by `latencyMs` (all of them, or the next `count`). */
  latency(rule: LatencyRule): number {
    const id = this.nextId++;
    this.rules.push({ id, kind: "latency", rule, remaining: rule.count ?? Infinity });
    return id;
  }

  /** Ends the matching open watch streams: "close" ends the response cleanly, "reset" destroys the socket. Returns how many. */
  dropWatches(match: FaultMatch = {}, mode: "close" | "reset" = "close"): number {
    let n = 0;
    for (const w of [...this.watches])
      if (matches(match, w.info)) {
        this.watches.delete(w);
        w.drop(mode);
        n++;
      }
    return n;
  }

  remove(id: number): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  list(): ActiveRule[] {
    return this.rules.map((r) => ({ ...r, remaining: r.remaining }));
  }

  /** Consumes the rules that apply to a request: the total delay, and the failure to answer with, if any. */
  consume(r: RequestInfo): { delayMs: number; fail?: FailRule } {
    let delayMs = 0;
    let fail: FailRule | undefined;
    for (const active of this.rules) {
      if (active.remaining <= 0 || !matches(active.rule, r)) continue;
      if (active.kind === "latency") {
        delayMs += (active.rule as LatencyRule).latencyMs;
        active.remaining--;
      } else if (!fail) {
        fail = active.rule as FailRule;
        active.remaining--;
      }
    }
    this.rules = this.rules.filter((x) => x.remaining > 0);
    return fail ? { delayMs, fail } : { delayMs };
  }
}
