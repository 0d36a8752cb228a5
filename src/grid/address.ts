/**
 * Where a grid is: the Redis server its queue, memo and programs live in, and the prefix that
 * keeps one grid's keys apart from another's on the same server.
 *
 *     redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]      rediss:// for TLS
 *
 * A URL that is not one of these is a usage error, reported before anything connects; the
 * password never appears in a message.
 */
import { UsageError } from "../diag/exit.js";

export interface GridAddress {
  /** The URL as given, which the Redis client reads. */
  readonly url: string;
  /** The URL without its password, for messages. */
  readonly shown: string;
  /** Prefix of every key: BullMQ's queue keys and the grid's own (keys.ts). */
  readonly prefix: string;
}

export const DEFAULT_PREFIX = "ko";

/** Parses `--grid URL` / `--redis URL` and `--prefix P`; throws a UsageError saying what is wrong. */
export function gridAddress(url: string, prefix: string = DEFAULT_PREFIX): GridAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`not a Redis URL: ${JSON.stringify(url)} (expected redis://HOST[:PORT][/DB])`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new UsageError(`not a Redis URL: ${JSON.stringify(hidePassword(parsed))} (the scheme must be redis:// or rediss://)`);
  }
  if (parsed.hostname === "") throw new UsageError(`the Redis URL ${JSON.stringify(hidePassword(parsed))} names no host`);
  if (parsed.pathname !== "" && parsed.pathname !== "/" && !/^\/\d+$/.test(parsed.pathname)) {
    throw new UsageError(`the Redis URL ${JSON.stringify(hidePassword(parsed))} has a path that is not a database number`);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) {
    throw new UsageError(`--prefix ${JSON.stringify(prefix)}: a prefix is letters, digits, '_', '.' and '-'`);
  }
  return { url, shown: hidePassword(parsed), prefix };
}

function hidePassword(u: URL): string {
  if (u.password === "") return u.href.replace(/\/$/, "");
  const copy = new URL(u.href);
  copy.password = "***";
  return copy.href.replace(/\/$/, "");
}
