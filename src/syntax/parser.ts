/**
 * The Ko grammar (reference 2.1) as a Chevrotain CST parser. It has no semantic actions: to-ast.ts
 * turns the concrete syntax tree into the AST and does every check that needs more than one
 * token of context (separators, label mixing, literal ranges).
 *
 * The tree of a whole file is never built: each top-level import and definition is handed to the
 * caller as soon as it is parsed, and is not attached to the file's node, so its concrete syntax
 * tree can go as soon as its AST is built. A file's tree is tens of times the size of its AST;
 * held whole, it filled the heap while the file was parsed and the collector spent as long as the
 * parser moving it.
 *
 * Two choices keep the grammar LL(2) and friendly to error recovery:
 * - Lists are `(LINE | item)*`. That two items are separated is checked by the builder, which
 *   can then say exactly what is missing instead of the parser failing somewhere after.
 * - An inline definition `G(a) { ... }` and a call `G(a)` start alike. The bracket pass has
 *   already marked each `(` whose `)` is followed by `{`, so a gate decides in O(1).
 */
import {
  CstParser,
  EOF,
  tokenMatcher,
  type CstNode,
  type IParserErrorMessageProvider,
  type IRecognitionException,
  type IToken,
  type TokenType,
} from "chevrotain";
import { MAX_DIAGNOSTICS } from "./limits.js";
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
  cstPostNonTerminal(ruleCstResult: CstNode, ruleName: string): void;
  /** The nodes of the rules being parsed, innermost last. */
  readonly CST_STACK: CstNode[];
}

/** Receives each top-level item (an `importDecl` or `funcDef` node) as soon as it is parsed. */
export type ItemSink = (item: CstNode) => void;

const NO_SINK: ItemSink = () => {};

const internals = CstParser.prototype as unknown as ChevrotainInternals;

export class KoParser extends CstParser {
  /** Errors recorded in the current parse (Chevrotain's `errors` getter copies its list). */
  private errorCount = 0;
  /** Where the current parse sends top-level items. */
  private sink: ItemSink = NO_SINK;

  /**
   * `validate` runs Chevrotain's grammar validations (ambiguities, left recursion). They cost
   * tens of milliseconds at every start of `ko`, so only the test suite asks for them.
   */
  constructor(validate = false) {
    super(allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: messages,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  /**
   * File = { LINE | Import | FuncDef }: top-level items need no separator (D12). The rule stops
   * at a token no item starts with; parseAll then resumes at the next item. The gate makes it
   * stop there cleanly: an error raised in this rule itself would make Chevrotain's recovery
   * skip the whole rest of the file.
   */
  readonly file = this.RULE("file", () => {
    this.MANY({
      GATE: () => this.LA(1).tokenType === Line || this.startsImport() || this.startsFuncDef(),
      DEF: () => {
        this.OR([
          { ALT: () => this.CONSUME(Line) },
          { GATE: () => this.startsImport(), ALT: () => this.SUBRULE(this.importDecl) },
          { ALT: () => this.SUBRULE(this.funcDef) },
        ]);
      },
    });
  });

  /**
   * Parses the whole input as a sequence of `file` parts, handing each top-level item to `sink`.
   * When `file` stops early it has reported the token it stopped at; the tokens up to the next
   * top-level definition or import are skipped, so one stray run gives one error and the
   * definitions after it are still parsed.
   */
  parseAll(sink: ItemSink): void {
    this.errorCount = 0;
    this.sink = sink;
    try {
      for (;;) {
        this.file();
        if (this.LA(1).tokenType === EOF) return;
        this.skipToNextItem();
      }
    } finally {
      this.sink = NO_SINK;
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

  /**
   * Chevrotain attaches each parsed rule's node to its parent's here. A top-level item goes to
   * the sink instead (the `file` node is the only one on the stack then); a partial one, which
   * recovery returns after an error, too, as the tree builder would have attached it.
   */
  cstPostNonTerminal(ruleCstResult: CstNode, ruleName: string): void {
    if (this.stack().length === 1 && (ruleName === "funcDef" || ruleName === "importDecl")) this.sink(ruleCstResult);
    else internals.cstPostNonTerminal.call(this, ruleCstResult, ruleName);
  }

  private stack(): CstNode[] {
    return (this as unknown as ChevrotainInternals).CST_STACK;
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

  /**
   * `import "path" [as alias]` (or `use`). A name in place of the path (`import strings`) is
   * accepted here so that the builder can report that likely slip with its own message.
   */
  readonly importDecl = this.RULE("importDecl", () => {
    this.CONSUME(Ident, { LABEL: "keyword" });
    this.OR([{ ALT: () => this.CONSUME(StringLit) }, { ALT: () => this.CONSUME2(Ident, { LABEL: "badPath" }) }]);
    this.OPTION({
      GATE: () => this.LA(1).image === "as",
      DEF: () => {
        this.CONSUME3(Ident, { LABEL: "as" });
        this.CONSUME4(Ident, { LABEL: "alias" });
      },
    });
  });

  /** `Name(params) { body }`, at top level or inline in a formula. */
  readonly funcDef = this.RULE("funcDef", () => {
    this.CONSUME(Ident);
    this.CONSUME(LParen);
    this.SUBRULE(this.params);
    this.CONSUME(RParen);
    // Only a top-level definition can get here with a line break before its body (an inline one
    // is recognised by its `{` right after `)`); the builder reports it, once, at the `{`.
    this.MANY(() => this.CONSUME(Line, { LABEL: "lineBeforeBody" }));
    this.CONSUME(LBrace);
    this.SUBRULE(this.termList);
    this.CONSUME(RBrace);
  });

  readonly params = this.RULE("params", () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(Line) }, { ALT: () => this.SUBRULE(this.param) }]);
    });
  });

  readonly param = this.RULE("param", () => {
    this.CONSUME(Ident);
    this.OPTION(() => this.CONSUME(Question));
  });

  /** The inside of a bracket or body: terms among separators. */
  readonly termList = this.RULE("termList", () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(Line) }, { ALT: () => this.SUBRULE(this.term) }]);
    });
  });

  /**
   * `label: formula`, `: formula` (empty label, D11) or `formula`. The label is an OPTION, not
   * an alternative, to keep the rule shallow: see formula.
   */
  readonly term = this.RULE("term", () => {
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(Ident, { LABEL: "label" });
            this.CONSUME(Colon);
          },
        },
        { ALT: () => this.CONSUME2(Colon) },
      ]);
    });
    this.SUBRULE(this.formula);
  });

  /**
   * A primary, then its postfix chain; a LINE ends it, so postfixes stay on the same line.
   * Brackets are spelled out here instead of in sub-rules because each rule level costs stack:
   * brackets nest through termList -> term -> formula only, which bounds the recursion per
   * nesting level (see MAX_NESTING in limits.ts).
   */
  readonly formula = this.RULE("formula", () => {
    this.OR([
      { GATE: () => opensParams(this.LA(2)), ALT: () => this.SUBRULE(this.funcDef) },
      { ALT: () => this.SUBRULE(this.ref) },
      { ALT: () => this.SUBRULE(this.literal) },
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.SUBRULE(this.termList);
          this.CONSUME(RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.SUBRULE2(this.termList);
          this.CONSUME(RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBrace);
          this.SUBRULE3(this.termList);
          this.CONSUME(RBrace);
        },
      },
    ]);
    this.MANY(() => this.SUBRULE(this.postfix));
  });

  /** `a` or `a.b.c`: the dots right after a name belong to the reference. */
  readonly ref = this.RULE("ref", () => {
    this.CONSUME(Ident);
    this.MANY(() => {
      this.CONSUME(Dot);
      this.CONSUME2(Ident);
    });
  });

  readonly literal = this.RULE("literal", () => {
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(Minus));
          this.CONSUME(NumberLit);
        },
      },
      { ALT: () => this.CONSUME(StringLit) },
    ]);
  });

  /** Invoke `(...)`, augment `[...]`, select `.name`, or `{...}` (which the builder rejects). */
  readonly postfix = this.RULE("postfix", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.SUBRULE(this.termList);
          this.CONSUME(RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBracket);
          this.SUBRULE2(this.termList);
          this.CONSUME(RBracket);
        },
      },
      {
        ALT: () => {
          this.CONSUME(LBrace);
          this.SUBRULE3(this.termList);
          this.CONSUME(RBrace);
        },
      },
      {
        ALT: () => {
          this.CONSUME(Dot);
          this.CONSUME(Ident);
        },
      },
    ]);
  });
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

export interface CstResult {
  readonly errors: readonly IRecognitionException[];
}

/**
 * Parses a balanced token stream (see brackets.ts), handing each top-level import and definition,
 * in source order, to `sink` as soon as it is parsed.
 */
export function parseTokens(tokens: IToken[], sink: ItemSink): CstResult {
  const parser = koParser();
  parser.input = tokens;
  try {
    parser.parseAll(sink);
    return { errors: parser.errors };
  } finally {
    parser.input = []; // do not keep the tokens alive
  }
}
