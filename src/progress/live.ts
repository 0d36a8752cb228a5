/**
 * The live view of `ko run` on a terminal: a few lines at the bottom of the screen, redrawn ten
 * times a second, listing the steps running now with how long each has run, and counting the
 * steps done, cached and failed. A failure is printed above the view, where it stays, as soon as
 * it reaches a step of the function the run started with, naming the step where it began: a
 * panic deeper down may yet be recovered, and then it is only counted.
 *
 * Steps of the same name are told apart by the steps that called them (distinctNames).
 *
 * A run that ends within `DELAY_MS` shows nothing at all, so quick scripts look as they always
 * did. Output of the program (`Print`, `Show`) goes through `printAbove`, which takes the view
 * away, writes, and lets the next frame draw it again below.
 *
 * What it costs a run: the view is for people, so it makes do with a sample when steps come fast.
 * Steps are stamped with the time of the last frame (no clock reading per step); every
 * `CHECK_EVERY` steps the clock is read, a frame drawn if one is due (a run that never yields
 * to the event loop still gets its view redrawn), and if steps came faster than `BUSY_RATE` a
 * second, the view stops watching new steps for the next `QUIET_STARTS` bodies that start — the
 * steps it already saw start it still sees end, so long steps stay listed — and the counts it
 * shows are then marked as a sample.
 */
import type { Layer, StepSite, StepStatus } from "../instrument/layers.js";
import { describeFailure, isCancellation } from "../value/describe-failure.js";

/** Nothing is drawn before the run has gone on this long. */
const DELAY_MS = 300;
const FRAME_MS = 100;
/** At most this many running steps are listed (fewer on a short screen); the others are counted. */
const MAX_LISTED = 8;
/** The clock is read once per this many steps seen starting. */
const CHECK_EVERY = 1024;
/** Steps coming faster than this a second: the view watches a sample. */
const BUSY_RATE = 20_000;
/** For how many bodies starting it then looks away (about 1 in 64 steps is watched). */
const QUIET_STARTS = 64 * CHECK_EVERY;
const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

type Writable = Pick<NodeJS.WriteStream, "write"> & { readonly columns?: number; readonly rows?: number };

export class LiveView implements Layer {
  /** The steps running now, with the time of the frame before they started. */
  private readonly running = new Map<StepSite, number>();
  private readonly counts = { done: 0, cached: 0, failed: 0 };
  private readonly t0 = performance.now();
  /** performance.now() at the last frame: the clock steps are stamped with. */
  private clock = this.t0;
  /** Lines of the view now on the screen (0: none). */
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The program's last output did not end a line: drawing now would continue it. */
  private midLine = false;
  private everShown = false;
  /** The activation of the function the run started with (its steps are the first to start). */
  private entry: number | undefined;
  /** The innermost failed step not yet reported: where a failure that reaches the top began. */
  private origin: StepSite | undefined;
  /** Steps seen starting, and when the clock was last read for them. */
  private seen = 0;
  private lastCheck = this.t0;
  /** Bodies left to start unwatched (0: watching all). */
  private quietStarts = 0;
  /** Some steps went unwatched: the counts are a sample. */
  private sampled = false;
  private readonly color: boolean;

  constructor(
    private readonly term: Writable,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.color = env.NO_COLOR === undefined || env.NO_COLOR === "";
  }

  readonly observing = (): boolean => {
    if (this.quietStarts === 0) return true;
    this.quietStarts--;
    return false;
  };

  readonly stepStarted = (site: StepSite): void => {
    this.entry ??= site.activation;
    this.running.set(site, this.clock);
    this.timer ??= setInterval(() => this.tick(), FRAME_MS).unref();
    if (++this.seen % CHECK_EVERY === 0) this.check();
  };

  /** Every CHECK_EVERY steps: how fast do they come, and is a frame due? */
  private check(): void {
    const now = performance.now();
    if ((CHECK_EVERY / (now - this.lastCheck)) * 1000 > BUSY_RATE) {
      this.quietStarts = QUIET_STARTS;
      this.sampled = true;
    }
    this.lastCheck = now;
    if (now - this.clock >= FRAME_MS) this.tick();
  }

  readonly stepFinished = (site: StepSite, status: StepStatus, ms: number, error?: unknown): void => {
    this.running.delete(site);
    this.counts[status]++;
    if (status !== "failed") {
      // A step that ends well after a failure: that failure was recovered (or is on its way up
      // through other steps); either way it no longer says where the next one began.
      this.origin = undefined;
      return;
    }
    this.origin ??= site;
    if (site.activation !== this.entry || isCancellation(error)) return;
    const where = this.origin === site ? "" : ` (in ${this.origin.function}:${this.origin.step})`;
    this.origin = undefined;
    const line = `${this.paint("31", "✗")} ${site.function}:${site.step} failed after ${seconds(ms)}${where}: ${describeFailure(error)}\n`;
    this.printAbove(this.term, line);
  };

  /** Writes program output (or a message) above the view. */
  printAbove(stream: Pick<NodeJS.WriteStream, "write">, text: string): void {
    this.erase();
    stream.write(text);
    if (text.length > 0) this.midLine = !text.endsWith("\n");
  }

  /** Takes the view away until steps start again (between the functions of `-l`, before the result). */
  pause(): void {
    this.entry = undefined;
    this.origin = undefined;
    this.erase();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.pause();
    if (!this.everShown) return;
    const { done, cached, failed } = this.counts;
    const about = this.sampled ? "about " : "";
    this.term.write(
      `${this.paint("2", `ko: ${about}${done + cached + failed} steps: ${done} done, ${cached} cached, ${failed} failed in ${seconds(performance.now() - this.t0)}`)}\n`,
    );
  }

  /** A frame: move the clock and draw. */
  private tick(): void {
    this.clock = performance.now();
    this.render();
  }

  private render(): void {
    if (this.midLine || this.clock - this.t0 < DELAY_MS) return;
    const lines = this.lines();
    // Drawn over the last frame, line by line, each cleared before it is written (see erase).
    const up = this.drawn > 0 ? `\r\x1b[${this.drawn}A` : "";
    const left = Math.max(0, this.drawn - lines.length);
    const rest = left > 0 ? `${"\x1b[2K\x1b[1B".repeat(left)}\x1b[${left}A` : "";
    this.term.write(up + lines.map((l) => `\x1b[2K${l}\n`).join("") + rest);
    this.drawn = lines.length;
    this.everShown = true;
  }

  private lines(): string[] {
    const now = this.clock;
    const width = Math.max(20, (this.term.columns ?? 80) - 1);
    const spin = SPINNER[this.frame++ % SPINNER.length]!;
    // Oldest first: the Map keeps the order in which steps started.
    const steps = [...this.running];
    // A view taller than the screen would scroll its top lines away, where they cannot be erased:
    // it keeps a line for the summary, one for "… and N more", and the one the cursor is on.
    const room = Math.max(0, Math.min(MAX_LISTED, (this.term.rows ?? 24) - 3));
    const listed = steps.slice(0, room);
    const names = distinctNames(listed.map(([s]) => s));
    const out = listed.map(([, since], i) => {
      const name = names[i]!;
      const time = seconds(now - since);
      return `${this.paint("36", spin)} ${clip(name, width - time.length - 4)}  ${this.paint("2", time)}`;
    });
    if (steps.length > room && room > 0) out.push(this.paint("2", `  … and ${steps.length - room} more`));
    const { done, cached, failed } = this.counts;
    const sample = this.sampled ? " (a sample: steps come fast)" : "";
    const summary = `${steps.length} running · ${done} done · ${cached} cached · ${failed} failed · ${seconds(now - this.t0)}${sample}`;
    out.push(this.paint("2", clip(summary, width)));
    return out;
  }

  /**
   * Takes the view away, the cursor left where its first line was. Each line is cleared on its
   * own (EL): erasing to the end of the screen (ED) from its top-left corner is clearing the
   * screen, which tmux and other terminals keep in the scrollback, a frame at a time.
   */
  private erase(): void {
    if (this.drawn === 0) return;
    const n = this.drawn;
    this.term.write(`\r\x1b[${n}A${"\x1b[2K\x1b[1B".repeat(n)}\x1b[${n}A`);
    this.drawn = 0;
  }

  private paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}

/**
 * The names of the steps listed, `pkg.F:step`; steps of the same name (a function called from
 * several places) are told apart by the steps that called them, as far up as it takes:
 * `time.Sleep:return ← app.Wait:s ← app.Main:b`.
 */
function distinctNames(sites: readonly StepSite[]): string[] {
  const names = sites.map((s) => `${s.function}:${s.step}`);
  const up = sites.map((s) => s.caller);
  for (let round = 0; round < 64; round++) {
    const count = new Map<string, number>();
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
    let extended = false;
    names.forEach((n, i) => {
      const c = up[i];
      if (count.get(n)! < 2 || c === undefined) return;
      names[i] = `${n} ← ${c.function}:${c.step}`;
      up[i] = c.caller;
      extended = true;
    });
    if (!extended) break;
  }
  return names;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, Math.max(0, width - 1)) + "…";
}
