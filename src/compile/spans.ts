/**
 * Where a circuit's steps and group labels are written. A program keeps every circuit it builds,
 * and a span object per step and per label was about a quarter of a circuit's heap; all of them
 * come from one file, so a circuit keeps that file's line starts once and two offsets per span in
 * one typed array, and makes a `SourceSpan` only when one is asked for (a message, a frame, a
 * graph, a type query).
 */
import { SourceSpan, startOffset, type LineStarts, type Span } from "../diag/span.js";

/** The spans of one circuit: its steps' (by step index), then its labelled groups' (by `labelSpan`). */
export class CircuitSpans {
  constructor(
    /** The line starts of the file the offsets are in; undefined when no span is a `SourceSpan`. */
    private readonly lines: LineStarts | undefined,
    /** Slot k's from and to at 2k and 2k + 1; a from of -1 marks a span kept in `others`. */
    private readonly offsets: Int32Array,
    /** The number of steps: the labels' slots follow theirs. */
    private readonly stepCount: number,
    /** Spans that are not offsets into `lines` (from another file, or made by hand), by slot. */
    private readonly others: ReadonlyMap<number, Span> | undefined,
  ) {}

  /** Where step `index` is written. */
  step(index: number): Span {
    return this.at(index);
  }

  /** Where the label of a group with `labelSpan` `label` is written. */
  label(label: number): Span {
    return this.at(this.stepCount + label);
  }

  private at(slot: number): Span {
    const from = this.offsets[2 * slot]!;
    if (from < 0) return this.others!.get(slot)!;
    return new SourceSpan(this.lines!, from, this.offsets[2 * slot + 1]!);
  }
}

/**
 * Collects the spans of a circuit as the compiler makes its steps (in creation order) and its
 * groups' labels, then lays them out in the order the steps are sorted into.
 */
export class SpanCollector {
  private lines: LineStarts | undefined;
  /** Per step, in creation order: where it starts (for the sort's ties) and ends; likewise per label. */
  private readonly stepFrom: number[] = [];
  private readonly stepTo: number[] = [];
  private readonly labelFrom: number[] = [];
  private readonly labelTo: number[] = [];
  /**
   * Spans that are not offsets into `lines`, by creation index (steps) and by label number. Made
   * when there is one: most circuits have none, and a circuit is built for each function.
   */
  private otherSteps: Map<number, Span> | undefined;
  private otherLabels: Map<number, Span> | undefined;

  /** Records the span of the next step made. */
  addStep(span: Span): void {
    if (!this.record(span, this.stepFrom, this.stepTo)) (this.otherSteps ??= new Map()).set(this.stepFrom.length - 1, span);
  }

  /** Records a group label's span; returns its number (the group's `labelSpan`). */
  addLabel(span: Span): number {
    const label = this.labelFrom.length;
    if (!this.record(span, this.labelFrom, this.labelTo)) (this.otherLabels ??= new Map()).set(label, span);
    return label;
  }

  /** Where the step made `index`-th starts: what the sort breaks ties by (D31). */
  stepStart(index: number): number {
    return this.stepFrom[index]!;
  }

  /** The spans laid out for the steps in `order` (creation indices in sorted order; none: as made). */
  build(order: ArrayLike<number> | undefined): CircuitSpans {
    const n = this.stepFrom.length;
    const m = this.labelFrom.length;
    const offsets = new Int32Array(2 * (n + m));
    const others = this.otherSteps !== undefined || this.otherLabels !== undefined ? new Map<number, Span>() : undefined;
    for (let i = 0; i < n; i++) {
      const made = order === undefined ? i : order[i]!;
      this.place(offsets, i, this.stepFrom[made]!, this.stepTo[made]!, this.otherSteps?.get(made), others);
    }
    for (let j = 0; j < m; j++) this.place(offsets, n + j, this.labelFrom[j]!, this.labelTo[j]!, this.otherLabels?.get(j), others);
    return new CircuitSpans(this.lines, offsets, n, others);
  }

  /**
   * Records where a span starts and ends; false when it is not offsets into `lines`, and is to be
   * kept whole (its start still orders the sort).
   */
  private record(span: Span, from: number[], to: number[]): boolean {
    this.lines ??= span instanceof SourceSpan ? span.lines : undefined;
    if (span instanceof SourceSpan && span.lines === this.lines) {
      from.push(span.from);
      to.push(span.to);
      return true;
    }
    from.push(startOffset(span));
    to.push(0);
    return false;
  }

  /** Lays out one slot; `others` is made when there is a span of another kind to keep (`other`). */
  private place(
    offsets: Int32Array,
    slot: number,
    from: number,
    to: number,
    other: Span | undefined,
    others: Map<number, Span> | undefined,
  ): void {
    if (other !== undefined) {
      offsets[2 * slot] = -1;
      others!.set(slot, other);
    } else {
      offsets[2 * slot] = from;
      offsets[2 * slot + 1] = to;
    }
  }
}
