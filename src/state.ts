import {Buffer, isUtf8} from 'node:buffer'
import type {VFile} from 'vfile'
import * as z from 'zod/mini'
import {compiledObject} from './schema.js'

/**
 * The identity a card had at the last build, as kept in the state file
 * (`deckc.lock`): enough to give a rebuilt card the same guid and note id, to
 * keep its `mod` while its content is unchanged, and to name it when it
 * disappears from the notes.
 */
export interface StateEntry {
  guid: string
  /** Note id (milliseconds; the "Added" date in Anki). */
  note: number
  /** Note modification time (seconds): changes only with the content. */
  mod: number
  /** Hash of the note's note type, fields and tags. */
  hash: string
  /** The lecture file, relative to the state file's folder, `/`-separated. */
  file: string
  deck: string
  /** The question as plain text, single-spaced. */
  question: string
  /** The author's `#id`, when the card has one. */
  id?: string
}

/** Everything the state file records. */
export interface State {
  /** Field count of each note type id at the last build (to notice appended fields). */
  notetypes: Record<string, number>
  entries: StateEntry[]
}

const header = z.strictObject({
  deckc: z.literal('lock'),
  version: z.literal(1),
  notetypes: z.record(z.string().check(z.regex(/^\d+$/)), z.int().check(z.positive()))
})

/** What a line of the state file after the header must hold (checked once per line). */
export const entrySchema = compiledObject(
  {
    guid: z.string().check(z.minLength(1)),
    note: z.int().check(z.positive()),
    mod: z.int().check(z.nonnegative()),
    hash: z.string().check(z.regex(/^[\da-f]{16}$/)),
    file: z.string().check(z.minLength(1)),
    deck: z.string().check(z.minLength(1)),
    question: z.string(),
    id: z.optional(z.string().check(z.minLength(1)))
  },
  true
)

/** An empty state: the first build. */
export const emptyState: State = {notetypes: {}, entries: []}

/**
 * Read a state file. It is JSON Lines — a header, then one card a line, sorted
 * by guid — so that a merge conflict or a hand edit spoils single lines only:
 * each bad line is a `bad-lock` warning and is skipped.
 *
 * @param source
 *   Contents of `deckc.lock`, as text or as UTF-8 bytes (read a line at a
 *   time: a large state file is never held as one string).
 * @param file
 *   Receives `bad-lock` warnings (its path is the state file's).
 */
export function parseState(source: string | Uint8Array, file: VFile): State {
  return readState(source, file).state
}

/** A state file as read: its state, and whether it is written canonically. */
export interface ReadState {
  state: State
  /**
   * Whether the file is exactly what `serializeState` writes for `state`
   * (byte for byte, when read from bytes): then a build that leaves the
   * state as it is need not work out the file's new bytes to compare.
   */
  canonical: boolean
}

/** `parseState`, telling whether the file is written canonically. */
export function readState(source: string | Uint8Array, file: VFile): ReadState {
  const steps = stateParser(source, file)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
  }
}

/**
 * `parseState` in turns of a few thousand lines, awaiting `pause` between
 * them: a build parses its state file while worker threads parse lectures,
 * and the workers are handed their next lectures only when this thread lets
 * their answers in.
 */
export async function parseStateInTurns(source: string | Uint8Array, file: VFile, pause: () => Promise<void>): Promise<ReadState> {
  const steps = stateParser(source, file)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    await pause()
  }
}

/** Lines between the turns of `parseStateInTurns`. */
const turnLines = 4096

function* stateParser(source: string | Uint8Array, file: VFile): Generator<undefined, ReadState> {
  const state: State = {notetypes: {}, entries: []}
  const guids = new Set<string>()
  const strings = new Map<string, string>()
  const shared = (value: string) => strings.get(value) ?? (strings.set(value, value), value)
  const written = canonicalLines()
  for (const [index, line] of lines(source)) {
    if (index % turnLines === turnLines - 1) yield
    const read = readStateLine(line, index, file)
    written.line(line, read, true)
    if (read === undefined) continue
    if ('notetypes' in read) {
      state.notetypes = read.notetypes
      continue
    }
    const item = read.entry
    if (guids.has(item.guid)) {
      warnDuplicate(file, item.guid, index)
    } else {
      guids.add(item.guid)
      // Many entries share a deck and a file: one string each, not one per line.
      item.deck = shared(item.deck)
      item.file = shared(item.file)
      state.entries.push(item)
    }
  }
  return {state, canonical: written.done() && (typeof source === 'string' || isUtf8(source))}
}

/**
 * Follows a state file's lines as they are read (`readStateLine`) and tells,
 * at the end, whether the file is written exactly as deckc writes what it
 * holds: a header as `headerLine` writes it, then entries as `entryLine`
 * writes them in ascending guid order (so no guid twice), each line ended by
 * a line feed (so the last line is empty), and nothing else. `ok` is what
 * the caller checks of a line besides (its bytes, how its file is written).
 */
export function canonicalLines(): {line: (text: string, read: StateLine | undefined, ok: boolean) => void; possible: () => boolean; done: () => boolean} {
  let canonical = true
  let header = false
  let ended = false
  let last: string | undefined
  return {
    line(text, read, ok) {
      if (ended) canonical = false
      if (read === undefined) {
        if (text === '') ended = true
        else canonical = false
      } else if ('notetypes' in read) {
        header = ok && text === headerLine(read.notetypes)
      } else {
        canonical &&= ok && read.canonical && (last === undefined || compare(last, read.entry.guid) < 0)
        last = read.entry.guid
      }
    },
    /** Whether the lines so far leave it possible (what else a line needs can go unchecked when not). */
    possible: () => canonical,
    done: () => canonical && header && ended
  }
}

/**
 * One line of a state file as read: the header's note types, or an entry, and
 * whether the line is exactly as `entryLine` writes that entry.
 */
export type StateLine = {notetypes: Record<string, number>} | {entry: StateEntry; canonical: boolean}

/**
 * Read line `index` (from 0) of a state file: the header, or an entry, or
 * `undefined` for a blank line or a bad one (a `bad-lock` warning on `file`).
 * A guid seen before is for the caller to find (`warnDuplicate`).
 */
export function readStateLine(line: string, index: number, file: VFile): StateLine | undefined {
  if (index > 0) {
    const plain = plainEntry(line)
    if (plain) return {entry: plain, canonical: true}
  }
  if (line.trim() === '') return undefined
  const place = {line: index + 1, column: 1}
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    warn(file, 'Line is not JSON (a merge conflict?); skipped it; expected one card per line as written by deckc', place)
    return undefined
  }
  if (index === 0) {
    const parsed = header.safeParse(value)
    if (parsed.success) return {notetypes: parsed.data.notetypes}
    warn(file, 'First line is not a deckc.lock header; expected {"deckc":"lock","version":1,…}', place)
    return undefined
  }
  const parsed = z.safeParse(entrySchema, value)
  if (parsed.success) {
    const read = withoutUndefined(parsed.data)
    return {entry: read, canonical: line === entryLine(read)}
  }
  const issue = parsed.error.issues[0]
  warn(file, `Card line is invalid (${issue?.path.join('.') || 'line'}: ${issue?.message ?? 'invalid'}); skipped it; expected a line as written by deckc`, place)
  return undefined
}

/** The warning for an entry on line `index` (from 0) whose guid an earlier line has. */
export function warnDuplicate(file: VFile, guid: string, index: number): void {
  warn(file, `Guid ${guid} appears twice; kept the first line`, {line: index + 1, column: 1})
}

/**
 * The lines of a text or of UTF-8 bytes, with their indexes, one at a time.
 * Split at LF only: the CR of a CRLF stays at the end of its line, where
 * JSON, like `trim`, takes it for white space.
 */
function* lines(source: string | Uint8Array): Generator<[number, string]> {
  const bytes = typeof source === 'string' ? undefined : Buffer.from(source.buffer, source.byteOffset, source.byteLength)
  const length = bytes ? bytes.length : source.length
  for (let start = 0, index = 0; start <= length; index++) {
    let end = bytes ? bytes.indexOf(10, start) : (source as string).indexOf('\n', start)
    if (end === -1) end = length
    yield [index, bytes ? bytes.toString('utf8', start, end) : (source as string).slice(start, end)]
    start = end + 1
  }
}

/** Write a state file: header, then entries sorted by guid, one JSON object a line. */
export function serializeState(state: State): string {
  return `${[...stateLines(state)].join('\n')}\n`
}

/**
 * The lines of a state file (without line endings), one at a time: the
 * header, then the entries sorted by guid, each with its `file` as
 * `fileOf` gives it (default: as it is).
 */
export function* stateLines(state: State, fileOf?: (file: string) => string): Generator<string> {
  yield headerLine(state.notetypes)
  for (const item of [...state.entries].sort((a, b) => compare(a.guid, b.guid))) yield entryLine(item, fileOf ? fileOf(item.file) : item.file)
}

/** The first line of a state file (without line ending). */
export function headerLine(notetypes: State['notetypes']): string {
  return JSON.stringify({deckc: 'lock', version: 1, notetypes: Object.fromEntries(Object.entries(notetypes).sort(([a], [b]) => compare(a, b)))})
}

/** One entry's line of the state file (without line ending), with its `file` written as given. */
export function entryLine(item: StateEntry, file = item.file): string {
  const {guid, note, mod, hash, deck, question, id} = item
  return JSON.stringify(id === undefined ? {guid, note, mod, hash, file, deck, question} : {guid, note, mod, hash, file, deck, question, id})
}

/** An entry from one line of a state file as deckc wrote it, or `undefined` when the line is not a valid entry. */
export function parseEntryLine(line: string): StateEntry | undefined {
  const plain = plainEntry(line)
  if (plain) return plain
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  const parsed = z.safeParse(entrySchema, value)
  return parsed.success ? withoutUndefined(parsed.data) : undefined
}

/**
 * The state after a build: each compiled lecture's entries replace the ones it
 * was matched against; lectures with errors keep theirs, and so do lectures
 * outside this build.
 *
 * @param state
 *   The state before the build.
 * @param decks
 *   Per compiled lecture, its new entries (`undefined` when it has errors) and the entries they replace.
 * @param notetypes
 *   Field count of each current note type.
 */
export function nextState(state: State, decks: Array<{entries: StateEntry[] | undefined; replaced: StateEntry[]}>, notetypes: Record<string, number>): State {
  const dropped = new Set<StateEntry>()
  const added: StateEntry[] = []
  for (const deck of decks) {
    if (!deck.entries) continue
    for (const entry of deck.replaced) dropped.add(entry)
    added.push(...deck.entries)
  }
  return {notetypes, entries: [...state.entries.filter((entry) => !dropped.has(entry)), ...added]}
}

/**
 * A line as `entryLine` writes a valid entry whose strings need no escape,
 * matched field by field: a string is the characters between its quotes,
 * an integer its digits. Such a line is the entry JSON.parse and
 * {@link entrySchema} read from it, in a fraction of their time (they took
 * most of reading a state file of 100,000 cards); any other line is
 * `undefined`, and read by them.
 */
export function plainEntry(line: string): StateEntry | undefined {
  const match = plainLine.exec(line)
  if (!match || !line.isWellFormed()) return undefined
  const [, guid, noteText, modText, hash, file, deck, question, id] = match as unknown as [string, string, string, string, string, string, string, string, string | undefined]
  const note = Number(noteText)
  const mod = Number(modText)
  if (!Number.isSafeInteger(note) || !Number.isSafeInteger(mod)) return undefined
  const entry = {guid: own(guid), note, mod, hash: own(hash), file, deck, question: own(question)}
  return id === undefined ? entry : {...entry, id: own(id)}
}

/**
 * A string matched in a line, made its own: V8 keeps a longer match as a
 * view into the line, and 100,000 entries would then keep every line.
 */
function own(text: string): string {
  return text.length < 13 ? text : (text + ' ').slice(0, -1)
}

/**
 * `entryLine`'s output when no string needs an escape (JSON escapes `"`, `\`,
 * control characters and lone surrogates; `plainEntry` checks the last):
 * the keys in its order, integers without sign, fraction or leading zero,
 * and the schema's own bounds (a positive note id, non-empty names, a hash of
 * 16 lowercase hex digits).
 */
const plainLine =
  /^\{"guid":"([^"\\\u0000-\u001F]+)","note":([1-9]\d{0,15}),"mod":(0|[1-9]\d{0,15}),"hash":"([\da-f]{16})","file":"([^"\\\u0000-\u001F]+)","deck":"([^"\\\u0000-\u001F]+)","question":"([^"\\\u0000-\u001F]*)"(?:,"id":"([^"\\\u0000-\u001F]+)")?\}$/

/**
 * Whether a state holds what another does: the same note types and the same
 * entry objects (a card whose entry is unchanged keeps its object, see
 * `identities`), in any order, as the state file sorts them.
 */
export function sameState(before: State, after: State): boolean {
  if (headerLine(before.notetypes) !== headerLine(after.notetypes) || before.entries.length !== after.entries.length) return false
  const entries = new Set(before.entries)
  return after.entries.every((entry) => entries.has(entry))
}

function withoutUndefined(value: z.infer<typeof entrySchema>): StateEntry {
  const {id, ...rest} = value
  return id === undefined ? rest : {...rest, id}
}

function warn(file: VFile, reason: string, place: {line: number; column: number}): void {
  file.message(reason, {place, ruleId: 'bad-lock', source: 'deckc'})
}

/** The order of a state file's lines: by guid, as JavaScript compares strings. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
