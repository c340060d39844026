/**
 * TeX math in Markdown: `$…$` (inline) and `$$…$$` (display), found by
 * Pandoc's `tex_math_dollars` rule and handed to Anki's MathJax as `\(…\)` and
 * `\[…\]`, untouched by Markdown.
 *
 * Math is taken out of the Markdown before it is parsed ({@link protectMath}:
 * each span becomes an inert placeholder) and put back into the rendered HTML
 * tree afterwards ({@link restoreMath}), so `_`, `*`, `\` and braces inside it
 * survive exactly. remark-math is not used: its tokenizer pairs any two `$`
 * (`costs $5 and $10` would be math), where Pandoc's rule keeps money text.
 */
import type {Element, ElementContent, Nodes as HastNodes, Parents as HastParents, Text} from 'hast'
import type {Nodes as MdastNodes} from 'mdast'
import {type Layout, type MathSpan, mathText, scanMath} from './dollars.js'
import {parseMarkdown} from './markdown.js'
import type {Point} from './types.js'

export {type MathSpan, mathText} from './dollars.js'

/** Markdown with its math taken out. */
export interface ProtectedMath {
  /** The Markdown given (with any noncharacter U+FDD0/U+FDD1 replaced by U+FFFD); spans index into it. */
  source: string
  /** The Markdown with each math span replaced by a placeholder Markdown leaves alone. */
  markdown: string
  /** The spans, in order; placeholder `i` stands for `spans[i]`. */
  spans: MathSpan[]
  /** Map a point in {@link ProtectedMath.markdown} to the original Markdown (a point inside a placeholder maps to its `$`). */
  place: (point: Point) => Point
}

// Placeholders are two Unicode noncharacters (reserved for internal use, never
// produced by Markdown's character references) around the span's index in
// ASCII digits. Markdown treats them as plain text: no escapes, emphasis or
// line structure can reach inside.
const OPEN = '\uFDD0'
const CLOSE = '\uFDD1'
const placeholder = /\uFDD0(\d+)\uFDD1/g
const sentinels = /[\uFDD0\uFDD1]/g

/**
 * The math spans of a Markdown string (see {@link scanMath}), with code, HTML
 * and links found by parsing it.
 */
export function findMath(markdown: string): MathSpan[] {
  return markdown.includes('$') ? scanMath(markdown, structure(markdown)) : []
}

/** What Markdown makes of the text: where a `$` is never math, and the paragraphs. */
function structure(markdown: string): Layout {
  const inert: Array<[number, number]> = []
  const paragraphs: Array<[number, number]> = []

  const walk = (node: MdastNodes): void => {
    const from = node.position?.start.offset
    const to = node.position?.end.offset
    if (from === undefined || to === undefined) return
    switch (node.type) {
      case 'code':
      case 'inlineCode':
      case 'html':
      case 'image':
      case 'imageReference':
      case 'definition':
        inert.push([from, to])
        return
      case 'link':
      case 'linkReference': {
        // `[text](destination)`: the text may hold math, the rest may not. An autolink is all destination.
        if (markdown[from] !== '[') {
          inert.push([from, to])
          return
        }
        let at = from
        for (const child of node.children) {
          const start = child.position?.start.offset
          const end = child.position?.end.offset
          if (start === undefined || end === undefined) continue
          if (start > at) inert.push([at, start])
          walk(child)
          at = end
        }
        if (to > at) inert.push([at, to])
        return
      }
      case 'paragraph':
        paragraphs.push([from, to])
        break
      default:
        break
    }
    if ('children' in node) for (const child of node.children) walk(child)
  }

  walk(parseMarkdown(markdown))
  inert.sort((a, b) => a[0] - b[0])
  return {inert, paragraphs}
}

/**
 * Take the math out of Markdown: each span becomes a placeholder (a pair of
 * noncharacters around its index) that Markdown leaves alone.
 *
 * @param markdown
 *   Markdown of one question line or answer.
 * @returns
 *   The Markdown to parse, the spans, and a map from points of the returned
 *   Markdown back to the given one (for messages).
 */
export function protectMath(markdown: string): ProtectedMath {
  // A noncharacter in the notes themselves would be read as a placeholder; Markdown would drop it anyway.
  const source = markdown.replace(sentinels, '\uFFFD')
  const spans = findMath(source)
  if (spans.length === 0) return {source, markdown: source, spans, place: (point) => point}

  let out = ''
  let at = 0
  /** [offset in out, offset in source] at the start and end of each placeholder. */
  const anchors: Array<{out: number; outEnd: number; source: number; sourceEnd: number}> = []
  for (const [index, span] of spans.entries()) {
    out += source.slice(at, span.start)
    const start = out.length
    out += `${OPEN}${index}${CLOSE}`
    anchors.push({out: start, outEnd: out.length, source: span.start, sourceEnd: span.end})
    at = span.end
  }
  out += source.slice(at)

  const outLines = lineStarts(out)
  const sourceLines = lineStarts(source)
  const place = (point: Point): Point => {
    const offset = (outLines[point.line - 1] ?? out.length) + point.column - 1
    let mapped = offset
    for (const anchor of anchors) {
      if (offset < anchor.out) break
      mapped = offset < anchor.outEnd ? anchor.source : offset - anchor.outEnd + anchor.sourceEnd
    }
    return toPoint(sourceLines, mapped)
  }
  return {source, markdown: out, spans, place}
}

function lineStarts(text: string): number[] {
  const starts = [0]
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1)
  return starts
}

function toPoint(starts: number[], offset: number): Point {
  let line = starts.length - 1
  while (line > 0 && (starts[line] ?? 0) > offset) line--
  return {line: line + 1, column: offset - (starts[line] ?? 0) + 1}
}

/**
 * Put the original source (`$…$`) back into text that went through Markdown
 * with placeholders, e.g. a question's plain text.
 *
 * @param text
 *   Text holding placeholders.
 * @param math
 *   What {@link protectMath} made of the Markdown.
 */
export function restoreSource(text: string, math: ProtectedMath): string {
  if (math.spans.length === 0) return text
  return text.replace(placeholder, (found, index: string) => {
    const span = math.spans[Number(index)]
    return span ? math.source.slice(span.start, span.end) : found
  })
}

/** A display span standing in for itself until it is known whether it is alone on its line. */
interface DisplayMark {
  type: 'display'
  span: MathSpan
}

type Piece = ElementContent | DisplayMark

/**
 * Replace the placeholders in a rendered HTML tree with the math as text,
 * `\(…\)` or `\[…\]` (the serializer escapes `<` and `&`; MathJax reads the
 * decoded text). Display math alone on its line(s) becomes a block of its own,
 * `<div class="math">`: a paragraph around it is split, a line break next to it
 * dropped. A placeholder left in an attribute gets its original `$…$` back.
 *
 * @param tree
 *   Sanitized HAST of the Markdown {@link protectMath} returned; changed in place.
 * @param math
 *   What {@link protectMath} made of the Markdown.
 */
export function restoreMath(tree: HastNodes, math: ProtectedMath): void {
  if (math.spans.length > 0 && (tree.type === 'root' || tree.type === 'element')) expand(tree, math)
}

function expand(parent: HastParents, math: ProtectedMath): void {
  const pieces: Piece[] = []
  for (const child of parent.children) {
    if (child.type === 'text') {
      pieces.push(...splitText(child, math.spans))
    } else if (child.type === 'element') {
      for (const [name, value] of Object.entries(child.properties)) {
        if (typeof value === 'string') child.properties[name] = restoreSource(value, math)
      }
      expand(child, math)
      if (child.tagName === 'p' && child.children.some((node) => isBlock(node))) {
        pieces.push(...splitParagraph(child))
      } else {
        pieces.push(child)
      }
    } else if (child.type !== 'doctype') {
      pieces.push(child)
    }
  }

  const blocksAllowed = parent.type === 'element' && (parent.tagName === 'p' || parent.tagName === 'li')
  const children: ElementContent[] = []
  for (const [index, piece] of pieces.entries()) {
    if (piece.type !== 'display') {
      children.push(piece)
    } else if (blocksAllowed && aloneOnLine(pieces, index)) {
      children.push(block(piece.span))
    } else {
      children.push({type: 'text', value: mathText(piece.span)})
    }
  }
  parent.children = blocksAllowed ? dropBreaksAroundBlocks(children) : children
}

/** Text with placeholders, as text and display marks. */
function splitText(node: Text, spans: readonly MathSpan[]): Piece[] {
  if (!node.value.includes(OPEN)) return [node]
  const pieces: Piece[] = []
  let at = 0
  for (const match of node.value.matchAll(placeholder)) {
    const span = spans[Number(match[1])]
    if (!span) continue
    if (match.index > at) pieces.push({type: 'text', value: node.value.slice(at, match.index)})
    pieces.push(span.display ? {type: 'display', span} : {type: 'text', value: mathText(span)})
    at = match.index + match[0].length
  }
  if (at < node.value.length) pieces.push({type: 'text', value: node.value.slice(at)})
  return pieces
}

/** Whether a display span has only white space between it and a line break (or the start and end) on both sides. */
function aloneOnLine(pieces: Piece[], index: number): boolean {
  const edge = (step: 1 | -1): boolean => {
    for (let at = index + step; at >= 0 && at < pieces.length; at += step) {
      const piece = pieces[at]
      if (piece?.type === 'text' && piece.value.trim() === '') continue
      return piece?.type === 'element' && piece.tagName === 'br'
    }
    return true
  }
  return edge(-1) && edge(1)
}

function block(span: MathSpan): Element {
  return {type: 'element', tagName: 'div', properties: {className: ['math']}, children: [{type: 'text', value: mathText(span)}]}
}

function isBlock(node: ElementContent): node is Element {
  return node.type === 'element' && node.tagName === 'div' && Array.isArray(node.properties['className']) && node.properties['className'].includes('math')
}

/** Remove the line break (and the line ending after it) on either side of each math block. */
function dropBreaksAroundBlocks(children: ElementContent[]): ElementContent[] {
  const drop = new Set<number>()
  for (const [index, node] of children.entries()) {
    if (!isBlock(node)) continue
    for (const step of [-1, 1] as const) {
      for (let at = index + step; at >= 0 && at < children.length; at += step) {
        const other = children[at]
        if (other?.type === 'text' && other.value.trim() === '') {
          drop.add(at)
          continue
        }
        if (other?.type === 'element' && other.tagName === 'br') drop.add(at)
        break
      }
    }
    // The line after the break starts with the break's line ending.
    const next = children.slice(index + 1).find((other, at) => !drop.has(index + 1 + at))
    if (next?.type === 'text') next.value = next.value.replace(/^\n/, '')
  }
  return children.filter((_, index) => !drop.has(index))
}

/** A paragraph holding math blocks becomes paragraphs and blocks, one per line. */
function splitParagraph(paragraph: Element): ElementContent[] {
  const out: ElementContent[] = []
  let current: ElementContent[] = []
  const flush = (): void => {
    if (current.some((node) => !(node.type === 'text' && node.value.trim() === ''))) {
      out.push({...paragraph, children: current})
    }
    current = []
  }
  for (const node of paragraph.children) {
    if (isBlock(node)) {
      flush()
      out.push(node)
    } else {
      current.push(node)
    }
  }
  flush()
  return out.flatMap((node, index) => (index === 0 ? [node] : [{type: 'text', value: '\n'}, node]))
}
