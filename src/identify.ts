import {hash as digest} from 'node:crypto'
import type {VFile} from 'vfile'
import {BASIC, CLOZE} from './anki/format.js'
import {guidFromKey} from './anki/guid.js'
import {identityKey, normalize} from './match.js'
import type {StateEntry} from './state.js'
import type {Note, Position, RenderedCard} from './types.js'

/** What Anki will do with one deck's notes on import, compared with the last build. */
export interface Changes {
  /** Notes Anki does not have yet. */
  added: number
  /** Notes whose content changed: their `mod` is newer, so Anki updates them. */
  updated: number
  /** Notes Anki already has as they are. */
  unchanged: number
  /** Cards that were in another deck at the last build: Anki leaves existing cards where they are. */
  moved: Array<{question: string; from: string}>
  /** Cards gone from the notes: Anki never deletes on import. */
  removed: Array<{question: string; deck: string}>
}

/** What identity depends on besides the cards themselves. */
export interface IdentifyOptions {
  /** Full deck name (with parent decks), kept in the state. */
  deck: string
  /**
   * The lecture's own deck name, without parent decks from folders: part of
   * every derived guid, so one question in two decks gives two notes, while
   * moving a lecture to another folder keeps them.
   */
  title: string
  /** Tags of every note. */
  tags: string[]
  /** Whether every card also gets its reversed card (front matter `reverse: true`). */
  reverse: boolean
  /** The lecture's path, shown as each note's source and kept in the state. */
  path: string
  /** Build time in milliseconds: the `mod` of new and changed notes. */
  clock: number
  /** Each card's entry at the last build (from `match`), or `undefined` for a new card. */
  previous: Array<StateEntry | undefined>
  /** The entries of this lecture and deck at the last build (to report removed cards). */
  pool: StateEntry[]
  /** Guids already in use; derived guids avoid them, and new ones are added. */
  taken: Taken
  /** Hands out the id of the next new note. */
  newId: () => number
}

/** The guids in use: a `Set`, or anything that answers the same. */
export interface Taken {
  has(guid: string): boolean
  add(guid: string): unknown
}

/** Notes with their identity, the state entries to keep, and the change report. */
export interface Identified {
  notes: Note[]
  entries: StateEntry[]
  changes: Changes
}

/**
 * Leave out the second and later cards with an identity already in the deck
 * (the same `#id`, or the same question ignoring case, spacing and
 * formatting), each with a `duplicate-question` error naming the first.
 */
export function dedupe(cards: RenderedCard[], file: VFile): RenderedCard[] {
  const seen = new Map<string, Position>()
  return cards.filter((card) => {
    const key = identityKey(card)
    const first = seen.get(key)
    if (!first) {
      seen.set(key, card.position)
      return true
    }
    const what = card.attributes.id === undefined ? 'question' : `id \`#${card.attributes.id}\``
    file.message(
      `Duplicate ${what}: the same ${card.attributes.id === undefined ? 'question' : 'id'} is already at ${first.start.line}:${first.start.column}; expected each card once in a deck (merge the answers, or reword one question)`,
      {place: card.position.start, ruleId: 'duplicate-question', source: 'deckc'}
    ).fatal = true
    return false
  })
}

/** A card's identity in Anki, as the last build left it or as this build gives it. */
export interface Identity {
  guid: string
  /** Note id, milliseconds. */
  id: number
  /** Modification time, seconds. */
  mod: number
}

/**
 * Identities a column a field: what crosses to the worker that holds a
 * lecture's cards (a few objects to copy, rather than one a card).
 */
export interface IdentityColumns {
  guids: string[]
  ids: Float64Array
  mods: Float64Array
}

/** Identities as {@link IdentityColumns}. */
export function identityColumns(identities: Identity[]): IdentityColumns {
  return {guids: identities.map((identity) => identity.guid), ids: Float64Array.from(identities, (identity) => identity.id), mods: Float64Array.from(identities, (identity) => identity.mod)}
}

/** {@link IdentityColumns} back as identities. */
export function identitiesFrom({guids, ids, mods}: IdentityColumns): Identity[] {
  return guids.map((guid, index) => ({guid, id: ids[index] as number, mod: mods[index] as number}))
}

/** What identity reads of a card: its question, `#id` and content hash (`cardHash`). */
export interface IdentityInput {
  question: string
  attributes: {id?: string | undefined}
  hash: string
}

/** What a lecture's notes take from the lecture besides each card and its identity. */
export type NoteOptions = Pick<IdentifyOptions, 'tags' | 'reverse' | 'path'>

/**
 * Give each card its Anki identity. A card found at the last build keeps its
 * guid and note id, and its `mod` while its content is unchanged; a changed
 * one gets the build time (always newer, so Anki's "update if newer" applies
 * it). A new card gets a guid derived from deck and question (or `#id`), never
 * one in use, and the next new note id.
 *
 * @param cards
 *   The lecture's cards without duplicates, in authoring order.
 */
export function identify(cards: RenderedCard[], options: IdentifyOptions): Identified {
  const given = identities(
    cards.map((card) => ({question: card.question, attributes: card.attributes, hash: cardHash(card, options)})),
    options
  )
  return {notes: notesOf(cards, given.identities, options), entries: given.entries, changes: given.changes}
}

/**
 * The identities of a lecture's cards, the state entries to keep and the
 * change report (`identify` without the notes): what a thread that does not
 * hold the cards themselves works out from their questions and hashes.
 */
export function identities(cards: IdentityInput[], options: IdentifyOptions): {identities: Identity[]; entries: StateEntry[]; changes: Changes} {
  const now = Math.floor(options.clock / 1000)
  const changes: Changes = {added: 0, updated: 0, unchanged: 0, moved: [], removed: []}
  const given: Identity[] = []
  const entries: StateEntry[] = []

  for (const [index, card] of cards.entries()) {
    const {hash} = card
    const before = options.previous[index]
    let mod = now
    if (!before) changes.added++
    else if (before.hash === hash) {
      changes.unchanged++
      mod = before.mod
    } else {
      changes.updated++
      mod = Math.max(now, before.mod + 1)
    }
    if (before && before.deck !== options.deck) changes.moved.push({question: card.question, from: before.deck})

    const guid = before?.guid ?? freshGuid(options.title, identityKey(card), options.taken)
    // An entry's guid is in use already.
    if (!before) options.taken.add(guid)
    const id = before?.note ?? options.newId()
    given.push({guid, id, mod})
    const question = spaced.test(card.question) ? card.question.replace(/\s+/g, ' ').trim() : card.question
    const key = card.attributes.id
    // An unchanged card keeps its entry object: a large build then holds one entry per card, not two,
    // and knows an unchanged state file by it (`sameState`, and `keepsEntries` in cli/build.ts).
    if (before && before.guid === guid && before.note === id && before.mod === mod && before.hash === hash && before.file === options.path && before.deck === options.deck && before.question === question && before.id === key) {
      entries.push(before)
    } else {
      const entry: StateEntry = {guid, note: id, mod, hash, file: options.path, deck: options.deck, question}
      entries.push(key === undefined ? entry : {...entry, id: key})
    }
  }

  const kept = new Set(options.previous)
  for (const entry of options.pool) {
    if (!kept.has(entry)) changes.removed.push({question: entry.question, deck: entry.deck})
  }
  return {identities: given, entries, changes}
}

/** White space other than single spaces between words: what a question's state entry has not. */
const spaced = /(?! )\s| {2}|^ | $/

/** What a note takes from its card. */
export interface NoteCard extends Pick<RenderedCard, 'cloze' | 'front' | 'back'> {
  attributes: {reverse: boolean}
  position: {start: {line: number}}
}

/** A lecture's notes: each card with its identity (from `identities`). */
export function notesOf(cards: NoteCard[], identities: Identity[], options: NoteOptions): Note[] {
  return cards.map((card, index) => {
    const {guid, id, mod} = identities[index] as Identity
    const reverse = card.attributes.reverse || options.reverse
    return {
      guid,
      id,
      mod,
      notetype: notetypeOf(card),
      fields: fieldsOf(card, reverse),
      tags: options.tags,
      ords: ordsOf(card, options),
      source: {path: options.path, line: card.position.start.line}
    }
  })
}

/** The templates a card's note has cards for: its cloze numbers, else the front, and the back too when reversed. */
export function ordsOf(card: Pick<NoteCard, 'cloze' | 'attributes'>, options: Pick<IdentifyOptions, 'reverse'>): number[] {
  return card.cloze ?? (card.attributes.reverse || options.reverse ? [0, 1] : [0])
}

/** The content hash of a card's note (`contentHash` of its note type, fields and tags). */
export function cardHash(card: Pick<RenderedCard, 'cloze' | 'front' | 'back' | 'attributes'>, options: Pick<IdentifyOptions, 'tags' | 'reverse'>): string {
  return contentHash(notetypeOf(card), fieldsOf(card, card.attributes.reverse || options.reverse), options.tags)
}

function notetypeOf(card: Pick<RenderedCard, 'cloze'>): number {
  return card.cloze ? CLOZE.id : BASIC.id
}

/** A note's fields. A non-empty Reverse field makes the note's second template, the reversed card, exist. */
function fieldsOf(card: Pick<RenderedCard, 'cloze' | 'front' | 'back'>, reverse: boolean): string[] {
  return card.cloze ? [card.front, card.back] : [card.front, card.back, reverse ? 'y' : '']
}

/** A guid derived from deck and identity; a clash with one in use (rare: an edited question's old text) is re-derived. */
function freshGuid(deck: string, key: string, taken: Taken): string {
  const base = `deckc\u001F${normalize(deck)}\u001F${key}`
  let guid = guidFromKey(base)
  for (let attempt = 1; taken.has(guid); attempt++) guid = guidFromKey(`${base}\u001F${attempt}`)
  return guid
}

/** What decides whether Anki must update a note: its note type, fields and tags. */
export function contentHash(notetype: number, fields: string[], tags: string[]): string {
  return digest('sha256', JSON.stringify([notetype, fields, tags]), 'hex').slice(0, 16)
}
