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
  // Guids seen, needed only once they stop ascending (as deckc writes them): ascending guids cannot repeat.
  let guids: Set<string> | undefined
  let last: string | undefined
  const strings = new Map<string, string>()
  const shared = (value: string) => strings.get(value) ?? (strings.set(value, value), value)
  const written = canonicalLines()
  const text = typeof source === 'string' ? source : undefined
  const bytes = typeof source === 'string' ? undefined : Buffer.from(source.buffer, source.byteOffset, source.byteLength)
  const length = bytes ? bytes.length : source.length
  for (let start = 0, index = 0; start <= length; index++) {
    if (index % turnLines === turnLines - 1) yield
    // Most lines of bytes are read where they are; any other line is decoded and read as text.
    const plain = bytes && index > 0 ? plainEntryAt(bytes, start) : undefined
    let line = ''
    let end = plain?.end ?? (bytes ? bytes.indexOf(10, start) : (text as string).indexOf('\n', start))
    if (end === -1) end = length
    if (!plain) line = bytes ? bytes.toString('utf8', start, end) : (text as string).slice(start, end)
    const read: StateLine | undefined = plain ? {entry: plain.entry, canonical: true} : readStateLine(line, index, file)
    start = end + 1
    // (An entry's line is not looked at: it is as written when read as plain.)
    written.line(line, read, true)
    if (read === undefined) continue
    if ('notetypes' in read) {
      state.notetypes = read.notetypes
      continue
    }
    const item = read.entry
    if (!guids && last !== undefined && compare(last, item.guid) >= 0) guids = new Set(state.entries.map((entry) => entry.guid))
    if (guids?.has(item.guid)) {
      warnDuplicate(file, item.guid, index)
    } else {
      guids?.add(item.guid)
      last = item.guid
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
 *   Per compiled lecture, its new entries (`undefined` when it has errors) and the places in
 *   `state.entries` of the entries they replace.
 * @param notetypes
 *   Field count of each current note type.
 */
export function nextState(state: State, decks: Array<{entries: StateEntry[] | undefined; replacedAt: ArrayLike<number>}>, notetypes: Record<string, number>): State {
  const dropped = new Uint8Array(state.entries.length)
  const added: StateEntry[] = []
  for (const deck of decks) {
    if (!deck.entries) continue
    for (let index = 0; index < deck.replacedAt.length; index++) dropped[deck.replacedAt[index] as number] = 1
    added.push(...deck.entries)
  }
  return {notetypes, entries: [...state.entries.filter((_, at) => !dropped[at]), ...added]}
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
 * {@link plainEntry} for the line of `bytes` that starts at `start`, read
 * where it is: the same entry for the same line (its strings decoded from
 * UTF-8 one by one, each its own), and where the line ends (its line feed,
 * or the end of the bytes). Reading the bytes field by field spares
 * decoding each line, matching it and copying the strings out of it.
 */
export function plainEntryAt(bytes: Buffer, start: number): {entry: StateEntry; end: number} | undefined {
  let at = start
  /** Whether `literal` is at `at` (then `at` is past it). */
  const expect = (literal: Uint8Array) => {
    for (let index = 0; index < literal.length; index++) if (bytes[at + index] !== literal[index]) return false
    at += literal.length
    return true
  }
  /** A string's characters up to its closing quote (at least `least` bytes), or `undefined`. */
  const string = (least: number) => {
    const from = at
    let ascii = true
    for (;;) {
      const byte = bytes[at]
      if (byte === undefined || byte < 0x20 || byte === 0x5c) return undefined
      if (byte === 0x22) break
      if (byte >= 0x80) ascii = false
      at++
    }
    if (at - from < least) return undefined
    return bytes.toString(ascii ? 'latin1' : 'utf8', from, at)
  }
  /** A safe integer without sign, fraction or leading zero (0 itself when `zero`), or `undefined`. */
  const integer = (zero: boolean) => {
    const from = at
    let value = 0
    for (let byte = bytes[at]; byte !== undefined && byte >= 0x30 && byte <= 0x39; byte = bytes[++at]) value = value * 10 + (byte - 0x30)
    const digits = at - from
    if (digits === 0 || (bytes[from] === 0x30 && !(zero && digits === 1))) return undefined
    // Exact below 2^53; a number from 2^53 up adds up to 2^53 or more (rounding is monotonic): not safe either.
    return Number.isSafeInteger(value) ? value : undefined
  }
  if (!expect(LITERALS.guid)) return undefined
  const guid = string(1)
  if (guid === undefined || !expect(LITERALS.note)) return undefined
  const note = integer(false)
  if (note === undefined || !expect(LITERALS.mod)) return undefined
  const mod = integer(true)
  if (mod === undefined || !expect(LITERALS.hash)) return undefined
  for (let index = 0; index < 16; index++) {
    const byte = bytes[at + index] ?? 0
    if (!((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66))) return undefined
  }
  const hash = bytes.toString('latin1', at, at + 16)
  at += 16
  if (!expect(LITERALS.file)) return undefined
  const file = string(1)
  if (file === undefined || !expect(LITERALS.deck)) return undefined
  const deck = string(1)
  if (deck === undefined || !expect(LITERALS.question)) return undefined
  const question = string(0)
  if (question === undefined) return undefined
  let id: string | undefined
  if (expect(LITERALS.id)) {
    id = string(1)
    if (id === undefined) return undefined
  }
  if (!expect(LITERALS.close) || (at < bytes.length && bytes[at] !== 0x0a)) return undefined
  const entry = {guid, note, mod, hash, file, deck, question}
  return {entry: id === undefined ? entry : {...entry, id}, end: at}
}

/** The fixed parts of a line as `entryLine` writes it, between its values. */
const LITERALS = {
  guid: Buffer.from('{"guid":"'),
  note: Buffer.from('","note":'),
  mod: Buffer.from(',"mod":'),
  hash: Buffer.from(',"hash":"'),
  file: Buffer.from('","file":"'),
  deck: Buffer.from('","deck":"'),
  question: Buffer.from('","question":"'),
  id: Buffer.from('","id":"'),
  close: Buffer.from('"}')
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
