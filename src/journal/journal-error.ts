/** A request the journal cannot honour (an unknown run to resume, a run still going on, an unknown step to re-run...). */
export class JournalError extends Error {
  override name = "JournalError";
}
