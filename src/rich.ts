/**
 * Rendering through remark: everything the plain-line fast path (plain.ts)
 * cannot write — Markdown, HTML, math, media, code — plus a lecture's front
 * matter and deck description. Loaded on first need (engine.ts).
 */
import type {Paragraph, PhrasingContent, Root} from 'mdast'
import {newlineToBreak} from 'mdast-util-newline-to-break'
import {toString} from 'mdast-util-to-string'
import type {VFile} from 'vfile'
import {codeField, toField} from './html.js'
import {answerSource, parseMarkdown} from './markdown.js'
import {protectMath, restoreSource} from './math.js'
import {resolveMedia} from './media.js'
import type {Card, Located, Point, QuestionPart} from './types.js'

export {readFrontMatter} from './frontmatter.js'

/** Where a card's media references are read from, and where the files found are collected. */
export type MediaFields = Omit<Parameters<typeof resolveMedia>[1], 'place'>

/** The plain text of a line of Markdown, as in the deck title or a question; math stays as written (`$x^2$`). */
export function plainText(markdown: string): string {
  const math = protectMath(markdown)
  // Raw HTML is no text: a title `<script>…</script>` must not reach the deck name.
  return restoreSource(toString(parseMarkdown(math.markdown), {includeHtml: false}), math).trim()
}

export function renderPart(part: QuestionPart, file: VFile, media: MediaFields): string {
  const math = protectMath(part.text.value)
  const tree = parseMarkdown(math.markdown)
  const place = (point: Point): Point => shift(part.text)(math.place(point))
  resolveMedia(tree, {...media, place})
  // A question line is one paragraph: its content goes into the front without the `<p>`.
  return toField(tree, {file, source: math.markdown, place, inline: true, math})
}

export function renderAnswer(card: Card, file: VFile, media: MediaFields): string {
  // Math is taken out first, so that a `$$` block is one line to the list handling of `answerSource`.
  const math = protectMath(card.answer.map((line) => line.text).join('\n'))
  const source = answerSource(math.markdown.split('\n').map((text, index) => ({line: index + 1, text})))
  const tree = parseMarkdown(source.markdown)
  const place = (point: Point): Point => {
    const at = math.place({line: source.lines[point.line - 1] ?? point.line, column: point.column})
    return {line: card.answer[at.line - 1]?.line ?? at.line, column: at.column}
  }
  resolveMedia(tree, {...media, place})
  newlineToBreak(tree)
  markLabels(tree)
  return toField(tree, {file, source: source.markdown, place, math})
}

/**
 * A fenced code block alone, as `renderAnswer` renders one in an answer (the
 * fast path writes the lines around it): see `codeField`.
 */
export function renderCode(lang: string | null, value: string): string {
  return codeField(lang, value)
}

/** A word or two and a colon opening a line: `short:`, `note:`, `problem:`. */
const label = /^([\p{L}\p{N}][\p{L}\p{N}'’_-]*(?: [\p{L}\p{N}'’_-]+)?):(?=[ \t])/u

/**
 * Make each line of a top-level paragraph that starts with a label start with
 * the label in bold. Lists, quotes and code are left alone.
 */
function markLabels(tree: Root): void {
  for (const node of tree.children) {
    if (node.type === 'paragraph') node.children = labelLines(node)
  }
}

function labelLines(paragraph: Paragraph): PhrasingContent[] {
  const children: PhrasingContent[] = []
  let lineStart = true
  for (const child of paragraph.children) {
    const match = lineStart && child.type === 'text' ? label.exec(child.value) : null
    if (match?.[0] && child.type === 'text' && match[0].length <= 32) {
      children.push({type: 'strong', children: [{type: 'text', value: match[0]}]})
      children.push({type: 'text', value: child.value.slice(match[0].length)})
    } else {
      children.push(child)
    }
    lineStart = child.type === 'break'
  }
  return children
}

/** Map points of a one-line Markdown string back to where it stands in the lecture. */
function shift(text: Located<string>): (point: Point) => Point {
  const {line, column} = text.position.start
  return (point) => ({line, column: column + point.column - 1})
}


/** A deck description is Markdown, shown in Anki's deck overview. */
export function renderDescription(markdown: string, file: VFile, start: {line: number; column: number} | undefined): string {
  return toField(parseMarkdown(markdown), {file, source: markdown, place: (point) => ({line: (start?.line ?? 1) + point.line - 1, column: point.column})})
}
