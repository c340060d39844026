import {hash} from 'node:crypto'
import type {Collection, Deck, MediaFile, Note} from './types.js'

/**
 * Lay out a deck and its notes as the rows of a package: the deck with each
 * parent level (`A::B` also brings `A`), and one new card per ord of each
 * note, due in authoring order.
 *
 * @param deck
 *   Deck name (`::` between levels) and HTML description.
 * @param notes
 *   Notes in authoring order.
 * @param media
 *   Media files the notes use (named after their content; duplicates are one file).
 */
export function collect(deck: {name: string; description: string}, notes: Note[], media: MediaFile[] = []): Collection {
  const decks = deckPath(deck.name).map((name): Deck => ({
    id: deckId(name),
    name,
    description: name === deck.name ? deck.description : ''
  }))
  const did = deckId(deck.name)
  const cards = notes.flatMap((note, index) =>
    note.ords.map((ord) => ({id: note.id + ord, nid: note.id, did, ord, mod: note.mod, due: index + 1}))
  )
  const unique = new Map(media.map((file) => [file.name, file]))
  return {decks, notes, cards, media: [...unique.values()]}
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
  const digest = hash('sha256', `deckc deck\u001F${name.normalize('NFC').toLowerCase()}`, 'buffer')
  return digest.readUIntBE(0, 6) + 2
}

/**
 * One package holding several decks (`--bundle`): the same notes, guids and
 * note types as the packages of each deck, so importing both never
 * duplicates. Parent decks shared by several decks appear once.
 */
export function bundle(collections: Collection[]): Collection {
  const decks = new Map<number, Deck>()
  const media = new Map<string, Collection['media'][number]>()
  for (const collection of collections) {
    for (const deck of collection.decks) if (!decks.has(deck.id) || deck.description !== '') decks.set(deck.id, deck)
    for (const file of collection.media) media.set(file.name, file)
  }
  return {
    decks: [...decks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    notes: collections.flatMap((collection) => collection.notes),
    cards: collections.flatMap((collection) => collection.cards),
    media: [...media.values()]
  }
}
