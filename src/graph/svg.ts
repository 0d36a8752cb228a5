/**
 * SVG, rendered in-process by Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz, whose
 * WebAssembly is inside the npm package: nothing is downloaded, no system Graphviz is needed).
 * Loaded only when asked for, since it is most of a megabyte.
 */
export async function dotToSvg(dot: string): Promise<string> {
  const { Graphviz } = await import("@hpcc-js/wasm-graphviz");
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot, "svg");
}
