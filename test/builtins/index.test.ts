import { describe, expect, it } from "vitest";
import { registerCoreBuiltins } from "../../src/builtins/index.js";
import { signature } from "../../src/host/binding.js";
import { HostRegistry } from "../../src/host/registry.js";
import { registry } from "./fake.js";

const CORE = [
  "",
  "All",
  "And",
  "Or",
  "Xor",
  "Not",
  "Bool",
  "String",
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "Uint8",
  "Uint16",
  "Uint32",
  "Uint64",
  "Float32",
  "Float64",
  "Sum",
  "Prod",
  "Ratio",
  "Moduli",
  "Negative",
  "Less",
  "Equal",
  "Len",
  "Merge",
  "Take",
  "Hash",
  "Sort",
  "Yield",
  "When",
  "Loop",
  "Range",
  "Recover",
  "Retry",
  "Timeout",
  "Panic",
  "Hang",
  "Parallel",
  "Sequential",
  "Profile",
  "Spin",
  "Memory",
  "Show",
  "ShowType",
  "Peek",
  "PeekType",
  "Print",
  "Println",
  "Format",
  "Template",
];

describe("registerCoreBuiltins", () => {
  it("registers every core builtin of reference 6.2 and 6.3, and nothing else in the core", () => {
    expect(
      registry
        .functionsOf("")
        .map((f) => f.name)
        .sort(),
    ).toEqual([...CORE].sort());
  });

  it("registers the packages integer and circuit", () => {
    expect(
      registry
        .functionsOf("integer")
        .map((f) => f.name)
        .sort(),
    ).toEqual(["Equal", "Less", "Moduli", "Negative", "Prod", "Ratio", "Sum"].sort());
    expect(registry.functionsOf("circuit").map((f) => f.name)).toEqual(["PkgPath"]);
  });

  it("can fill several registries (the builtins hold no per-registry state)", () => {
    expect(() => registerCoreBuiltins(new HostRegistry())).not.toThrow();
  });

  it("documents every builtin", () => {
    for (const f of registry.all()) {
      expect(f.doc, f.displayName).toMatch(/\S/);
      expect(signature(f)).toContain(f.name);
    }
  });

  it("prints core builtins by name (D8)", () => {
    expect(registry.lookup("", "Range")!.displayName).toBe("Range");
    expect(registry.lookup("integer", "Less")!.displayName).toBe("integer.Less");
  });

  it("marks the effects", () => {
    const effects = (name: string) => registry.lookup("", name)!.effects;
    for (const name of ["Show", "ShowType", "Peek", "PeekType", "Print", "Println"]) expect(effects(name)).toBe("io");
    for (const name of ["Memory", "Spin", "Hang", "Profile"]) expect(effects(name)).not.toBe("pure");
    for (const name of ["Sum", "Equal", "Len", "Take", "Yield", ""]) expect(effects(name)).toBe("pure");
  });

  it("declares exactly one monadic parameter where there is one", () => {
    for (const f of registry.all()) {
      expect(f.params.filter((p) => p.monadic).length, f.displayName).toBeLessThanOrEqual(1);
    }
  });
});
