/**
 * Pandoc's `tex_math_dollars` rule on text: where `$…$` and `$$…$$` spans
 * start and end, and the text MathJax reads for each. What Markdown makes of
 * the text around them (code, HTML, links, paragraphs) comes in as a
 * {@link Layout}; math.ts finds it with remark, the fast path (plain.ts) for
 * lines that cannot hold any of it.
 */

/** One math span of a Markdown string. */
export interface MathSpan {
  /** The TeX between the delimiters, exactly as written (display math without surrounding white space). */
  value: string
  /** `$$…$$` rather than `$…$`. */
  display: boolean
  /** Offset of the opening `$` in the Markdown. */
  start: number
  /** Offset just after the closing `$`. */
  end: number
}


/** Where a `$` is never math, and the paragraphs multi-line math must stay inside. */
export interface Layout {
  /** Offset ranges `[from, to)` of code, raw HTML, images, definitions and link destinations, sorted. */
  inert: Array<[number, number]>
  /** Offset ranges of paragraphs. */
  paragraphs: Array<[number, number]>
}

/** Whether a character is white space in Pandoc's sense (space, tab, line ending, or Unicode space). */
const isSpace = (char: string | undefined): boolean => char !== undefined && /\s/u.test(char)
const isDigit = (char: string | undefined): boolean => char !== undefined && char >= '0' && char <= '9'
const asciiPunctuation = /[!-/:-@[-`{-~]/

/**
 * Find the math spans of a Markdown string by Pandoc's rule: an opening `$`
 * has a non-space character right after it, a closing `$` a non-space
 * character right before it and no digit right after it (`costs $5 and $10`
 * is text); `$$…$$` may have white space inside its delimiters. Math spans one
 * line, or lines of one paragraph, never a blank line. A `$` escaped with
 * `\`, or inside code (spans, fences, indented), raw HTML, an image, a link
 * destination or an autolink is never math; an unclosed `$` is text.
 *
 * @param markdown
 *   Markdown of one question line or answer.
 * @param layout
 *   Where Markdown puts code, HTML, links and paragraphs in it (from a parse,
 *   or known without one for a line that can hold none of them).
 * @returns
 *   The spans in order, not overlapping.
 */
export function scanMath(markdown: string, layout: Layout): MathSpan[] {
  const {inert, paragraphs} = layout
  const spans: MathSpan[] = []
  let index = 0
  let inertIndex = 0

  while (index < markdown.length) {
    while (inertIndex < inert.length && (inert[inertIndex]?.[1] ?? 0) <= index) inertIndex++
    const range = inert[inertIndex]
    if (range && range[0] <= index) {
      index = range[1]
      continue
    }
    const char = markdown[index]
    if (char === '\\') {
      index += asciiPunctuation.test(markdown[index + 1] ?? '') ? 2 : 1
      continue
    }
    if (char !== '$') {
      index++
      continue
    }
    const span = markdown[index + 1] === '$' ? display(markdown, index) : inline(markdown, index)
    if (span && allowed(span, inert, paragraphs, markdown)) {
      spans.push(span)
      index = span.end
    } else {
      // An unclosed or refused `$$` is two literal dollars, not an inline `$` and a `$…`.
      index += markdown[index + 1] === '$' ? 2 : 1
    }
  }

  return spans
}

/** `$…$` at `start`, or `undefined` when the `$` opens nothing. */
function inline(markdown: string, start: number): MathSpan | undefined {
  if (isSpace(markdown[start + 1]) || start + 1 >= markdown.length) return undefined
  let index = start + 1
  while (index < markdown.length) {
    const char = markdown[index]
    if (char === '\\') {
      index = skipEscape(markdown, index)
      continue
    }
    if (char === '\n' && blankLineAfter(markdown, index)) return undefined
    if (char === '$') {
      // Pandoc stops at the first `$`: a space before it or a digit after it means no math at all.
      if (isSpace(markdown[index - 1]) || isDigit(markdown[index + 1])) return undefined
      return {value: markdown.slice(start + 1, index), display: false, start, end: index + 1}
    }
    index++
  }
  return undefined
}

/** `$$…$$` at `start`, or `undefined` when it is not closed before a blank line. */
function display(markdown: string, start: number): MathSpan | undefined {
  let index = start + 2
  while (index < markdown.length) {
    const char = markdown[index]
    if (char === '\\') {
      index = skipEscape(markdown, index)
      continue
    }
    if (char === '\n' && blankLineAfter(markdown, index)) return undefined
    if (char === '$' && markdown[index + 1] === '$') {
      const value = markdown.slice(start + 2, index).trim()
      return value === '' ? undefined : {value, display: true, start, end: index + 2}
    }
    index++
  }
  return undefined
}

/** Whether the line after the line ending at `index` is blank (or there is none): math never crosses a paragraph break. */
function blankLineAfter(markdown: string, index: number): boolean {
  let at = index + 1
  while (markdown[at] === ' ' || markdown[at] === '\t') at++
  return at >= markdown.length || markdown[at] === '\n'
}

/** Skip a TeX escape: `\` and the next character, or a whole `\text{…}` (which may hold `$`, as in Pandoc). */
function skipEscape(markdown: string, index: number): number {
  if (markdown.startsWith('\\text{', index)) {
    let depth = 0
    for (let at = index + 5; at < markdown.length; at++) {
      const char = markdown[at]
      if (char === '\\') at++
      else if (char === '{') depth++
      else if (char === '}' && --depth === 0) return at + 1
      else if (char === '\n' && markdown[at + 1] === '\n') break
    }
  }
  return index + 2
}

/** Whether a span found in the text also fits the Markdown structure. */
function allowed(span: MathSpan, inert: Array<[number, number]>, paragraphs: Array<[number, number]>, markdown: string): boolean {
  const close = span.end - (span.display ? 2 : 1)
  if (inert.some(([from, to]) => close < to && span.end > from && !(from >= span.start && to <= span.end))) return false
  // Over a line break, both delimiters must be in the same paragraph (not two list items, say).
  if (!markdown.slice(span.start, span.end).includes('\n')) return true
  return paragraphs.some(([from, to]) => from <= span.start && span.end <= to)
}


/**
 * The text MathJax reads for a span: `\(…\)` or `\[…\]` around its TeX.
 *
 * The result never contains `}}`, which would end a cloze deletion
 * (`{{c1::…}}`) early: a space goes between two closing braces (`} }`), which
 * TeX reads the same in math mode.
 *
 * @param span
 *   A math span.
 */
export function mathText(span: Pick<MathSpan, 'value' | 'display'>): string {
  const tex = span.value.replace(/\}(?=\})/g, '} ')
  return span.display ? `\\[${tex}\\]` : `\\(${tex}\\)`
}
