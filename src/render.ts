import type {VFile} from 'vfile'
import {clozeText, literalBraces} from './cloze.js'
import {engine} from './engine.js'
import type {ReadMedia} from './media.js'
import {fastLine, plainAnswer} from './plain.js'
import type {Card, MediaFile, QuestionPart, RenderedCard} from './types.js'

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
    const parts = card.question.map((value) => (fast ? fastLine(value.text.value) : undefined))
    const back = fast ? plainAnswer(card.answer.map((line) => line.text), (lang, value) => engine().renderCode(lang, value)) : undefined
    const answer = clean(back ?? engine().renderAnswer(card, file, context))
    const front = clean(card.question.map((value, index) => withReference(parts[index]?.html ?? engine().renderPart(value, file, context), value)).join('<br>'))
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
      question: card.question.map((value, index) => (card.cloze ? clozeText(engine().plainText(value.text.value)) : (parts[index]?.text ?? engine().plainText(value.text.value)))).join(' '),
      attributes: card.attributes,
      media: files,
      position: card.position
    }
  })
}

/**
 * The plain text of a line of Markdown, as in the deck title or a question;
 * math stays as written (`$x^2$`). A line the fast path takes gets its text
 * from it, without remark.
 */
export function plainText(markdown: string, fast = true): string {
  return (fast ? fastLine(markdown)?.text : undefined) ?? engine().plainText(markdown)
}

/**
 * Whether field HTML shows nothing: no text and no image once tags are
 * removed ({@link showsNothingByDefinition}). Read from the start, a field
 * usually shows a character right after its first tag, which settles it; a
 * field with `&` outside its tags is left to the definition (`&nbsp;` shows
 * nothing, and tags removed may join one).
 */
export function showsNothing(html: string): boolean {
  for (let at = 0; at < html.length; at++) {
    const code = html.charCodeAt(at)
    if (code === 0x3c) {
      // A tag runs to the next `>`; a `<` without one is text.
      const end = html.indexOf('>', at + 1)
      if (end === -1) return false
      at = end
    } else if (code === 0x26) {
      return showsNothingByDefinition(html)
    } else if (!SPACE.test(html[at] as string)) {
      // Shown whatever else the field holds: with no `&` before it, it cannot be part of an `&nbsp;`.
      return false
    }
  }
  return !/<img\b/i.test(html)
}

const SPACE = /\s/

/** What {@link showsNothing} answers, as two replacements: tags removed, then `&nbsp;` and white space. */
export function showsNothingByDefinition(html: string): boolean {
  return !/<img\b/i.test(html) && html.replace(/<[^>]*>/g, '').replace(/&nbsp;|\s/g, '') === ''
}

function withReference(html: string, part: QuestionPart): string {
  return part.reference ? `${html} <span class="ref">${escape(part.reference.value)}</span>` : html
}

/** Anki stores fields as NFC text without control characters other than tab and newline. */
export function clean(html: string): string {
  // Printable ASCII, tab and newline only (most fields): NFC already, no control character.
  if (!NOT_PLAIN.test(html)) return html
  return html.normalize('NFC').replace(CONTROL, '')
}

const NOT_PLAIN = /[^\t\n\u0020-\u007E]/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
