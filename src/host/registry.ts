/**
 * The registry of host functions, keyed by (package path, name) (reference 6.1). Core builtins live
 * in the package "" and are reachable by bare name; the others through an import of their package.
 */
import type { HostFunction } from "./binding.js";

export class HostRegistry {
  private readonly packages = new Map<string, Map<string, HostFunction>>();
  /** Functions of a package built only when the package is first looked at (see `registerLazy`). */
  private readonly lazy = new Map<string, (() => readonly HostFunction[])[]>();

  register(...fns: readonly HostFunction[]): this {
    for (const f of fns) {
      let pkg = this.packages.get(f.pkg);
      if (!pkg) this.packages.set(f.pkg, (pkg = new Map<string, HostFunction>()));
      if (pkg.has(f.name)) throw new Error(`host function ${f.displayName} registered twice`);
      pkg.set(f.name, f);
    }
    return this;
  }

  /**
   * Registers functions of `pkg` that `load` builds when the package is first looked at, so that
   * a large generated package (the Kubernetes API) costs nothing to a program that never imports it.
   */
  registerLazy(pkg: string, load: () => readonly HostFunction[]): this {
    const loaders = this.lazy.get(pkg);
    if (loaders) loaders.push(load);
    else this.lazy.set(pkg, [load]);
    return this;
  }

  private realise(pkg: string): void {
    const loaders = this.lazy.get(pkg);
    if (!loaders) return;
    this.lazy.delete(pkg);
    for (const load of loaders) this.register(...load());
  }

  lookup(pkg: string, name: string): HostFunction | undefined {
    this.realise(pkg);
    return this.packages.get(pkg)?.get(name);
  }

  hasPackage(pkg: string): boolean {
    return this.packages.has(pkg) || this.lazy.has(pkg);
  }

  functionsOf(pkg: string): readonly HostFunction[] {
    this.realise(pkg);
    return [...(this.packages.get(pkg)?.values() ?? [])];
  }

  packagePaths(): readonly string[] {
    return [...new Set([...this.packages.keys(), ...this.lazy.keys()])].sort();
  }

  all(): readonly HostFunction[] {
    return this.packagePaths().flatMap((p) => this.functionsOf(p));
  }

  /** A copy to which an embedding application can add its own functions. */
  clone(): HostRegistry {
    const r = new HostRegistry();
    for (const fns of this.packages.values()) r.register(...fns.values());
    for (const [pkg, loaders] of this.lazy) for (const load of loaders) r.registerLazy(pkg, load);
    return r;
  }
}
