import type {Paragraph, PhrasingContent, Root} from 'mdast'
import {newlineToBreak} from 'mdast-util-newline-to-break'
import {toString} from 'mdast-util-to-string'
import type {VFile} from 'vfile'
import {toField} from './html.js'
import {answerSource, parseMarkdown} from './markdown.js'
import {protectMath, restoreSource} from './math.js'
import {resolveMedia} from './media.js'
import {clozeText, literalBraces} from './cloze.js'
import {plainAnswer, plainInline} from './plain.js'
import type {ReadMedia} from './media.js'
import type {Card, Located, MediaFile, Point, QuestionPart, RenderedCard} from './types.js'

/** How to render. */
export interface RenderOptions {
  /** Write the HTML of plain lines directly instead of through remark (same bytes; default `true`). */
  fast?: boolean
}

/** Where a lecture's media references are read from. */
export interface RenderMedia {
  /** The lecture's path, as in `Lecture.path`. */
  lecture: string
  read: ReadMedia | undefined
}

/**
 * Render each card's question and answer to the HTML of its Anki fields.
 *
 * @param cards
 *   Validated cards of one lecture.
 * @param file
 *   Receives `unsafe-html` warnings and media errors.
 * @param media
 *   How images and sounds are read; without it, a media reference is an error.
 */
export function render(cards: Card[], file: VFile, media?: RenderMedia, options: RenderOptions = {}): RenderedCard[] {
  const fast = options.fast ?? true
  return cards.map((card) => {
    const files: MediaFile[] = []
    const context = {lecture: media?.lecture ?? file.path, read: media?.read, file, files}
    const part = (value: QuestionPart) => (fast ? plainInline(value.text.value) : undefined)
    const back = fast ? plainAnswer(card.answer.map((line) => line.text)) : undefined
    const answer = clean(back ?? renderAnswer(card, file, context))
    const front = clean(card.question.map((value) => withReference(part(value) ?? renderPart(value, file, context), value)).join('<br>'))
    if (showsNothing(front)) {
      file.message('Question renders empty: found only markup that Anki does not show (e.g. an HTML comment); expected question text', {
        place: card.position.start,
        ruleId: 'empty-question',
        source: 'deckc'
      }).fatal = true
    } else if (!card.cloze && showsNothing(answer)) {
      file.message('Answer renders empty: found only markup that Anki does not show (e.g. a comment or a link definition); expected answer text', {
        place: card.position.start,
        ruleId: 'missing-answer',
        source: 'deckc'
      }).fatal = true
    }
    return {
      cloze: card.cloze,
      front,
      // In a cloze note's Extra, `{{c1::` must stay text: Anki would take it for a deletion.
      back: card.cloze ? literalBraces(answer) : answer,
      // A cloze card is known by its text without the deletion markup, so renumbering keeps it.
      question: card.question.map((value) => (card.cloze ? clozeText(plainText(value.text.value)) : (part(value) ?? plainText(value.text.value)))).join(' '),
      attributes: card.attributes,
      media: files,
      position: card.position
    }
  })
}

type MediaFields = Omit<Parameters<typeof resolveMedia>[1], 'place'>

/** The plain text of a line of Markdown, as in the deck title or a question; math stays as written (`$x^2$`). */
export function plainText(markdown: string): string {
  const math = protectMath(markdown)
  // Raw HTML is no text: a title `<script>…</script>` must not reach the deck name.
  return restoreSource(toString(parseMarkdown(math.markdown), {includeHtml: false}), math).trim()
}

function renderPart(part: QuestionPart, file: VFile, media: MediaFields): string {
  const math = protectMath(part.text.value)
  const tree = parseMarkdown(math.markdown)
  const place = (point: Point): Point => shift(part.text)(math.place(point))
  resolveMedia(tree, {...media, place})
  // A question line is one paragraph: its content goes into the front without the `<p>`.
  return toField(tree, {file, source: math.markdown, place, inline: true, math})
}

/** Whether field HTML shows nothing: no text and no image once tags are removed. */
function showsNothing(html: string): boolean {
  return !/<img\b/i.test(html) && html.replace(/<[^>]*>/g, '').replace(/&nbsp;|\s/g, '') === ''
}

function withReference(html: string, part: QuestionPart): string {
  return part.reference ? `${html} <span class="ref">${escape(part.reference.value)}</span>` : html
}

function renderAnswer(card: Card, file: VFile, media: MediaFields): string {
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

/** Anki stores fields as NFC text without control characters other than tab and newline. */
function clean(html: string): string {
  // eslint-disable-next-line no-control-regex
  return html.normalize('NFC').replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
