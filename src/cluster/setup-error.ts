/**
 * A reason the cluster cannot start that is its caller's to fix — a damaged state file, a state
 * file another process holds — rather than a bug. Front ends print its message alone, without a
 * stack, and exit with the status of a configuration error.
 */
export class ClusterSetupError extends Error {
  override name = "ClusterSetupError";
}
