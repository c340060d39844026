/**
 * One card of a note as Anki renders it: the note type's template for the
 * card's ord (the only template, for cloze) filled with the note's fields.
 */
import type {NotetypeJson} from '../anki/format.js'
import {renderTemplate} from './template.js'
import type {TemplateContext} from './template.js'

/** Both sides of a rendered card. */
export interface RenderedSides {
  /** The template's name (`Card 1`), or `Cloze N` for a cloze card. */
  name: string
  /** The question side's HTML. */
  question: string
  /** The answer side's HTML (the question again when the template has `{{FrontSide}}`). */
  answer: string
}

/**
 * Renders a card with its note type's templates.
 *
 * @param notetype The note type, with `tmpls`, `flds` and `type` as in the package.
 * @param note The note's field values (note type order) and tags.
 * @param ord The card's ord: template index, or cloze number − 1.
 * @param deck Full name of the card's deck, for `{{Deck}}` and `{{Subdeck}}`.
 */
export function renderCard(
  notetype: Pick<NotetypeJson, 'name' | 'type' | 'tmpls' | 'flds'>,
  note: {fields: string[]; tags: string[]},
  ord: number,
  deck: string
): RenderedSides {
  const cloze = notetype.type === 1
  const template = cloze ? notetype.tmpls[0] : notetype.tmpls[ord]
  if (!template) throw new Error(`Note type ${notetype.name} has no template for card ord ${ord}`)
  const name = cloze ? `Cloze ${ord + 1}` : template.name
  const context: Omit<TemplateContext, 'side' | 'frontSide'> = {
    fields: new Map(notetype.flds.map((field, index) => [field.name, note.fields[index] ?? ''])),
    cloze: ord + 1,
    special: new Map([
      ['Tags', note.tags.join(' ')],
      ['Deck', deck],
      ['Subdeck', deck.split('::').at(-1) ?? deck],
      ['Card', template.name],
      ['Type', notetype.name]
    ])
  }
  const question = renderTemplate(template.qfmt, {...context, side: 'question', frontSide: ''})
  const answer = renderTemplate(template.afmt, {...context, side: 'answer', frontSide: question})
  return {name, question, answer}
}
