/**
 * The Ko grammar (reference 2.1) as a Chevrotain parser with embedded actions: each rule makes its
 * AST nodes (through builder.ts, which also does every check that needs more than one token of
 * context: separators, label mixing, literal ranges) as it parses, and no concrete syntax tree is
 * ever made. Each top-level import and definition goes to the builder as soon as it is parsed.
 *
 * Two choices keep the grammar LL(2) and friendly to error recovery:
 * - Lists are `(LINE | item)*`. That two items are separated is checked by the actions, which
 *   can then say exactly what is missing instead of the parser failing somewhere after.
 * - An inline definition `G(a) { ... }` and a call `G(a)` start alike. The bracket pass has
 *   already marked each `(` whose `)` is followed by `{`, so a gate decides in O(1).
 *
 * Recovery: when a syntax error interrupts rules, each rule it passes through catches it, makes
 * the node of what it had read (as a tree builder would have kept the partial node) and puts it on
 * the error (`Interrupted.partial`) for the rule it returns to; the rule that recovers returns it
 * (`recoveryValueFunc`). So the AST of a file with errors keeps everything that was parsed.
 *
 * Chevrotain runs every rule once at construction to record the grammar, with dummy tokens and
 * results: the actions go through `this.ast`, which is undefined then. So a DSL call is never an
 * argument of an action (`this.ast?.f(this.CONSUME(...))` would not record the CONSUME).
 */
import {
  EmbeddedActionsParser,
  EOF,
  getLookaheadPaths,
  isRecognitionException,
  LLkLookaheadStrategy,
  tokenMatcher,
  type ILookaheadStrategy,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import type { Formula, FuncDef, ImportDecl, Name, Param, Term } from "./ast.js";
import { real, type AstBuilder, type ListKind } from "./builder.js";
import { MAX_DIAGNOSTICS, MAX_FORMULA_DEPTH } from "./limits.js";
import { once } from "./once.js";
import {
  allTokens,
  CLOSERS,
  Colon,
  Dot,
  Ident,
  LBrace,
  LBracket,
  Line,
  LParen,
  Minus,
  NumberLit,
  opensParams,
  OPENERS,
  Question,
  RBrace,
  RBracket,
  RParen,
  StringLit,
} from "./tokens.js";

/** Chevrotain methods this parser uses that its type declarations leave out. */
interface ChevrotainInternals {
  SAVE_ERROR(error: IRecognitionException): IRecognitionException;
  moveToTerminatedState(): void;
}

const internals = EmbeddedActionsParser.prototype as unknown as ChevrotainInternals;

/** A syntax error on its way out of the rules it interrupted, with the node of what the last one had read. */
interface Interrupted extends IRecognitionException {
  partial?: unknown;
}

/** The node the rule `e` last passed through had read; what that rule returns if it recovers. */
function partialOf<T>(e: unknown): T | undefined {
  return (e as Interrupted).partial as T | undefined;
}

/**
 * Whether `e` is a syntax error, on which the rule it interrupts puts what it had read before
 * rethrowing it; anything else (a stack overflow) goes on untouched, without building more. The
 * rules test this where they catch, rather than hand over a function that makes the partial node:
 * such a function would make each call of the rule allocate the variables it refers to.
 */
function isSyntaxError(e: unknown): e is Interrupted {
  return e instanceof Error && isRecognitionException(e);
}

/** A rule that recovers from an error returns what it had read (put on the error as it left the rule). */
const RECOVERED = { recoveryValueFunc: <T>(e: IRecognitionException) => (e as Interrupted).partial as T };

/** A bracket as read: its terms, and its closer (missing, or invented, if reading it failed). */
interface BracketRead {
  readonly open: IToken;
  terms: Term[] | undefined;
  close: IToken | undefined;
  /** Where reading stopped: the bracket's end when its closer is missing. */
  end: number;
}

/** A selection `.name` as read: its name is missing if the selection was interrupted. */
interface FieldRead {
  readonly field: IToken | undefined;
}

/** What a formula starts with: an inline definition, a reference, a literal or a bracket. */
type Primary = Formula | FuncDef | BracketRead;

function isBracket(read: Primary | FieldRead): read is BracketRead {
  return "open" in read;
}

/**
 * Chevrotain's LL(k) lookahead, but for an alternation with gates it makes no array of the gates
 * at each choice, as Chevrotain's does: it takes each gate from the alternative it tests. The
 * primary of every formula is chosen among gated alternatives.
 */
class GatedLookahead extends LLkLookaheadStrategy {
  override buildLookaheadForAlternation(
    options: Parameters<ILookaheadStrategy["buildLookaheadForAlternation"]>[0],
  ): (this: KoParser, orAlts?: IOrAlt<unknown>[]) => number | undefined {
    if (!options.hasPredicates) return super.buildLookaheadForAlternation(options);
    const { prodOccurrence: occurrence, rule, maxLookahead } = options;
    const paths = getLookaheadPaths({ occurrence, rule, prodType: "Alternation", maxLookahead });
    return function (orAlts) {
      for (let alt = 0; alt < paths.length; alt++) {
        const gate = orAlts![alt]!.GATE;
        if ((gate === undefined || gate.call(this)) && this.startsAnyPath(paths[alt]!)) return alt;
      }
      return undefined;
    };
  }
}

// Options of DSL calls made for each of many nodes, made once.
const STEPS = { ARGS: ["steps"] as [ListKind] };
const TERMS = { ARGS: ["terms"] as [ListKind] };
const LABEL_LABEL = { LABEL: "label" };

export class KoParser extends EmbeddedActionsParser {
  /** Errors recorded in the current parse (Chevrotain's `errors` getter copies its list). */
  private errorCount = 0;
  /** The builder of the file being parsed; undefined while Chevrotain records the grammar. */
  private ast: AstBuilder | undefined;
  /**
   * The terms of the lists being parsed, innermost last: a list takes its own from the top at its
   * end, as an array of its exact size (one grown by push keeps room for seventeen).
   */
  private readonly pendingTerms: Term[] = [];
  /** The parameters of the definition being parsed (a parameter list holds no other). */
  private readonly pendingParams: Param[] = [];
  /** The names after the first of the reference being parsed (a reference holds no other). */
  private readonly namesAfterDots: IToken[] = [];
  /**
   * What bounds the depth of the formulas of the top-level item being parsed (see depth.ts): the
   * nesting of its lists, and the number of its postfixes. A formula is no deeper than the lists
   * it is in and the postfixes it is applied to.
   */
  private openLists = 0;
  private deepestList = 0;
  private postfixes = 0;
  /** What the list being read holds, and whether it has read an item since its last separator (see listItem). */
  private listKind: ListKind = "terms";
  private listAwaitsSeparator = false;
  /** The chain of the innermost formula being parsed (see chainPostfix). */
  private chain: Chain | undefined;
  /** endOfRead, for the chains of all formulas. */
  private readonly readEnd = () => this.endOfRead();

  /**
   * `validate` runs Chevrotain's grammar validations (ambiguities, left recursion). They cost
   * tens of milliseconds at every start of `ko`, so only the test suite asks for them.
   */
  constructor(validate = false) {
    super(allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      lookaheadStrategy: new GatedLookahead({ maxLookahead: 3 }),
      errorMessageProvider: messages,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  /**
   * Parses the whole input as a sequence of `file` parts, handing each top-level item to `ast`.
   * When `file` stops early it has reported the token it stopped at; the tokens up to the next
   * top-level definition or import are skipped, so one stray run gives one error and the
   * definitions after it are still parsed.
   */
  parseAll(ast: AstBuilder): void {
    this.errorCount = 0;
    this.ast = ast;
    try {
      for (;;) {
        this.file();
        if (this.LA(1).tokenType === EOF) return;
        this.skipToNextItem();
      }
    } finally {
      this.ast = undefined;
      this.pendingTerms.length = 0;
      this.openLists = this.deepestList = this.postfixes = 0;
    }
  }

  /**
   * Chevrotain records every error through this method. Past MAX_DIAGNOSTICS errors the rest of
   * the input is given up: after each error, recovery scans ahead for a place to resume, which
   * takes quadratic time on garbage input, and further errors would not be shown anyway.
   * Definitions parsed so far are kept.
   */
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    const saved = internals.SAVE_ERROR.call(this, error);
    if (++this.errorCount > MAX_DIAGNOSTICS) internals.moveToTerminatedState.call(this);
    return saved;
  }

  private skipToNextItem(): void {
    let depth = 0;
    for (;;) {
      const skipped = this.LA(1);
      if (OPENERS.has(skipped.tokenType)) depth++;
      else if (CLOSERS.has(skipped.tokenType)) depth--;
      this.SKIP_TOKEN();
      if (this.LA(1).tokenType === EOF || this.LA(1) === skipped) return;
      if (depth === 0 && (this.startsImport() || this.startsFuncDef())) return;
    }
  }

  /** `import` or `use`, then a path (or a name in its place, see importDecl). */
  private startsImport(): boolean {
    const word = this.LA(1);
    const path = this.LA(2);
    return (
      word.tokenType === Ident &&
      (word.image === "import" || word.image === "use") &&
      (tokenMatcher(path, StringLit) || path.tokenType === Ident)
    );
  }

  private startsFuncDef(): boolean {
    return this.LA(1).tokenType === Ident && this.LA(2).tokenType === LParen;
  }

  /** Whether the next tokens are those of one of `paths` (the lookahead paths of an alternative). */
  startsAnyPath(paths: readonly (readonly TokenType[])[]): boolean {
    for (const path of paths) {
      let i = 0;
      while (i < path.length && tokenMatcher(this.LA(i + 1), path[i]!)) i++;
      if (i === path.length) return true;
    }
    return false;
  }

  /**
   * MANY(`iteration`) where it ends its rule, skipped when the next token cannot start an
   * iteration (`mayIterate` false): such a MANY then does nothing, not even recovery (no token
   * of its rule follows it to resynchronise on), but Chevrotain's MANY costs a lookahead and the
   * bookkeeping of its recovery, and most formulas and references have no postfix or dot. While
   * Chevrotain records the grammar, the MANY is always run, to be recorded.
   */
  private manyEndingRule(iteration: () => void, mayIterate: boolean): void {
    if (mayIterate || this.RECORDING_PHASE) this.MANY(iteration);
  }

  /** Where the rule being parsed stopped reading: just after the last token it took. */
  private endOfRead(): number {
    const last = this.LA(0);
    return last.startOffset + last.image.length;
  }

  /**
   * File = { LINE | Import | FuncDef }: top-level items need no separator (D12). The rule stops
   * at a token no item starts with; parseAll then resumes at the next item. The gate makes it
   * stop there cleanly: an error raised in this rule itself would make Chevrotain's recovery
   * skip the whole rest of the file.
   */
  readonly file = this.RULE("file", () => {
    try {
      this.MANY(this.fileItem);
    } catch (e) {
      if (isSyntaxError(e)) this.endItem(partialOf(e));
      throw e;
    }
  });

  private readonly fileItem = {
    GATE: () => this.LA(1).tokenType === Line || this.startsImport() || this.startsFuncDef(),
    DEF: () => {
      const item = this.OR(this.itemAlternatives);
      this.endItem(item);
    },
  };

  private endItem(item: ImportDecl | FuncDef | undefined): void {
    this.ast?.item(item, this.deepestList + this.postfixes > MAX_FORMULA_DEPTH);
    this.openLists = this.deepestList = this.postfixes = 0;
  }

  private readonly itemAlternatives: IOrAlt<ImportDecl | FuncDef | undefined>[] = [
    {
      ALT: () => {
        this.CONSUME(Line);
        return undefined;
      },
    },
    { GATE: () => this.startsImport(), ALT: () => this.SUBRULE(this.importDecl) },
    { ALT: () => this.SUBRULE(this.funcDef) },
  ];

  /**
   * `import "path" [as alias]` (or `use`). A name in place of the path (`import strings`) is
   * accepted here so that the builder can report that likely slip with its own message.
   */
  readonly importDecl = this.RULE(
    "importDecl",
    (): ImportDecl | undefined => {
      let keyword: IToken | undefined;
      let path: IToken | undefined;
      let badPath: IToken | undefined;
      let alias: IToken | undefined;
      const declared = () => keyword && this.ast?.importDecl(keyword, path, badPath, alias);
      try {
        keyword = this.CONSUME(Ident, { LABEL: "keyword" });
        this.OR([{ ALT: () => (path = this.CONSUME(StringLit)) }, { ALT: () => (badPath = this.CONSUME2(Ident, { LABEL: "badPath" })) }]);
        this.OPTION({
          GATE: () => this.LA(1).image === "as",
          DEF: () => {
            this.CONSUME3(Ident, { LABEL: "as" });
            alias = this.CONSUME4(Ident, { LABEL: "alias" });
          },
        });
      } catch (e) {
        if (isSyntaxError(e)) e.partial = declared();
        throw e;
      }
      return declared();
    },
    RECOVERED,
  );

  /** `Name(params) { body }`, at top level or inline in a formula. */
  readonly funcDef = this.RULE(
    "funcDef",
    (): FuncDef | undefined => {
      let name: IToken | undefined;
      let params: Param[] | undefined;
      let lineBeforeBody: IToken | undefined;
      let open: IToken | undefined;
      let steps: Term[] | undefined;
      let close: IToken | undefined;
      const defined = () => name && this.ast?.funcDef(name, params, lineBeforeBody, open, steps, close, this.endOfRead());
      try {
        name = this.CONSUME(Ident);
        this.CONSUME(LParen);
        params = this.SUBRULE(this.params);
        this.CONSUME(RParen);
        // Only a top-level definition can get here with a line break before its body (an inline one
        // is recognised by its `{` right after `)`); the builder reports it, once, at the `{`.
        this.MANY(() => {
          const line = this.CONSUME(Line, { LABEL: "lineBeforeBody" });
          lineBeforeBody ??= line;
        });
        open = this.CONSUME(LBrace);
        steps = this.SUBRULE(this.termList, STEPS);
        close = this.CONSUME(RBrace);
      } catch (e) {
        if (params === undefined) params = partialOf(e);
        else if (open !== undefined && steps === undefined) steps = partialOf(e);
        if (isSyntaxError(e)) e.partial = defined();
        throw e;
      }
      return defined();
    },
    RECOVERED,
  );

  /** Parameters among separators. A parameter cannot be interrupted, so neither can the list. */
  readonly params = this.RULE("params", (): Param[] => {
    const params = this.pendingParams;
    params.length = 0;
    let separated = false;
    let items = 0;
    let firstMonadic: IToken | undefined;
    this.MANY(() => {
      const next = this.LA(1);
      const isLine = next.tokenType === Line;
      if (!isLine && items > 0 && !separated) this.ast?.missingSeparator("parameters", next);
      const param = this.OR(this.paramAlternatives);
      if (isLine) {
        separated = true;
        return;
      }
      items++;
      separated = false;
      if (param === undefined) return;
      if (param.monadic) {
        const question = this.LA(0); // the param rule ends with its `?`
        if (firstMonadic !== undefined) this.ast?.secondMonadic(question, firstMonadic);
        firstMonadic ??= question;
      }
      params.push(param);
    });
    return params.slice();
  });

  private readonly paramAlternatives: IOrAlt<Param | undefined>[] = [
    {
      ALT: () => {
        this.CONSUME(Line);
        return undefined;
      },
    },
    { ALT: () => this.SUBRULE(this.param) },
  ];

  readonly param = this.RULE("param", (): Param | undefined => {
    const name = this.CONSUME(Ident);
    const question = this.OPTION(() => this.CONSUME(Question));
    return this.ast?.param(name, question);
  });

  /** The inside of a bracket or body: terms among separators. */
  readonly termList = this.RULE(
    "termList",
    (kind: ListKind = "terms"): Term[] => {
      const from = this.pendingTerms.length;
      const outerKind = this.listKind;
      const outerAwaitsSeparator = this.listAwaitsSeparator;
      this.listKind = kind;
      this.listAwaitsSeparator = false;
      this.deepestList = Math.max(this.deepestList, ++this.openLists);
      try {
        this.MANY(this.listItem);
      } catch (e) {
        const term = partialOf<Term>(e);
        if (term !== undefined) this.pendingTerms.push(term);
        if (isSyntaxError(e)) e.partial = this.endList(from, kind);
        throw e;
      } finally {
        this.openLists--;
        this.listKind = outerKind;
        this.listAwaitsSeparator = outerAwaitsSeparator;
      }
      return this.endList(from, kind);
    },
    RECOVERED,
  );

  /**
   * A term or a separator of the list being read. It is one function for all lists, not one made
   * for each, so it keeps the list's state in `listKind` and `listAwaitsSeparator`: any list inside
   * the term has put back the state it found there by the time the term is read.
   */
  private readonly listItem = () => {
    const next = this.LA(1);
    const isLine = next.tokenType === Line;
    if (!isLine && this.listAwaitsSeparator) this.ast?.missingSeparator(this.listKind, next);
    const term = this.OR(this.termListAlternatives);
    this.listAwaitsSeparator = !isLine;
    if (!isLine && term !== undefined) this.pendingTerms.push(term);
  };

  private readonly termListAlternatives: IOrAlt<Term | undefined>[] = [
    {
      ALT: () => {
        this.CONSUME(Line);
        return undefined;
      },
    },
    { ALT: () => this.SUBRULE(this.term) },
  ];

  /** The terms a list has read since `from`, taken off the pending ones. */
  private endList(from: number, kind: ListKind): Term[] {
    const terms = this.pendingTerms.slice(from);
    this.pendingTerms.length = from;
    if (kind === "terms") this.ast?.checkNotMixed(terms);
    return terms;
  }

  /**
   * `label: formula`, `: formula` (empty label, D11) or `formula`. The label is an OPTION, not
   * an alternative, to keep the rule shallow: see formula.
   */
  readonly term = this.RULE(
    "term",
    (): Term | undefined => {
      let label: IToken | undefined;
      try {
        label = this.OPTION(this.termLabel);
        const formula = this.SUBRULE(this.formula);
        return this.ast?.term(label, formula);
      } catch (e) {
        if (isSyntaxError(e)) e.partial = this.ast?.term(label, partialOf(e));
        throw e;
      }
    },
    RECOVERED,
  );

  /** The label's name, or the colon of an empty label. */
  private readonly termLabel = () => this.OR(this.labelAlternatives);

  private readonly labelAlternatives: IOrAlt<IToken>[] = [
    {
      ALT: () => {
        const label = this.CONSUME(Ident, LABEL_LABEL);
        this.CONSUME(Colon);
        return label;
      },
    },
    { ALT: () => this.CONSUME2(Colon) },
  ];

  /**
   * A primary, then its postfix chain; a LINE ends it, so postfixes stay on the same line.
   * Brackets are spelled out here instead of in sub-rules because each rule level costs stack:
   * brackets nest through termList -> term -> formula only, which bounds the recursion per
   * nesting level (see MAX_NESTING in limits.ts).
   */
  readonly formula = this.RULE(
    "formula",
    (): Formula | undefined => {
      const outer = this.chain;
      const chain = (this.chain = new Chain(this.ast, this.readEnd));
      let primaryRead = false;
      try {
        chain.start(this.OR(this.primaryAlternatives));
        primaryRead = true;
        this.manyEndingRule(this.chainPostfix, startsPostfix(this.LA(1).tokenType));
      } catch (e) {
        if (!primaryRead) chain.start(partialOf(e));
        else chain.apply(partialOf(e));
        if (isSyntaxError(e)) e.partial = chain.end();
        throw e;
      } finally {
        this.chain = outer;
      }
      return chain.end();
    },
    RECOVERED,
  );

  /**
   * A postfix of the formula being parsed. It is one function for all formulas, not one made for
   * each, so it finds its formula's chain in `chain`: any formula inside the postfix has put back
   * the chain it found there by the time the postfix is read.
   */
  private readonly chainPostfix = () => {
    const postfix = this.SUBRULE(this.postfix);
    if (this.chain!.apply(postfix)) this.postfixes++;
  };

  private readonly primaryAlternatives: IOrAlt<Primary | undefined>[] = [
    { GATE: () => opensParams(this.LA(2)), ALT: () => this.SUBRULE(this.funcDef) },
    { ALT: () => this.SUBRULE(this.ref) },
    { ALT: () => this.SUBRULE(this.literal) },
    { ALT: () => this.bracket(0, LParen, RParen) },
    { ALT: () => this.bracket(2, LBracket, RBracket) },
    { ALT: () => this.bracket(3, LBrace, RBrace) },
  ];

  /**
   * `open termList close`; `termList` is the occurrence of the termList sub-rule in the rule
   * this is part of (formula or postfix, each with three brackets).
   */
  private bracket(termList: number, open: TokenType, close: TokenType): BracketRead {
    const read: BracketRead = { open: this.CONSUME(open), terms: undefined, close: undefined, end: NaN };
    try {
      read.terms = this.subrule(termList, this.termList, TERMS);
      read.close = this.CONSUME(close);
    } catch (e) {
      read.terms ??= partialOf(e);
      if (isSyntaxError(e)) e.partial = read;
      throw e;
    } finally {
      read.end = this.endOfRead();
    }
    return read;
  }

  /** `a` or `a.b.c`: the dots right after a name belong to the reference. */
  readonly ref = this.RULE(
    "ref",
    (): Formula | undefined => {
      let first: IToken | undefined;
      // Emptied only when it holds names: emptying an array drops its storage, and most
      // references have no dot.
      if (this.namesAfterDots.length > 0) this.namesAfterDots.length = 0;
      try {
        first = this.CONSUME(Ident);
        this.manyEndingRule(this.refSegment, this.LA(1).tokenType === Dot);
      } catch (e) {
        if (isSyntaxError(e)) e.partial = this.ast?.ref(first, this.namesAfterDots);
        throw e;
      }
      return this.ast?.ref(first, this.namesAfterDots);
    },
    RECOVERED,
  );

  private readonly refSegment = () => {
    this.CONSUME(Dot);
    this.namesAfterDots.push(this.CONSUME2(Ident));
  };

  readonly literal = this.RULE("literal", (): Formula | undefined => this.OR(this.literalAlternatives));

  private readonly literalAlternatives: IOrAlt<Formula | undefined>[] = [
    {
      ALT: () => {
        const minus = this.OPTION(this.minusSign);
        const num = this.CONSUME(NumberLit);
        return this.ast?.number(minus, num);
      },
    },
    {
      ALT: () => {
        const str = this.CONSUME(StringLit);
        return this.ast?.string(str);
      },
    },
  ];

  private readonly minusSign = () => this.CONSUME(Minus);

  /** Invoke `(...)`, augment `[...]`, select `.name`, or `{...}` (which the builder rejects). */
  readonly postfix = this.RULE("postfix", (): BracketRead | FieldRead | undefined => this.OR(this.postfixAlternatives), RECOVERED);

  private readonly postfixAlternatives: IOrAlt<BracketRead | FieldRead>[] = [
    { ALT: () => this.bracket(0, LParen, RParen) },
    { ALT: () => this.bracket(2, LBracket, RBracket) },
    { ALT: () => this.bracket(3, LBrace, RBrace) },
    {
      ALT: () => {
        this.CONSUME(Dot);
        try {
          return { field: this.CONSUME(Ident) };
        } catch (e) {
          if (isSyntaxError(e)) e.partial = { field: undefined } satisfies FieldRead;
          throw e;
        }
      },
    },
  ];
}

/** The tokens a postfix can start with: the first set of the postfix rule (a test holds it to the grammar). */
export const POSTFIX_STARTS: readonly TokenType[] = [LParen, LBracket, LBrace, Dot];

/** Whether a token of type `t` can start a postfix. */
function startsPostfix(t: TokenType): boolean {
  return POSTFIX_STARTS.includes(t);
}

/** The fields of a formula without selections (shared: a formula with none keeps no array). */
const NO_FIELDS: readonly Name[] = [];

/**
 * A formula as the formula rule reads it: its primary, then each postfix applied to what came
 * before. Where the rule stops reading is `endOfRead`.
 */
class Chain {
  private formula: Formula | undefined;
  /** A run of selections is one Select node: its names wait here for the run to end. */
  private fields: Name[] | undefined;
  /**
   * A bracket primary without its closer ends where the whole formula does: it waits here, with
   * the postfixes after it, for the end.
   */
  private unclosed: { readonly primary: BracketRead; readonly postfixes: (BracketRead | FieldRead)[] } | undefined;
  /** The builder's diagnostics before this formula's. */
  private readonly mark: number;

  constructor(
    private readonly ast: AstBuilder | undefined,
    private readonly endOfRead: () => number,
  ) {
    this.mark = ast?.diagnostics.length ?? 0;
  }

  start(primary: Primary | undefined): void {
    if (primary === undefined || this.ast === undefined) return;
    if (!isBracket(primary)) this.formula = primary.kind === "func" ? this.ast.inline(primary) : primary;
    else if (real(primary.close)) this.formula = this.ast.bracket(undefined, primary.open, primary.terms, primary.close, primary.end);
    else this.unclosed = { primary, postfixes: [] };
  }

  /** Applies a postfix; false when there is nothing to apply it to. */
  apply(postfix: BracketRead | FieldRead | undefined): boolean {
    if (postfix === undefined || this.ast === undefined) return false;
    if (this.unclosed !== undefined) {
      this.unclosed.postfixes.push(postfix);
      return true;
    }
    if (this.formula === undefined) return false;
    if (!isBracket(postfix)) {
      const field = this.ast.field(postfix.field);
      if (field !== undefined) (this.fields ??= []).push(field);
      return true;
    }
    this.formula =
      this.ast.bracket(this.ast.select(this.formula, this.endRun()), postfix.open, postfix.terms, postfix.close, postfix.end) ??
      this.formula;
    return true;
  }

  /**
   * The formula. When it has no primary, it is dropped with the diagnostics of its parts: what is
   * not in the AST is not reported on.
   */
  end(): Formula | undefined {
    if (this.unclosed !== undefined) {
      const { primary, postfixes } = this.unclosed;
      this.unclosed = undefined;
      this.formula = this.ast?.bracket(undefined, primary.open, primary.terms, primary.close, this.endOfRead());
      for (const p of postfixes) this.apply(p);
    }
    if (this.formula === undefined) {
      this.ast?.dropDiagnosticsSince(this.mark);
      return undefined;
    }
    return this.ast?.select(this.formula, this.endRun());
  }

  private endRun(): readonly Name[] {
    const fields = this.fields ?? NO_FIELDS;
    this.fields = undefined;
    return fields;
  }
}

// ---------------------------------------------------------------------------------------------
// Error messages: one short sentence, "expected X but found Y", never Chevrotain's path lists.

/** What each rule stands for, when no alternative of it fits the input. */
const RULE_MEANS: Record<string, string> = {
  file: "a function definition or import",
  importDecl: "an import",
  funcDef: "a function definition",
  term: "a term",
  formula: "a formula",
  literal: "a literal",
  postfix: "'(', '[' or '.'",
};

/** How a token found in the input is named in a message. */
function describeToken(t: IToken): string {
  if (t.tokenType === EOF) return "end of file";
  if (t.image === "") return labelOf(t.tokenType);
  if (t.tokenType === Line && t.image === "\n") return "end of line";
  const image = t.image.length > 24 ? `${t.image.slice(0, 20)}...` : t.image;
  return `'${image.replace(/\r?\n/g, "\\n")}'`;
}

function labelOf(type: TokenType): string {
  return type.LABEL ?? type.name;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    const found = describeToken(actual);
    if (expected === NumberLit && previous?.tokenType === Minus) {
      const hint = actual.tokenType === Ident ? `; to negate a value write Negative(${actual.image})` : "";
      return `expected a number after '-' but found ${found}${hint}`;
    }
    if (expected === EOF) {
      return `expected a function definition or import but found ${found}`;
    }
    if (expected === LBrace && ruleName === "funcDef") {
      return `expected '{' to start the function body but found ${found}`;
    }
    return `expected ${labelOf(expected)} but found ${found}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected a function definition or import but found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    const found = actual[0] ? describeToken(actual[0]) : "end of file";
    return `expected ${RULE_MEANS[ruleName] ?? "something else"} but found ${found}`;
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    const found = actual[0] ? describeToken(actual[0]) : "end of file";
    return `expected ${RULE_MEANS[ruleName] ?? "something else"} but found ${found}`;
  },
};

// ---------------------------------------------------------------------------------------------

/** The one parser instance: building it (grammar analysis) costs far more than a parse. */
export const koParser: () => KoParser = once(() => new KoParser());

/**
 * Parses a balanced token stream (see brackets.ts), handing each top-level import and definition,
 * in source order, to `ast`. Returns the syntax errors.
 */
export function parseTokens(tokens: IToken[], ast: AstBuilder): readonly IRecognitionException[] {
  const parser = koParser();
  parser.input = tokens;
  try {
    parser.parseAll(ast);
    return parser.errors;
  } finally {
    parser.input = []; // do not keep the tokens alive
  }
}
