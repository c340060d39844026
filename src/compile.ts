import type {VFile} from 'vfile'
import {collect} from './collect.js'
import {identify, identities} from './identify.js'
import type {Changes, Identity} from './identify.js'
import {matchPlaces, titleKey} from './match.js'
import {keysOf, parseLecture, unpackKeys} from './parse.js'
import type {HeldLecture, ParseOptions, ParsedLecture} from './parse.js'
import type {State, StateEntry} from './state.js'
import type {Collection, Lecture} from './types.js'

/** Everything a build depends on besides the lectures (and, from `ParseOptions`, how each is parsed). */
export interface CompileOptions extends ParseOptions {
  /** Build time in milliseconds: `SOURCE_DATE_EPOCH` × 1000 when set, else now. */
  clock: number
  /**
   * The identities of the last build (the state file), with lecture paths in
   * the same form as `Lecture.path`. Without it every card is new.
   */
  state?: State
  /** Called after each lecture is compiled (for progress display). */
  onProgress?: (done: number, total: number) => void
}

/** The outcome for one lecture. */
export interface CompiledDeck {
  lecture: Lecture
  /** The lecture's messages (errors have `fatal: true`). */
  file: VFile
  /** The deck name: the lecture's title, else its file name without extension. */
  deck: string
  /** The lecture's own deck name, without the parent decks of its folders. */
  title: string
  /** The package contents; `undefined` when the lecture has errors, or when its cards are held by a worker (`held`). */
  collection: Collection | undefined
  /** A deck whose cards a worker holds (`HeldLecture`): what it needs to make and pack the collection. */
  held?: HeldDeck | undefined
  /** What Anki will do on import, compared with the last build; `undefined` when the lecture has errors. */
  changes: Changes | undefined
  /** The lecture's cards for the next state; `undefined` when the lecture has errors (its old entries stay). */
  entries: StateEntry[] | undefined
  /** The entries of the last build that `entries` replace. */
  replaced: StateEntry[]
  /** Where each of `replaced` is among the entries of the last build. */
  replacedAt: Int32Array
}

/** What the worker holding a lecture's cards needs to make its collection. */
export interface HeldDeck {
  /** The worker, by its number in the pool. */
  holder: number
  /** The deck's name and description, as `collect` takes them. */
  deck: {name: string; description: string}
  /** Each card's identity, in order. */
  identities: Identity[]
  /** Card rows of the package. */
  rows: number
}

/** The card rows of a deck's package (0: it has none). */
export function rowsOf(deck: Pick<CompiledDeck, 'collection' | 'held'>): number {
  return deck.collection?.cards.length ?? deck.held?.rows ?? 0
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
  const parsed = lectures.map((lecture, index) => {
    const result = parseLecture(lecture, options)
    options.onProgress?.(index + 1, lectures.length)
    return result
  })
  return assemble(parsed, options)
}

/**
 * The entries of the last build as matching reads them, by index: all in
 * memory (`State.entries`), or a state file on disk read a lecture's entries
 * at a time (cli/stored-state.ts).
 */
export interface PreviousEntries {
  readonly length: number
  /** Every entry's note id. */
  notes: () => ArrayLike<number>
  /**
   * Indexes of the entries of each lecture file, and (made when called: a build whose files are all
   * still there never needs them) of each own deck name (`titleKey`), ascending.
   */
  groups: () => {byFile: Map<string, number[]>; byTitle: () => Map<string, number[]>}
  /** The lecture file of an entry. */
  fileAt: (index: number) => string
  /** The entries at these indexes, in that order. */
  at: (indexes: ArrayLike<number>) => StateEntry[]
  /** Whether an entry has this guid. */
  hasGuid: (guid: string) => boolean
}

/** Entries held in memory as `PreviousEntries`. */
export function entriesInMemory(entries: StateEntry[]): PreviousEntries {
  let guids: Set<string> | undefined
  return {
    length: entries.length,
    notes: () => entries.map((item) => item.note),
    groups: () => ({byFile: group(entries, (item) => item.file), byTitle: () => group(entries, (item) => titleKey(item.deck))}),
    fileAt: (index) => (entries[index] as StateEntry).file,
    at: (indexes) => Array.from(indexes, (index) => entries[index] as StateEntry),
    hasGuid: (guid) => (guids ??= new Set(entries.map((item) => item.guid))).has(guid)
  }
}

/** What `assemble` needs besides the parsed lectures. */
export interface AssembleOptions extends Pick<CompileOptions, 'clock' | 'state'> {
  /** The entries of the last build read another way than `state.entries` (which it then stands for). */
  previous?: PreviousEntries | undefined
  /**
   * Note ids and guids in use besides those of `state.entries`: when only
   * some lectures are assembled (an incremental build), the identities of
   * the others, which new notes must not take.
   */
  inUse?: {notes: () => ArrayLike<number>; hasGuid: (guid: string) => boolean}
  /** Each lecture's match, when the caller matched them already (`matcher`, with `previous`). */
  matched?: Matched[] | undefined
}

/**
 * The part of `compile` that looks across lectures: deck names, identities
 * against the state of the last build, new note ids, collections.
 *
 * @param parsed
 *   Each lecture parsed on its own (`parseLecture`), in report order.
 */
export function assemble(parsed: Array<ParsedLecture | HeldLecture>, options: AssembleOptions): CompiledDeck[] {
  return assembleInTurn(parsed, options).map((deck) => deck())
}

/**
 * `assemble`, one deck at a time: deck names and matching are done at once
 * (unless `options.matched` has them), each deck's notes and collection when
 * its function is called. The functions must be called in order, each once;
 * a lecture's parsed cards are let go when its deck is made, so a caller that
 * writes each deck before making the next holds one deck's notes at a time.
 * A held lecture's deck gets its cards' identities (`CompiledDeck.held`), for
 * the worker holding the cards to make the collection.
 */
export function assembleInTurn(parsed: Array<ParsedLecture | HeldLecture>, options: AssembleOptions): Array<() => CompiledDeck> {
  const previous = options.previous ?? entriesInMemory(options.state?.entries ?? [])
  const matched = options.matched ?? parsed.map(matcher(previous, new Set(parsed.map((entry) => entry.lecture.path))))
  const fresh = matched.reduce((sum, {found}) => sum + found.filter((place) => place === -1).length, 0)
  const ids = fresh === 0 ? [] : newNoteIds(fresh, [previous.notes(), options.inUse?.notes() ?? []], options.clock)
  let nextId = 0
  const newId = () => ids[nextId++] ?? 0
  // Guids in use: the last build's, those of lectures not assembled here, and the new ones given out.
  const given = new Set<string>()
  const {inUse} = options
  const taken = {has: (guid: string) => given.has(guid) || previous.hasGuid(guid) || (inUse?.hasGuid(guid) ?? false), add: (guid: string) => given.add(guid)}

  // Until its deck is made.
  const waiting: Array<ParsedLecture | HeldLecture | undefined> = [...parsed]
  let made = 0
  return parsed.map((_, index) => (): CompiledDeck => {
    const entry = waiting[index]
    if (!entry || index !== made) throw new Error(`deckc: deck ${index + 1} assembled out of turn (next is ${made + 1})`)
    waiting[index] = undefined
    made++
    const at = matched[index]?.pool ?? new Int32Array(0)
    const pool = previous.at(at)
    const base = {lecture: entry.lecture, file: entry.file, deck: entry.deck, title: entry.title, replaced: pool, replacedAt: at}
    if (!ok(entry)) return {...base, collection: undefined, changes: undefined, entries: undefined}
    const identifying = {
      deck: entry.deck,
      title: entry.title,
      tags: entry.tags,
      reverse: entry.reverse,
      path: entry.lecture.path,
      clock: options.clock,
      previous: Array.from(matched[index]?.found ?? [], (place) => (place === -1 ? undefined : pool[place])),
      pool,
      taken,
      newId
    }
    if ('keys' in entry) {
      const given = identities(unpackKeys(entry.keys), identifying)
      const held = {holder: entry.holder, deck: {name: entry.deck, description: entry.description}, identities: given.identities, rows: entry.rows}
      return {...base, collection: undefined, held, changes: given.changes, entries: given.entries}
    }
    const identified = identify(entry.cards, identifying)
    return {
      ...base,
      collection: collect({name: entry.deck, description: entry.description}, identified.notes, entry.cards.flatMap((card) => card.media)),
      changes: identified.changes,
      entries: identified.entries
    }
  })
}

/** Whether a lecture has no errors. */
function ok(entry: {file: VFile}): boolean {
  return !entry.file.messages.some((message) => message.fatal)
}

/** A lecture's earlier entries (its pool, as indexes in `PreviousEntries`) and its cards' places in the pool (-1: a new card). */
export interface Matched {
  pool: Int32Array
  found: Int32Array
}

/**
 * Match lectures against the entries of the last build, one at a time in
 * lecture order (each lecture's pool depends on the lectures before it, never
 * on those after, so lectures can be matched as they are parsed). A lecture
 * whose deck name an earlier one has gets a `duplicate-deck` error and no
 * match. The entries themselves are read again when the deck is made.
 *
 * @param paths
 *   The paths of every lecture of the build.
 */
export function matcher(previous: PreviousEntries, paths: Set<string>): (entry: ParsedLecture | HeldLecture) => Matched {
  // Entries by their index in `previous` (a million-card state needs no map keyed by entry).
  const claimed = new Uint8Array(previous.length)
  // The entries by file and by own deck name (the last `::` level), looked up once per lecture.
  const {byFile, byTitle: titles} = previous.groups()
  // Only entries of a file not in this build can move to another lecture's deck (none, mostly).
  const byTitle = [...byFile.keys()].some((path) => !paths.has(path)) ? titles() : undefined
  const decks = new Map<string, ParsedLecture | HeldLecture>()
  return (entry) => {
    checkDeckName(entry, decks)
    if (!ok(entry)) return {pool: new Int32Array(0), found: new Int32Array(0)}
    // A lecture's earlier cards: those of its file, and those of its deck from a file not in this build
    // (a renamed or moved file: its parent decks may differ, its own deck name is the same).
    const own = byFile.get(entry.lecture.path) ?? []
    const moved = (byTitle?.get(titleKey(entry.title)) ?? []).filter((index) => !paths.has(previous.fileAt(index)))
    const candidates = moved.length === 0 ? own : [...own, ...moved].sort((a, b) => a - b)
    const indexes: number[] = []
    for (const index of candidates) {
      // Also skips the second of an entry that is both of the file and of the deck.
      if (claimed[index]) continue
      claimed[index] = 1
      indexes.push(index)
    }
    return {pool: Int32Array.from(indexes), found: matchPlaces(keysOf(entry), previous.at(indexes))}
  }
}

/** The indexes of items by key, ascending. */
function group<T>(items: T[], key: (item: T) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  for (const [index, item] of items.entries()) {
    const value = key(item)
    const list = groups.get(value)
    if (list) list.push(index)
    else groups.set(value, [index])
  }
  return groups
}

/**
 * Ids for new notes: going back from the clock one second at a time, skipping
 * any within a second of an id in use (card ids are note id + ord), then
 * handed out in ascending order so that "Added" follows authoring order.
 */
function newNoteIds(count: number, inUse: Array<ArrayLike<number>>, clock: number): number[] {
  if (count === 0) return []
  const used = new Float64Array(inUse.reduce((sum, list) => sum + list.length, 0))
  let at = 0
  for (const list of inUse) {
    used.set(list, at)
    at += list.length
  }
  used.sort()
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

/** Anki matches decks by name, case-insensitively: two lectures must not share one (`first`: the decks of the lectures before). */
function checkDeckName(entry: ParsedLecture | HeldLecture, first: Map<string, ParsedLecture | HeldLecture>): void {
  const key = entry.deck.normalize('NFC').toLowerCase()
  const earlier = first.get(key)
  if (!earlier) {
    first.set(key, entry)
    return
  }
  entry.file.message(
    `Duplicate deck: \`${entry.deck}\` is already the deck of ${earlier.lecture.path}; expected one lecture per deck (give this lecture its own title)`,
    {place: entry.deckPlace, ruleId: 'duplicate-deck', source: 'deckc'}
  ).fatal = true
}
