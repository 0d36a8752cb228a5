/**
 * Who may talk to the embedded server. It listens on loopback only, but a web page open in a
 * browser on the same machine can still reach it: through DNS rebinding (a name of the
 * attacker's that resolves to 127.0.0.1, which the browser then sends as the Host header) or
 * through a cross-origin "simple" request. So a request must be addressed to a loopback name
 * and must carry the server's bearer token — random per server and written only into the
 * kubeconfig it emits (mode 0600) — as a kube-apiserver with anonymous access turned off.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors.js";

/** A fresh token: 256 random bits, hex. */
export function newToken(): string {
  return randomBytes(32).toString("hex");
}

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];

export class Guard {
  private readonly hosts: Set<string>;
  private readonly token: Buffer;

  /** `listenHost` is allowed too when it is a host of its own (not a wildcard such as 0.0.0.0). */
  constructor(token: string, listenHost: string) {
    this.token = Buffer.from(token);
    this.hosts = new Set(LOOPBACK);
    const own = listenHost.includes(":") && !listenHost.startsWith("[") ? `[${listenHost}]` : listenHost;
    if (own !== "0.0.0.0" && own !== "[::]") this.hosts.add(own.toLowerCase());
  }

  /** Why the request is refused, as the Status to answer with; undefined when it may go on. */
  refuse(req: IncomingMessage): ApiError | undefined {
    const host = hostName(req.headers.host);
    if (host === undefined || !this.hosts.has(host))
      return new ApiError(
        403,
        "Forbidden",
        `the Host ${JSON.stringify(req.headers.host ?? "")} is not a loopback name: the embedded cluster answers requests to 127.0.0.1, localhost or [::1] only`,
      );
    const auth = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!auth || !this.isToken(Buffer.from(auth[1]!))) return new ApiError(401, "Unauthorized", "Unauthorized");
    return undefined;
  }

  /**
   * Whether `given` is the token, compared in constant time: the answer tells nothing of how much
   * of a guess was right. Only its length is told apart at once, and every token has the same
   * (64 hex digits), so that tells nothing either — and no digest is computed for every request.
   */
  private isToken(given: Buffer): boolean {
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}

/** The host of a Host header without its port, in lower case: "127.0.0.1", "localhost", "[::1]". */
function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end < 0 ? undefined : h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  return colon < 0 ? h : h.slice(0, colon);
}
