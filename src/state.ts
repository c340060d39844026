import {Buffer} from 'node:buffer'
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

// Checked once per line of the state file.
const entry = compiledObject(
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
export async function parseStateInTurns(source: string | Uint8Array, file: VFile, pause: () => Promise<void>): Promise<State> {
  const steps = stateParser(source, file)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    await pause()
  }
}

/** Lines between the turns of `parseStateInTurns`. */
const turnLines = 4096

function* stateParser(source: string | Uint8Array, file: VFile): Generator<undefined, State> {
  const state: State = {notetypes: {}, entries: []}
  const guids = new Set<string>()
  const strings = new Map<string, string>()
  const shared = (value: string) => strings.get(value) ?? (strings.set(value, value), value)
  for (const [index, line] of lines(source)) {
    if (index % turnLines === turnLines - 1) yield
    const read = readStateLine(line, index, file)
    if (read === undefined) continue
    if ('notetypes' in read) {
      state.notetypes = read.notetypes
    } else if (guids.has(read.entry.guid)) {
      warnDuplicate(file, read.entry.guid, index)
    } else {
      guids.add(read.entry.guid)
      const item = read.entry
      // Many entries share a deck and a file: one string each, not one per line.
      item.deck = shared(item.deck)
      item.file = shared(item.file)
      state.entries.push(item)
    }
  }
  return state
}

/** One line of a state file as read: the header's note types, or an entry. */
export type StateLine = {notetypes: Record<string, number>} | {entry: StateEntry}

/**
 * Read line `index` (from 0) of a state file: the header, or an entry, or
 * `undefined` for a blank line or a bad one (a `bad-lock` warning on `file`).
 * A guid seen before is for the caller to find (`warnDuplicate`).
 */
export function readStateLine(line: string, index: number, file: VFile): StateLine | undefined {
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
  const parsed = z.safeParse(entry, value)
  if (parsed.success) return {entry: withoutUndefined(parsed.data)}
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
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  const parsed = z.safeParse(entry, value)
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

function withoutUndefined(value: z.infer<typeof entry>): StateEntry {
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
