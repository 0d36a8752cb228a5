/**
 * The registry of host functions, keyed by (package path, name) (spec 6.1). Core builtins live
 * in the package "" and are reachable by bare name; the others through an import of their package.
 */
import type { HostFunction } from "./binding.js";

export class HostRegistry {
  private readonly packages = new Map<string, Map<string, HostFunction>>();

  register(...fns: readonly HostFunction[]): this {
    for (const f of fns) {
      let pkg = this.packages.get(f.pkg);
      if (!pkg) this.packages.set(f.pkg, (pkg = new Map()));
      if (pkg.has(f.name)) throw new Error(`host function ${f.displayName} registered twice`);
      pkg.set(f.name, f);
    }
    return this;
  }

  lookup(pkg: string, name: string): HostFunction | undefined {
    return this.packages.get(pkg)?.get(name);
  }

  hasPackage(pkg: string): boolean {
    return this.packages.has(pkg);
  }

  functionsOf(pkg: string): readonly HostFunction[] {
    return [...(this.packages.get(pkg)?.values() ?? [])];
  }

  packagePaths(): readonly string[] {
    return [...this.packages.keys()].sort();
  }

  all(): readonly HostFunction[] {
    return this.packagePaths().flatMap((p) => this.functionsOf(p));
  }

  /** A copy to which an embedding application can add its own functions. */
  clone(): HostRegistry {
    const r = new HostRegistry();
    for (const f of this.all()) r.register(f);
    return r;
  }
}
