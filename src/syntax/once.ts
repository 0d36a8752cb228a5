/**
 * `once(make)`: a function that calls `make` the first time it is called and returns that value
 * ever after. It is how a module keeps what is the same for every program and every run — the
 * lexer, the parser, a data file of the standard library — built only when first needed, so that
 * a start of `ko` that needs none of it pays nothing for it. Per-run state never belongs in one:
 * it lives in a session (src/api/session.ts) or in a run's services.
 *
 * It lives here because the lexer and the parser are the lowest layer that needs it; the layers
 * above (stdlib, k8s, api, service) use it too.
 */
export function once<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
