import type {VFile} from 'vfile'
import {BASIC} from './anki/format.js'
import {guidFromKey} from './anki/guid.js'
import type {Note, Position, RenderedCard} from './types.js'

/** What identity depends on besides the cards themselves. */
export interface IdentifyOptions {
  /** Deck name: part of every guid, so one question in two decks gives two notes. */
  deck: string
  /** Path shown as each note's source. */
  path: string
  /** Build time in milliseconds; new notes are modified now. */
  clock: number
  /** Hands out the id of the next new note. */
  newId: () => number
}

/**
 * Give each rendered card its Anki identity. The guid is derived from the deck
 * name and the card's `#id` or, without one, its question as plain text
 * (case, spacing and Markdown formatting do not count), so it survives answer
 * edits and reordering. Two cards with one identity in a deck are a
 * `duplicate-question` error at the second, naming the first.
 *
 * @param cards
 *   The lecture's cards in authoring order.
 * @param file
 *   Receives `duplicate-question` errors.
 */
export function identify(cards: RenderedCard[], file: VFile, options: IdentifyOptions): Note[] {
  const seen = new Map<string, Position>()
  const notes: Note[] = []
  for (const card of cards) {
    const key = identityKey(card)
    const first = seen.get(key)
    if (first) {
      const what = card.attributes.id === undefined ? 'question' : `id \`#${card.attributes.id}\``
      file.message(
        `Duplicate ${what}: the same ${what.startsWith('id') ? 'id' : 'question'} is already at ${first.start.line}:${first.start.column}; expected each card once in a deck (merge the answers, or reword one question)`,
        {place: card.position.start, ruleId: 'duplicate-question', source: 'deckc'}
      ).fatal = true
      continue
    }
    seen.set(key, card.position)
    notes.push({
      guid: guidFromKey(`deckc\u001F${normalize(options.deck)}\u001F${key}`),
      id: options.newId(),
      mod: Math.floor(options.clock / 1000),
      notetype: BASIC.id,
      fields: [card.front, card.back, ''],
      tags: [],
      ords: [0],
      source: {path: options.path, line: card.position.start.line}
    })
  }
  return notes
}

/** What makes a card the same card: its `#id`, else its normalised question. */
export function identityKey(card: Pick<RenderedCard, 'attributes' | 'question'>): string {
  return card.attributes.id === undefined ? `q:${normalize(card.question)}` : `id:${card.attributes.id}`
}

function normalize(text: string): string {
  return text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim()
}
