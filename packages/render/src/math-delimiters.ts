/**
 * LaTeX's own math delimiters, `\(…\)` (inline) and `\[…\]` (display), as a micromark extension that
 * makes the same tokens as `micromark-extension-math` (`mathText`, `mathFlow`), so `mdast-util-math`
 * (through remark-math) builds the same `inlineMath`/`math` nodes as for `$…$`/`$$…$$`.
 *
 * Why not `micromark-extension-llm-math`, the published fork that reads these delimiters: it reads `\[…\]`
 * inside a paragraph as math too and accepts an empty `\(\)`, so CommonMark's own escapes
 * (`\(\)…\[\\\]`, spec example 12) and an escaped reference like `\[1\]` would turn into formulas.
 * Here:
 * - `\(` opens inline math only with something other than spaces before the `\)`, on the lines of one
 *   paragraph; `\\(` is an escaped backslash followed by `(` and stays text.
 * - `\[` opens display math only at the start of a block (a line of its own, in a list item or quote
 *   too), and only when a line ending in `\]` closes it before a blank line or the end; otherwise the
 *   line is an ordinary paragraph with its escapes.
 * - Inside, every character is kept as written (`\\`, `\_`, `\{` are TeX's, not Markdown escapes).
 */
import { factorySpace } from 'micromark-factory-space';
import type { Processor } from 'unified';
import { markdownLineEnding, markdownSpace } from 'micromark-util-character';
import type {
  Code,
  Construct,
  Effects,
  Extension,
  State,
  Token,
  TokenizeContext,
} from 'micromark-util-types';

declare module 'micromark-util-types' {
  // The token types of micromark-extension-math, which mdast-util-math turns into math nodes.
  interface TokenTypeMap {
    mathFlow: 'mathFlow';
    mathFlowFence: 'mathFlowFence';
    mathFlowFenceSequence: 'mathFlowFenceSequence';
    mathFlowValue: 'mathFlowValue';
    mathText: 'mathText';
    mathTextData: 'mathTextData';
    mathTextSequence: 'mathTextSequence';
  }
}

const BACKSLASH = 92;
const LEFT_PAREN = 40;
const RIGHT_PAREN = 41;
const LEFT_BRACKET = 91;
const RIGHT_BRACKET = 93;

const texInline: Construct = {
  name: 'mathTexText',
  tokenize: tokenizeTexInline,
  previous(this: TokenizeContext, code: Code) {
    // A backslash before ours was an escape only when micromark made it one (`\\\(x\)`).
    const tail = this.events[this.events.length - 1];
    return code !== BACKSLASH || tail?.[1].type === 'characterEscape';
  },
};

function tokenizeTexInline(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  let content = false;
  let token: Token;
  const start: State = (code) => {
    effects.enter('mathText');
    effects.enter('mathTextSequence');
    effects.consume(code);
    return open;
  };
  const open: State = (code) => {
    if (code !== LEFT_PAREN) return nok(code);
    effects.consume(code);
    effects.exit('mathTextSequence');
    return between;
  };
  const between: State = (code) => {
    if (code === null) return nok(code);
    if (code === BACKSLASH) {
      token = effects.enter('mathTextSequence');
      effects.consume(code);
      return afterBackslash;
    }
    effects.enter('mathTextData');
    return data(code);
  };
  const data: State = (code) => {
    if (code === null || code === BACKSLASH) {
      effects.exit('mathTextData');
      return between(code);
    }
    if (!markdownSpace(code) && !markdownLineEnding(code)) content = true;
    effects.consume(code);
    return data;
  };
  const afterBackslash: State = (code) => {
    if (code === RIGHT_PAREN) {
      if (!content) return nok(code);
      effects.consume(code);
      effects.exit('mathTextSequence');
      effects.exit('mathText');
      return ok;
    }
    // `\\`, `\,`, `\frac`: TeX, kept as data.
    token.type = 'mathTextData';
    content = true;
    if (code === null || markdownLineEnding(code)) {
      effects.exit('mathTextData');
      return between(code);
    }
    effects.consume(code);
    effects.exit('mathTextData');
    return between;
  };
  return start;
}

const nonLazyLine: Construct = { partial: true, tokenize: tokenizeNonLazyLine };

function tokenizeNonLazyLine(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  return (code) => {
    effects.enter('lineEnding');
    effects.consume(code);
    effects.exit('lineEnding');
    return (next: Code) => (this.parser.lazy[this.now().line] ? nok(next) : ok(next));
  };
}

const texDisplay: Construct = { name: 'mathTexFlow', tokenize: tokenizeTexDisplay, concrete: true };

function tokenizeTexDisplay(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  const tail = this.events[this.events.length - 1];
  const indent = tail && tail[1].type === 'linePrefix' ? tail[2].sliceSerialize(tail[1], true).length : 0;
  let lineHasContent = false;
  let inValue = false;

  const enterValue = () => {
    if (!inValue) effects.enter('mathFlowValue');
    inValue = true;
  };
  const exitValue = () => {
    if (inValue) effects.exit('mathFlowValue');
    inValue = false;
  };

  const start: State = (code) => {
    if (this.interrupt) return nok(code);
    effects.enter('mathFlow');
    effects.enter('mathFlowFence');
    effects.enter('mathFlowFenceSequence');
    effects.consume(code);
    return open;
  };
  const open: State = (code) => {
    if (code !== LEFT_BRACKET) return nok(code);
    effects.consume(code);
    effects.exit('mathFlowFenceSequence');
    effects.exit('mathFlowFence');
    lineHasContent = true;
    return chunk;
  };
  const chunk: State = (code) => {
    if (code === null) return nok(code);
    if (markdownLineEnding(code)) {
      exitValue();
      if (!lineHasContent) return nok(code);
      return effects.attempt(nonLazyLine, lineStart, nok)(code);
    }
    if (code === BACKSLASH) {
      exitValue();
      return effects.attempt(closing, after, backslashData)(code);
    }
    if (!markdownSpace(code)) lineHasContent = true;
    enterValue();
    effects.consume(code);
    return chunk;
  };
  const backslashData: State = (code) => {
    lineHasContent = true;
    enterValue();
    effects.consume(code);
    return (next: Code) => {
      if (next === null || markdownLineEnding(next)) return chunk(next);
      effects.consume(next);
      return chunk;
    };
  };
  const lineStart: State = (code) => {
    lineHasContent = false;
    return indent ? factorySpace(effects, chunk, 'linePrefix', indent + 1)(code) : chunk(code);
  };
  const after: State = (code) => {
    effects.exit('mathFlow');
    return ok(code);
  };

  const closing: Construct = {
    partial: true,
    tokenize(effects2, ok2, nok2) {
      const sequence: State = (code) => {
        effects2.enter('mathFlowFence');
        effects2.enter('mathFlowFenceSequence');
        effects2.consume(code);
        return bracket;
      };
      const bracket: State = (code) => {
        if (code !== RIGHT_BRACKET) return nok2(code);
        effects2.consume(code);
        effects2.exit('mathFlowFenceSequence');
        return factorySpace(effects2, end, 'whitespace');
      };
      const end: State = (code) => {
        if (code !== null && !markdownLineEnding(code)) return nok2(code);
        effects2.exit('mathFlowFence');
        return ok2(code);
      };
      return sequence;
    },
  };
  return start;
}

/**
 * The micromark syntax extension for `\(…\)` and `\[…\]` (rules above). Use it through
 * {@link remarkMathDelimiters}; alone it needs `mdast-util-math`'s `mathFromMarkdown()`.
 */
export function mathDelimiters(): Extension {
  return { flow: { [BACKSLASH]: texDisplay }, text: { [BACKSLASH]: texInline } };
}

/**
 * Remark plugin: adds `\(…\)` and `\[…\]` to the parser, next to remark-math's `$`/`$$` (use remark-math
 * too: it brings the mdast conversion both share). No options.
 */
export function remarkMathDelimiters(this: Processor): void {
  const data = this.data();
  if (!data.micromarkExtensions) data.micromarkExtensions = [];
  data.micromarkExtensions.push(mathDelimiters());
}
