import {VFile} from 'vfile'
import {collect} from './collect.js'
import {engine} from './engine.js'
import type {FrontMatter} from './frontmatter.js'
import type {ReadMedia} from './media.js'
import {decode} from './decode.js'
import {resolveLimits} from './limits.js'
import type {Limits} from './limits.js'
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
  /**
   * Reads the images and sounds lectures reference (the CLI reads them below
   * the notes root). Without it, a media reference is a `missing-media` error.
   */
  readMedia?: ReadMedia
  /** Render plain lines without remark (the same bytes, faster; default `true`). */
  fast?: boolean
  /** Called after each lecture is compiled (for progress display). */
  onProgress?: (done: number, total: number) => void
  /** Limits that protect the machine (default: `defaultLimits` of `limits.ts`); any subset. */
  limits?: Partial<Limits>
  /** Display names of folders (by path below the root, e.g. `systems-for-ml`), for parent decks. */
  folders?: Record<string, string>
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
  /** Full deck name: parent decks from folders, then `title`. */
  deck: string
  /** The lecture's own deck name: front matter `deck`, else the title line, else the file name. */
  title: string
  /** Where the deck name was written, for `duplicate-deck`. */
  deckPlace: {line: number; column: number}
  description: string
  tags: string[]
  reverse: boolean
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
  const parsed = lectures.map((lecture, index) => {
    const result = parse(lecture, options)
    options.onProgress?.(index + 1, lectures.length)
    return result
  })
  checkDeckNames(parsed)
  const ok = (entry: Parsed) => !entry.file.messages.some((message) => message.fatal)

  const previous = options.state?.entries ?? []
  const paths = new Set(lectures.map((lecture) => lecture.path))
  const claimed = new Set<StateEntry>()
  // The entries by file and by own deck name (the last `::` level), looked up once per lecture.
  const byFile = group(previous, (item) => item.file)
  const byTitle = group(previous, (item) => normalize(item.deck.slice(item.deck.lastIndexOf('::') + 2)))
  const order = new Map(previous.map((item, index) => [item, index]))
  const matched = parsed.map((entry) => {
    if (!ok(entry)) return {pool: [], found: []}
    // A lecture's earlier cards: those of its file, and those of its deck from a file not in this build
    // (a renamed or moved file: its parent decks may differ, its own deck name is the same).
    const title = normalize(entry.title.slice(entry.title.lastIndexOf('::') + 2))
    const candidates = new Set([...(byFile.get(entry.lecture.path) ?? []), ...(byTitle.get(title) ?? []).filter((item) => !paths.has(item.file))])
    const pool = [...candidates].filter((item) => !claimed.has(item)).sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
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
    const identified = identify(entry.cards, {
      deck: entry.deck,
      title: entry.title,
      tags: entry.tags,
      reverse: entry.reverse,
      path: entry.lecture.path,
      clock: options.clock,
      previous: found,
      pool,
      taken,
      newId
    })
    return {
      ...base,
      collection: collect({name: entry.deck, description: entry.description}, identified.notes, entry.cards.flatMap((card) => card.media)),
      changes: identified.changes,
      entries: identified.entries
    }
  })
}

function group<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const value = key(item)
    const list = groups.get(value)
    if (list) list.push(item)
    else groups.set(value, [item])
  }
  return groups
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

function parse(lecture: Lecture, options: CompileOptions): Parsed {
  const file = new VFile({path: lecture.path})
  const relative = lecture.relative ?? lecture.path.slice(lecture.path.lastIndexOf('/') + 1)
  const parents = parentDecks(relative, options.folders ?? {})
  const name = stem(relative)
  const base = {lecture, file, deck: deckName([...parents, name].join('::')), title: name, deckPlace: {line: 1, column: 1}, description: '', reverse: false}
  const tags = [lectureTag(relative)]
  const limits = resolveLimits(options.limits)
  const text = decode(lecture.value, file, limits)
  if (text === undefined) return {...base, tags, cards: []}

  const source = split(text, file, limits)
  const front = source.frontMatter && source.frontMatter.value.trim() !== '' ? engine().readFrontMatter(source.frontMatter, file) : ({} satisfies FrontMatter)
  // A lecture whose cards were all refused by a limit already has its error.
  if (source.records.length === 0 && !file.messages.some((message) => message.fatal)) {
    file.message('No cards: found no question; expected question lines ending with `?` (or headings, in heading style) followed by their answers', {
      place: {line: 1, column: 1},
      ruleId: 'no-cards',
      source: 'deckc'
    }).fatal = true
  }
  const media = {lecture: lecture.path, read: options.readMedia}
  const cards = dedupe(render(validate(source.records, file), file, media, {fast: options.fast ?? true}), file)
  const title = front.deck ?? (source.title ? plainText(source.title.value, options.fast ?? true) : '')
  const own = title === '' ? name : title
  return {
    ...base,
    deck: deckName([...parents, own].join('::')),
    title: own,
    deckPlace: source.title?.position.start ?? base.deckPlace,
    description: front.description === undefined ? '' : engine().renderDescription(front.description, file, source.frontMatter?.position.start),
    tags: [...new Set([...(front.tags ?? []), ...tags])],
    reverse: front.reverse ?? false,
    cards
  }
}

/**
 * A deck name as Anki stores it, so that the package holds what the user
 * gets: each `::` level NFC-normalised, without control characters, trimmed,
 * and `blank` when empty.
 */
function deckName(name: string): string {
  return name
    .split('::')
    .map((level) => level.normalize('NFC').replace(/[\u0000-\u001F\u007F]/g, '').trim() || 'blank')
    .join('::')
}

/** Parent deck names from a lecture's folders, with display names from the configuration's `folders`. */
function parentDecks(relative: string, folders: Record<string, string>): string[] {
  const parts = relative.split('/').slice(0, -1)
  return parts.map((part, index) => folders[parts.slice(0, index + 1).join('/')] ?? part)
}

/** The tag every card of a lecture gets: its path below the root without extension, folders joined by `::`. */
function lectureTag(relative: string): string {
  return relative
    .replace(/\.md$/i, '')
    .split('/')
    .map((part) => part.replace(/[\s\u0000-\u001F]+/g, '_'))
    .join('::')
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
