import {createHash} from 'node:crypto'
import type {Collection, Deck, Note} from './types.js'

/**
 * Lay out a deck and its notes as the rows of a package: the deck with each
 * parent level (`A::B` also brings `A`), and one new card per ord of each
 * note, due in authoring order.
 *
 * @param deck
 *   Deck name (`::` between levels) and HTML description.
 * @param notes
 *   Notes in authoring order.
 */
export function collect(deck: {name: string; description: string}, notes: Note[]): Collection {
  const decks = deckPath(deck.name).map((name): Deck => ({
    id: deckId(name),
    name,
    description: name === deck.name ? deck.description : ''
  }))
  const did = deckId(deck.name)
  const cards = notes.flatMap((note, index) =>
    note.ords.map((ord) => ({id: note.id + ord, nid: note.id, did, ord, mod: note.mod, due: index + 1}))
  )
  return {decks, notes, cards, media: []}
}

/** `A::B::C` → `A`, `A::B`, `A::B::C`. */
function deckPath(name: string): string[] {
  const parts = name.split('::')
  return parts.map((_, index) => parts.slice(0, index + 1).join('::'))
}

/**
 * Deck ids only link cards to decks inside a package (Anki matches decks by
 * name on import), so they are derived from the name: 48 bits of its hash,
 * never 1, the id of Anki's Default deck.
 */
export function deckId(name: string): number {
  const hash = createHash('sha256').update(`deckc deck\u001F${name.normalize('NFC').toLowerCase()}`).digest()
  return hash.readUIntBE(0, 6) + 2
}
