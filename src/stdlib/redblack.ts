/**
 * Package `redblack/fast`: the original's gates beneath its `fast.Insert` and `fast.Find`
 * (lib/redblack/fast), a left-leaning red-black tree whose operations run in the host rather than
 * in Ko (lib/redblack is the same tree written in Ko).
 *
 * A tree is a node or Empty; a node is the structure `(value, color, left, right)`, its color 1
 * (red) or 2 (black), its `left` and `right` nodes or absent — the fields the original's Go node
 * shows to Ko. Values are ordered by `Less`, a variety called as `Less(left: a, right: b)` that
 * returns a Bool; a value neither less nor greater than a node's replaces it. The steps are the
 * original's, one for one: flip a node with two red children on the way down, place the value,
 * then rotate left a black-left red-right node and rotate right a node with two reds on its left.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { recordSchema, T, type HostType } from "../host/host-type.js";
import { KoError } from "../value/failure.js";
import { EMPTY, field, int64, Struct, type Field, type Value } from "../value/value.js";
import { bigOf, misuse } from "./helpers.js";

const PKG = "redblack/fast";
const RED = 1n;
const BLACK = 2n;

interface Node {
  readonly value: Value;
  readonly color: bigint;
  readonly left?: Node;
  readonly right?: Node;
}

/** A node as a closed record (the schema refers to itself for `left` and `right`). */
const NODE: HostType = T.record(recordSchema("redblack/fast.Node", () => ({ value: T.any, color: T.int64, left: NODE, right: NODE })));

function nodeOf(v: Value, fn: string): Node | undefined {
  if (v === EMPTY) return undefined;
  const fields = new Map((v as Struct).fields.map((f) => [f.name, f.value]));
  const color = fields.has("color") ? bigOf(fields.get("color")!) : 0n;
  if (color !== RED && color !== BLACK) throw misuse(fn, `a node's color must be 1 (red) or 2 (black), got ${color}`);
  const left = nodeOf(fields.get("left") ?? EMPTY, fn);
  const right = nodeOf(fields.get("right") ?? EMPTY, fn);
  return { value: fields.get("value") ?? EMPTY, color, ...(left ? { left } : {}), ...(right ? { right } : {}) };
}

function valueOf(node: Node | undefined): Value {
  if (!node) return EMPTY;
  const fields: Field[] = [];
  if (node.value !== EMPTY) fields.push(field("value", node.value));
  fields.push(field("color", int64(node.color)));
  if (node.left) fields.push(field("left", valueOf(node.left)));
  if (node.right) fields.push(field("right", valueOf(node.right)));
  return new Struct(fields);
}

/** `Less(left: u, right: v)`, which must be a Bool. */
async function less(fn: string, ctx: HostContext, variety: Value, u: Value, v: Value): Promise<boolean> {
  const verdict = await ctx.call(variety, [field("left", u), field("right", v)]);
  if (typeof verdict !== "boolean") throw new KoError(`${fn}: Less must return a Bool`, "runtime/host-argument");
  return verdict;
}

/** A tree that compares values with `Less`: the original's Insert and Find. */
class Tree {
  constructor(
    private readonly fn: string,
    private readonly ctx: HostContext,
    private readonly variety: Value,
  ) {}

  async insert(node: Node | undefined, value: Value): Promise<Node> {
    if (!node) return { value, color: RED };
    let n = isRedRed(node) ? flip(node) : node;
    n = await this.place(n, value);
    if (isBlackRed(n)) n = rotateLeft(n);
    if (isLeftRedRed(n)) n = rotateRight(n);
    return n;
  }

  private async place(node: Node, value: Value): Promise<Node> {
    const smaller = await less(this.fn, this.ctx, this.variety, value, node.value);
    const bigger = await less(this.fn, this.ctx, this.variety, node.value, value);
    if (smaller) return { ...node, left: await this.insert(node.left, value) };
    if (bigger) return { ...node, right: await this.insert(node.right, value) };
    return { ...node, value };
  }

  async find(node: Node | undefined, value: Value): Promise<Value> {
    for (let n = node; n;) {
      const smaller = await less(this.fn, this.ctx, this.variety, value, n.value);
      const bigger = await less(this.fn, this.ctx, this.variety, n.value, value);
      if (smaller) n = n.left;
      else if (bigger) n = n.right;
      else return n.value;
    }
    return EMPTY;
  }
}

const isRed = (n: Node | undefined) => n?.color === RED;
const isBlack = (n: Node | undefined) => n?.color === BLACK;
const isRedRed = (n: Node) => isRed(n.left) && isRed(n.right);
const isBlackRed = (n: Node) => isBlack(n.left) && isRed(n.right);
const isLeftRedRed = (n: Node) => isRed(n.left) && isRed(n.left?.left);

function rotateLeft(n: Node): Node {
  const r = n.right!;
  return withChildren({ value: r.value, color: n.color }, withChildren({ value: n.value, color: r.color }, n.left, r.left), r.right);
}

function rotateRight(n: Node): Node {
  const l = n.left!;
  return withChildren({ value: l.value, color: n.color }, l.left, withChildren({ value: n.value, color: l.color }, l.right, n.right));
}

/** The node with its color and its children's flipped (the children are both there: isRedRed). */
function flip(n: Node): Node {
  return withChildren({ value: n.value, color: flipped(n.color) }, flipNode(n.left!), flipNode(n.right!));
}

function flipNode(n: Node): Node {
  return withChildren({ value: n.value, color: flipped(n.color) }, n.left, n.right);
}

function flipped(color: bigint): bigint {
  return color === RED ? BLACK : RED;
}

function withChildren(node: { value: Value; color: bigint }, left: Node | undefined, right: Node | undefined): Node {
  return { ...node, ...(left ? { left } : {}), ...(right ? { right } : {}) };
}

const params = [
  { name: "node", type: NODE, optional: true },
  { name: "value", type: T.any, optional: true },
  { name: "Less", type: T.variety },
] as const;

const GoInsert = defineHost({
  pkg: PKG,
  name: "GoInsert",
  doc: "GoInsert(node, value, Less) returns the tree node (Empty for none) with value inserted, ordered by Less(left, right).",
  params,
  result: NODE,
  effects: "pure",
  async: true,
  impl: async ([node, value, variety], ctx) => {
    const tree = new Tree("redblack/fast.GoInsert", ctx, variety!);
    return valueOf(await tree.insert(nodeOf(node!, "redblack/fast.GoInsert"), value!));
  },
});

const GoFind = defineHost({
  pkg: PKG,
  name: "GoFind",
  doc: "GoFind(node, value, Less) returns the value of the tree node (Empty for none) equal to value under Less(left, right), or Empty.",
  params,
  result: T.any,
  effects: "pure",
  async: true,
  impl: async ([node, value, variety], ctx) => {
    const tree = new Tree("redblack/fast.GoFind", ctx, variety!);
    return tree.find(nodeOf(node!, "redblack/fast.GoFind"), value!);
  },
});

export const redblackFunctions: readonly HostFunction[] = [GoInsert, GoFind];
