/**
 * A text sink for logs written while a run goes on: buffered, so a run of many quick steps does
 * not make a system call per line, and flushed on the next turn of the event loop, so a reader
 * (or a killed run's file) is never more than a moment behind.
 */
import * as fs from "node:fs";

export class LineSink {
  private readonly fd: number | undefined;
  private buffer: string[] = [];
  private size = 0;
  private scheduled = false;

  /** `-` is standard error; anything else a file, created or truncated. */
  constructor(readonly target: string) {
    this.fd = target === "-" ? undefined : fs.openSync(target, "w");
  }

  write(text: string): void {
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= 1 << 16) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.buffer.length === 0) return;
    const text = this.buffer.join("");
    this.buffer = [];
    this.size = 0;
    if (this.fd === undefined) process.stderr.write(text);
    else fs.writeSync(this.fd, text);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }
}
