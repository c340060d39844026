import {VFile} from 'vfile'
import {collect} from './collect.js'
import {decode} from './decode.js'
import {dedupe, identify} from './identify.js'
import type {Changes} from './identify.js'
import {match, normalize} from './match.js'
import {plainText, render} from './render.js'
import {split} from './split.js'
import type {State, StateEntry} from './state.js'
import type {Collection, Lecture, RenderedCard} from './types.js'
import {validate} from './validate.js'

/** Everything a build depends on besides the lectures. */
export interface CompileOptions {
  /** Build time in milliseconds: `SOURCE_DATE_EPOCH` × 1000 when set, else now. */
  clock: number
  /**
   * The identities of the last build (the state file), with lecture paths in
   * the same form as `Lecture.path`. Without it every card is new.
   */
  state?: State
}

/** The outcome for one lecture. */
export interface CompiledDeck {
  lecture: Lecture
  /** The lecture's messages (errors have `fatal: true`). */
  file: VFile
  /** The deck name: the lecture's title, else its file name without extension. */
  deck: string
  /** The package contents; `undefined` when the lecture has errors. */
  collection: Collection | undefined
  /** What Anki will do on import, compared with the last build; `undefined` when the lecture has errors. */
  changes: Changes | undefined
  /** The lecture's cards for the next state; `undefined` when the lecture has errors (its old entries stay). */
  entries: StateEntry[] | undefined
  /** The entries of the last build that `entries` replace. */
  replaced: StateEntry[]
}

interface Parsed {
  lecture: Lecture
  file: VFile
  deck: string
  /** Where the deck name was written (the title line), for `duplicate-deck`. */
  deckPlace: {line: number; column: number}
  cards: RenderedCard[]
}

/**
 * Compile lectures into package contents, one deck per lecture. Every problem
 * of every lecture is reported on its `file`; a lecture with errors gets no
 * collection, the others are unaffected.
 *
 * @param lectures
 *   The lectures of this build, in the order their decks are reported.
 * @param options
 *   The build clock.
 */
export function compile(lectures: Lecture[], options: CompileOptions): CompiledDeck[] {
  const parsed = lectures.map((lecture) => parse(lecture))
  checkDeckNames(parsed)
  const ok = (entry: Parsed) => !entry.file.messages.some((message) => message.fatal)

  const previous = options.state?.entries ?? []
  const paths = new Set(lectures.map((lecture) => lecture.path))
  const claimed = new Set<StateEntry>()
  const matched = parsed.map((entry) => {
    if (!ok(entry)) return {pool: [], found: []}
    // A lecture's earlier cards: those of its file, and those of its deck from a file not in this build (a renamed file).
    const deck = normalize(entry.deck)
    const pool = previous.filter(
      (item) => !claimed.has(item) && (item.file === entry.lecture.path || (normalize(item.deck) === deck && !paths.has(item.file)))
    )
    for (const item of pool) claimed.add(item)
    return {pool, found: match(entry.cards, pool)}
  })

  const fresh = matched.reduce((sum, {found}) => sum + found.filter((item) => !item).length, 0)
  const ids = newNoteIds(fresh, previous, options.clock)
  let nextId = 0
  const newId = () => ids[nextId++] ?? 0
  const taken = new Set(previous.map((item) => item.guid))

  return parsed.map((entry, index): CompiledDeck => {
    const {pool, found} = matched[index] ?? {pool: [], found: []}
    const base = {lecture: entry.lecture, file: entry.file, deck: entry.deck, replaced: pool}
    if (!ok(entry)) return {...base, collection: undefined, changes: undefined, entries: undefined}
    const identified = identify(entry.cards, {deck: entry.deck, path: entry.lecture.path, clock: options.clock, previous: found, pool, taken, newId})
    return {
      ...base,
      collection: collect({name: entry.deck, description: ''}, identified.notes),
      changes: identified.changes,
      entries: identified.entries
    }
  })
}

/**
 * Ids for new notes: going back from the clock one second at a time, skipping
 * any within a second of an id in use (card ids are note id + ord), then
 * handed out in ascending order so that "Added" follows authoring order.
 */
function newNoteIds(count: number, previous: StateEntry[], clock: number): number[] {
  const used = previous.map((item) => item.note).sort((a, b) => a - b)
  const ids: number[] = []
  let candidate = clock - 1000
  let cursor = used.length - 1
  while (ids.length < count) {
    while (cursor >= 0 && (used[cursor] ?? 0) >= candidate + 1000) cursor--
    const nearest = used[cursor]
    if (nearest !== undefined && nearest > candidate - 1000) {
      candidate = nearest - 1000
      continue
    }
    ids.push(candidate)
    candidate -= 1000
  }
  return ids.reverse()
}

function parse(lecture: Lecture): Parsed {
  const file = new VFile({path: lecture.path})
  const fallback = {lecture, file, deck: stem(lecture.path), deckPlace: {line: 1, column: 1}, cards: []}
  const text = decode(lecture.value, file)
  if (text === undefined) return fallback
  const source = split(text, file)
  if (source.records.length === 0) {
    file.message('No cards: found no question; expected question lines ending with `?` (or headings, in heading style) followed by their answers', {
      place: {line: 1, column: 1},
      ruleId: 'no-cards',
      source: 'deckc'
    }).fatal = true
  }
  const cards = dedupe(render(validate(source.records, file), file), file)
  const title = source.title ? plainText(source.title.value) : ''
  return {
    ...fallback,
    deck: title === '' ? fallback.deck : title,
    deckPlace: source.title?.position.start ?? fallback.deckPlace,
    cards
  }
}

/** Anki matches decks by name, case-insensitively: two lectures must not share one. */
function checkDeckNames(parsed: Parsed[]): void {
  const first = new Map<string, Parsed>()
  for (const entry of parsed) {
    const key = entry.deck.normalize('NFC').toLowerCase()
    const earlier = first.get(key)
    if (!earlier) {
      first.set(key, entry)
      continue
    }
    entry.file.message(
      `Duplicate deck: \`${entry.deck}\` is already the deck of ${earlier.lecture.path}; expected one lecture per deck (give this lecture its own title)`,
      {place: entry.deckPlace, ruleId: 'duplicate-deck', source: 'deckc'}
    ).fatal = true
  }
}

/** File name without folders and extension. */
function stem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}
