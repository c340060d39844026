import * as z from 'zod/mini'
import './schema.js'

/**
 * Limits that protect the machine from hostile or broken notes: past each
 * one a lecture gets a positioned error (`too-large`, `too-many-cards`,
 * `too-deep`) instead of exhausting memory, overflowing the stack or
 * keeping the parser busy for hours.
 */
export interface Limits {
  /** Bytes in one lecture file; a larger file is not decoded. Default 10,000,000 (10 MB). */
  fileBytes: number
  /** Cards in one lecture. Default 100,000. */
  cards: number
  /**
   * Characters (UTF-16 code units) in one card's question and answer lines
   * together, and in the title line and the front matter. Default 20,000.
   * Markdown parsing is superlinear in places (emphasis, links, long lists),
   * so this bounds the time one card can take.
   */
  cardCharacters: number
  /**
   * Levels of nested lists and block quotes, and of nested emphasis, links
   * and raw HTML elements, in one card. Default 100. Markdown parsing and
   * rendering recurse once per level: thousands of levels overflow the stack.
   */
  nesting: number
}

/** The default limits. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  fileBytes: 10_000_000,
  cards: 100_000,
  cardCharacters: 20_000,
  nesting: 100
})

const count = z.optional(z.int().check(z.positive()))

/** Limits as an API caller may give them: any subset, each a positive whole number. */
export const limitsSchema = z.strictObject({fileBytes: count, cards: count, cardCharacters: count, nesting: count})

/**
 * The limits of a build: the defaults with the given ones replaced.
 *
 * @param overrides
 *   Optional limits to change (default: none).
 * @throws
 *   When a given limit is not a positive whole number (a programming error).
 */
export function resolveLimits(overrides?: Partial<Limits>): Limits {
  if (overrides === undefined) return {...defaultLimits}
  const given = limitsSchema.parse(overrides)
  const limits: Limits = {...defaultLimits}
  for (const key of Object.keys(given) as Array<keyof Limits>) {
    const value = given[key]
    if (value !== undefined) limits[key] = value
  }
  return limits
}

/** A number with thousands separators, as limits are written in messages: `100,000`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US')
}

/** One line of a field as the nesting measure reads it. */
export interface MeasuredLine {
  /** 1-based line number in the file. */
  line: number
  /** Column of the text's first character in the file (1 for a whole line). */
  column: number
  text: string
  /** Inside fenced code or a `$$` block: not Markdown; only its brackets nest (when highlighted). */
  verbatim: boolean
}

/** Where a field first nests deeper than the limit, and in what. */
export interface DeepNesting {
  kind: 'block' | 'inline' | 'html' | 'code'
  line: number
  column: number
}

/**
 * Find the first place where one field (a question line, or an answer) nests
 * deeper than `limit`, reading the raw lines — before Markdown parsing, whose
 * recursion is what deep nesting would overflow. Four depths are measured,
 * each an upper estimate of what the parser builds from the lines (the
 * property tests check that a field within the limit renders at most about
 * four times as deep):
 *
 * - `block`: lists and block quotes open at a line, following CommonMark's
 *   container rules (a list item stays open while lines are indented to its
 *   content; a quote needs its `>` on every line);
 * - `inline`: emphasis, strong, strikethrough and link brackets that are
 *   closed again within their paragraph (unclosed ones build nothing), outside
 *   inline code; each `*`, `_` and `[`, and each run of `~`, is a level;
 * - `html`: raw HTML elements opened and not yet closed in the field (the
 *   HTML parser keeps them open to the end);
 * - `code`: brackets and comments open in a block of fenced code (syntax
 *   highlighting nests string interpolation like `${…}` and nested comments).
 *
 * The work is linear in the text: it stops at the first excess.
 *
 * @param lines
 *   The field's lines in order.
 * @param limit
 *   The deepest nesting allowed.
 */
export function findDeepNesting(lines: MeasuredLine[], limit: number): DeepNesting | undefined {
  const block = new BlockDepth(limit)
  const html = new HtmlDepth(limit)
  let code = 0
  let paragraph: MeasuredLine[] = []
  const endParagraph = (): DeepNesting | undefined => {
    const found = paragraph.length > 0 ? inlineDepth(paragraph, limit, html) : undefined
    paragraph = []
    return found
  }

  for (const line of lines) {
    if (line.verbatim) {
      const found = endParagraph()
      if (found) return found
      const result = codeDepth(line.text, code, limit)
      if (typeof result !== 'number') return {kind: 'code', line: line.line, column: line.column + result.offset}
      code = result
      continue
    }
    code = 0
    if (line.text.trim() === '') {
      const found = endParagraph()
      if (found) return found
      continue
    }
    const column = block.add(line.text)
    if (column !== undefined) return {kind: 'block', line: line.line, column: line.column + column}
    paragraph.push(line)
  }
  return endParagraph()
}

/**
 * Whether text could nest deeper than `limit` by any of the measures of
 * {@link findDeepNesting}: each of their levels opens at a character of its
 * own (a list marker's `-`, `+`, `*`, `.` or `)`, a quote's `>`, an inline
 * `*`, `_`, `~` or `[`, a tag's `<`, a bracket in code, or the `*` of a
 * `/*`), so text with no more such characters than the limit cannot pass
 * it. Most cards have a few dozen at most and need no measuring.
 */
export function mayNestBeyond(texts: string[], limit: number): boolean {
  let openers = 0
  for (const text of texts) {
    for (let offset = 0; offset < text.length; offset++) {
      const code = text.charCodeAt(offset)
      if (code < 128 && OPENERS[code] === 1 && ++openers > limit) return true
    }
  }
  return false
}

const OPENERS = new Uint8Array(128)
for (const character of '-+*.)>_~[<({') OPENERS[character.charCodeAt(0)] = 1

/** Brackets and `/* … *\/` comments open after a line of code; the offset where they pass the limit. */
function codeDepth(text: string, depth: number, limit: number): number | {offset: number} {
  for (let offset = 0; offset < text.length; offset++) {
    const character = text[offset]
    if (character === '(' || character === '[' || character === '{' || (character === '/' && text[offset + 1] === '*')) {
      if (++depth > limit) return {offset}
    } else if (character === ')' || character === ']' || character === '}' || (character === '*' && text[offset + 1] === '/')) {
      depth = Math.max(0, depth - 1)
    }
  }
  return depth
}

type Container = {kind: 'quote'} | {kind: 'item'; column: number}

const listMarker = /^(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)/

/** Open lists and block quotes, line by line. */
class BlockDepth {
  readonly limit: number
  readonly open: Container[] = []

  constructor(limit: number) {
    this.limit = limit
  }

  /** Take a non-blank line; returns the 0-based offset of the container past the limit, if any. */
  add(text: string): number | undefined {
    let offset = 0
    let column = 0
    let matched = 0
    // Containers continue when the line has their quote marker, or is indented to the item's content.
    for (const container of this.open) {
      const [next, nextColumn] = skipWhitespace(text, offset, column)
      if (container.kind === 'quote') {
        if (nextColumn - column > 3 || text[next] !== '>') break
        ;[offset, column] = afterQuoteMarker(text, next, nextColumn)
      } else {
        if (nextColumn < container.column) break
        // Only the item's own indentation: more is indented content of the item.
        ;[offset, column] = skipWhitespace(text, offset, column, container.column)
      }
      matched++
    }
    this.open.length = matched

    // New containers opened on this line.
    for (;;) {
      const [next, nextColumn] = skipWhitespace(text, offset, column)
      // Four columns past the content is indented code: nothing opens in it.
      if (nextColumn - column >= 4 || next >= text.length) return undefined
      if (text[next] === '>') {
        this.open.push({kind: 'quote'})
        ;[offset, column] = afterQuoteMarker(text, next, nextColumn)
      } else {
        const marker = listMarker.exec(text.slice(next, next + 11))?.[0]
        if (marker === undefined || thematicBreak(text, next)) return undefined
        const afterMarker = next + marker.length
        const markerEnd = nextColumn + marker.length
        const [content, contentColumn] = skipWhitespace(text, afterMarker, markerEnd)
        // One to four spaces after the marker set the content column; more (or none) mean one.
        const width = contentColumn - markerEnd
        const itemColumn = content >= text.length || width > 4 || width === 0 ? markerEnd + 1 : contentColumn
        this.open.push({kind: 'item', column: itemColumn})
        offset = width > 4 ? afterMarker : content
        column = width > 4 ? markerEnd : contentColumn
      }
      if (this.open.length > this.limit) return next
    }
  }
}

/** Skip spaces and tabs (tab stops every 4 columns), up to column `until`; returns the offset and the column reached. */
function skipWhitespace(text: string, offset: number, column: number, until = Number.POSITIVE_INFINITY): [number, number] {
  while (offset < text.length && column < until) {
    const code = text.charCodeAt(offset)
    if (code === 32) column++
    else if (code === 9) column += 4 - (column % 4)
    else break
    offset++
  }
  return [offset, column]
}

/** After a `>` at `offset`: past it and one optional space. */
function afterQuoteMarker(text: string, offset: number, column: number): [number, number] {
  const code = text.charCodeAt(offset + 1)
  return code === 32 || code === 9 ? [offset + 2, column + 2] : [offset + 1, column + 1]
}

/** Whether the line from `offset` is a thematic break (`- - -`, `***`, `___`): no list item opens there. */
function thematicBreak(text: string, offset: number): boolean {
  const marker = text[offset]
  if (marker !== '-' && marker !== '*' && marker !== '_') return false
  let count = 0
  for (let index = offset; index < text.length; index++) {
    const character = text[index]
    if (character === marker) count++
    else if (character !== ' ' && character !== '\t') return false
  }
  return count >= 3
}

/** Void elements: they have no content. */
const voidElements = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr'])

/** Elements whose start tag closes an open element of the same group right above it (`<li><li>` are siblings). */
const siblingGroups = new Map<string, string>([
  ['p', 'p'], ['li', 'li'], ['dt', 'd'], ['dd', 'd'], ['tr', 'tr'], ['td', 'cell'], ['th', 'cell'], ['option', 'option'],
  ['optgroup', 'optgroup'], ['rb', 'ruby'], ['rt', 'ruby'], ['rtc', 'ruby'], ['rp', 'ruby'], ['thead', 'section'],
  ['tbody', 'section'], ['tfoot', 'section']
])

/** Raw HTML elements open in a field. */
class HtmlDepth {
  readonly limit: number
  readonly open: string[] = []

  constructor(limit: number) {
    this.limit = limit
  }

  /** Take a tag; returns whether the field is now nested past the limit. */
  add(name: string, closing: boolean): boolean {
    if (closing) {
      const index = this.open.lastIndexOf(name)
      if (index !== -1) this.open.length = index
      return false
    }
    if (voidElements.has(name)) return false
    const group = siblingGroups.get(name)
    const top = this.open.at(-1)
    if (group !== undefined && top !== undefined && siblingGroups.get(top) === group) this.open.pop()
    this.open.push(name)
    return this.open.length > this.limit
  }
}

const tagStart = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)/
const whitespace = /\s/u
const punctuation = /[\p{P}\p{S}]/u

/** What can open an inline level: emphasis, strikethrough, link brackets, raw HTML. */
const nesting = /[*_~[<]/

/**
 * The inline nesting of one paragraph: emphasis, strikethrough and link
 * brackets that close again, each character of a delimiter run counting as a
 * level; raw HTML tags go to `html`, which spans the field.
 */
function inlineDepth(paragraph: MeasuredLine[], limit: number, html: HtmlDepth): DeepNesting | undefined {
  const text = paragraph.map((line) => line.text).join('\n')
  // Most lines nest nothing: no delimiter, bracket or tag.
  if (!nesting.test(text)) return undefined
  const place = (offset: number): DeepNesting & {kind: 'inline'} => {
    let start = 0
    for (const line of paragraph) {
      if (offset <= start + line.text.length) return {kind: 'inline', line: line.line, column: line.column + offset - start}
      start += line.text.length + 1
    }
    const last = paragraph.at(-1)
    return {kind: 'inline', line: last?.line ?? 1, column: (last?.column ?? 1) + (last?.text.length ?? 0)}
  }

  const spans = codeSpans(text)
  /** +1 where a matched delimiter opens, −1 where it closes. */
  const delta = new Int32Array(text.length + 1)
  const stacks: Record<string, number[]> = {'*': [], _: [], '~': [], '[': []}
  const pair = (stack: number[] | undefined, close: number): boolean => {
    const open = stack?.pop()
    if (open === undefined) return false
    delta[open] = (delta[open] ?? 0) + 1
    delta[close] = (delta[close] ?? 0) - 1
    return true
  }

  let spanIndex = 0
  let offset = 0
  while (offset < text.length) {
    const span = spans[spanIndex]
    if (span && offset >= span.start) {
      offset = Math.max(offset, span.end)
      spanIndex++
      continue
    }
    const character = text[offset] ?? ''
    if (character === '\\') {
      offset += 2
      continue
    }
    if (character === '<') {
      const tag = tagStart.exec(text.slice(offset, offset + 64))
      if (tag?.[2] && html.add(tag[2].toLowerCase(), tag[1] === '/')) return {...place(offset), kind: 'html'}
      offset++
      continue
    }
    if (character === '[') {
      stacks['[']?.push(offset)
      offset++
      continue
    }
    if (character === ']') {
      pair(stacks['['], offset)
      offset++
      continue
    }
    if (character === '*' || character === '_' || character === '~') {
      let end = offset
      while (text[end] === character) end++
      const length = end - offset
      const before = offset === 0 ? ' ' : (text[offset - 1] ?? ' ')
      const after = end >= text.length ? ' ' : (text[end] ?? ' ')
      const beforeSpace = whitespace.test(before)
      const afterSpace = whitespace.test(after)
      const beforePunctuation = punctuation.test(before)
      const afterPunctuation = punctuation.test(after)
      const left = !afterSpace && (!afterPunctuation || beforeSpace || beforePunctuation)
      const right = !beforeSpace && (!beforePunctuation || afterSpace || afterPunctuation)
      const canOpen = character === '_' ? left && (!right || beforePunctuation) : left
      const canClose = character === '_' ? right && (!left || afterPunctuation) : right
      const stack = stacks[character] ?? []
      if (character === '~') {
        // GFM strikethrough: a run of one or two tildes is one delimiter; longer runs are text.
        if (length <= 2 && !(canClose && pair(stack, offset)) && canOpen) stack.push(offset)
      } else {
        let used = 0
        if (canClose) while (used < length && pair(stack, offset + used)) used++
        if (canOpen) for (let index = offset + used; index < end; index++) stack.push(index)
      }
      offset = end
      continue
    }
    offset++
  }

  let depth = 0
  for (const [index, change] of delta.entries()) {
    depth += change
    if (depth > limit) return place(index)
  }
  return undefined
}

/**
 * Inline code spans of a paragraph, in order: a backtick run up to the next
 * run of the same length. Linear: each run length keeps a cursor into its
 * list of runs.
 */
function codeSpans(text: string): Array<{start: number; end: number}> {
  const runs: Array<{start: number; end: number}> = []
  for (let offset = text.indexOf('`'); offset !== -1; offset = text.indexOf('`', offset)) {
    let end = offset
    while (text[end] === '`') end++
    if (text[offset - 1] !== '\\') runs.push({start: offset, end})
    offset = end
  }
  if (runs.length < 2) return []
  const byLength = new Map<number, number[]>()
  for (const [index, run] of runs.entries()) {
    const length = run.end - run.start
    const list = byLength.get(length)
    if (list) list.push(index)
    else byLength.set(length, [index])
  }
  const cursors = new Map<number, number>()
  const spans: Array<{start: number; end: number}> = []
  let index = 0
  while (index < runs.length) {
    const run = runs[index]
    if (!run) break
    const length = run.end - run.start
    const list = byLength.get(length) ?? []
    let cursor = cursors.get(length) ?? 0
    while (cursor < list.length && (list[cursor] ?? 0) <= index) cursor++
    cursors.set(length, cursor)
    const closing = list[cursor]
    if (closing === undefined) {
      index++
      continue
    }
    spans.push({start: run.start, end: runs[closing]?.end ?? run.end})
    index = closing + 1
  }
  return spans
}
