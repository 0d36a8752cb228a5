/**
 * Durations as Ko holds them: an Int64 count of nanoseconds, as Go's `time.Duration` (the
 * `time` package makes and takes them; `Profile` reports one), and their text, as Go writes
 * (`Duration.String`) and reads (`time.ParseDuration`) it: "1h2m3.5s", "250ms", "1.5µs".
 * Exact throughout: the arithmetic is on bigints, never through a double.
 */

export const NANOSECOND = 1n;
export const MICROSECOND = 1000n * NANOSECOND;
export const MILLISECOND = 1000n * MICROSECOND;
export const SECOND = 1000n * MILLISECOND;
export const MINUTE = 60n * SECOND;
export const HOUR = 60n * MINUTE;

const INT64_MAX = (1n << 63n) - 1n;

/**
 * A duration as Go's Duration.String writes it: `"1h2m3.5s"`, `"1.5ms"`, `"250µs"`, `"0s"`;
 * the largest unit is the hour and trailing zeros of the fraction are dropped.
 */
export function formatDuration(d: bigint): string {
  if (d === 0n) return "0s";
  const sign = d < 0n ? "-" : "";
  const u = d < 0n ? -d : d;
  if (u < SECOND) {
    const [unit, name] = u < MICROSECOND ? [NANOSECOND, "ns"] : u < MILLISECOND ? [MICROSECOND, "µs"] : [MILLISECOND, "ms"];
    return `${sign}${decimal(u, unit)}${name}`;
  }
  const hours = u / HOUR;
  const minutes = (u % HOUR) / MINUTE;
  const seconds = decimal(u % MINUTE, SECOND);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `n / unit` as an exact decimal without trailing zeros: decimal(1500n, 1000n) is "1.5". */
function decimal(n: bigint, unit: bigint): string {
  const whole = n / unit;
  const rest = n % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: NANOSECOND,
  us: MICROSECOND,
  µs: MICROSECOND, // U+00B5 MICRO SIGN
  μs: MICROSECOND, // U+03BC GREEK SMALL LETTER MU
  ms: MILLISECOND,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
};

/**
 * The nanoseconds of a duration text, read as Go's time.ParseDuration reads it: a sign, then
 * one or more decimal numbers, each with an optional fraction and a unit (ns, us, µs, ms, s,
 * m, h): "300ms", "-1.5h", "2h45m". "0" alone needs no unit. A fraction finer than a
 * nanosecond is dropped. Throws a RangeError saying what is wrong with any other text.
 */
export function parseDuration(text: string): bigint {
  const quoted = JSON.stringify(text);
  let rest = text;
  let negative = false;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    negative = rest.startsWith("-");
    rest = rest.slice(1);
  }
  if (rest === "0") return 0n;
  if (rest === "") throw new RangeError(`invalid duration ${quoted}`);
  let total = 0n;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]*)/;
  while (rest !== "") {
    const m = part.exec(rest)!;
    const [all, whole = "", fraction = "", unitName = ""] = m;
    if (whole === "" && fraction === "") throw new RangeError(`invalid duration ${quoted}`);
    if (unitName === "") throw new RangeError(`missing unit in duration ${quoted} (ns, us, ms, s, m or h)`);
    const unit = UNITS[unitName];
    if (unit === undefined) throw new RangeError(`unknown unit ${JSON.stringify(unitName)} in duration ${quoted} (ns, us, ms, s, m or h)`);
    total += BigInt(whole || "0") * unit + (BigInt(fraction || "0") * unit) / 10n ** BigInt(fraction.length);
    if (total > INT64_MAX) throw new RangeError(`duration ${quoted} is out of range (at most about 292 years)`);
    rest = rest.slice(all.length);
  }
  return negative ? -total : total;
}

/**
 * A duration given as an argument — a text, or a count of nanoseconds — in nanoseconds, for the
 * builtins that wait (`Retry`, `Timeout`) and for the checker, which reads their literal
 * arguments with the same rules. Throws a RangeError saying what is wrong: not a duration, or
 * negative.
 */
export function durationArgument(v: string | bigint): bigint {
  const ns = typeof v === "string" ? parseDuration(v) : v;
  if (ns < 0n)
    throw new RangeError(`a duration must not be negative, got ${typeof v === "string" ? JSON.stringify(v) : `${v} (nanoseconds)`}`);
  return ns;
}
