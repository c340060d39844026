/**
 * A state file left on disk and read a few lines at a time: how a very large
 * full build (one whose parsed cards are set aside, see shelf.ts) reads the
 * last build's entries and writes the next state file without holding every
 * entry. A pass over the file checks every line as `parseState` does (same
 * warnings) and keeps, per entry, only where its line is, its note id, file,
 * own deck name and a hash of its guid; matching reads a lecture's entries
 * when it needs them. The new state file is merged, a part at a time, from
 * the lines of the old one that no deck replaced and each deck's new lines
 * (sorted and set aside on the shelf as its deck is made).
 *
 * This needs the lines sorted by guid, as deckc writes them: a state file
 * that is not (edited by hand, merged) is `undefined`, and read the ordinary
 * way.
 */
import {Buffer, isUtf8} from 'node:buffer'
import {createHash} from 'node:crypto'
import {closeSync, openSync, readSync} from 'node:fs'
import {readFile} from 'node:fs/promises'
import type {VFile} from 'vfile'
import type {PreviousEntries} from '../compile.js'
import {titleKey} from '../match.js'
import {canonicalLines, compare, entryLine, headerLine, plainEntry, readStateLine, warnDuplicate} from '../state.js'
import type {State, StateEntry} from '../state.js'
import type {Shelf} from './shelf.js'
import {fromStateFile, inParts, inStateFile} from './state-file.js'
import type {StateSource} from './state-file.js'

/** A state file on disk, its entries read when asked for. */
export interface StoredState {
  /** Absolute path of the state file. */
  path: string
  /** SHA-256 of its bytes. */
  digest: string
  notetypes: State['notetypes']
  /**
   * Whether the file is exactly what merging its own lines, none replaced,
   * writes (see `readState`): then a build that replaces none writes the
   * same file.
   */
  canonical: boolean
  /** The entries, with `file` relative to the working directory. */
  previous: PreviousEntries
  /** The file's entries that are of no lecture of the build: their own deck names (`titleKey`), sorted, for those not in `dropped`. */
  orphanTitles: (dropped: Uint8Array, inBuild: Set<string>) => string[]
  /** The lines of entries not in `dropped`, in file order, each with its guid, written with `file` relative to the state file's folder again. */
  kept: (dropped: Uint8Array) => Generator<[string, string]>
  close: () => void
}

/** Bytes read from the file at a time. */
const chunkBytes = 1 << 20

/**
 * Read a state file's lines, as `parseState` does (warnings on `source.file`),
 * keeping only where each entry is; `undefined` (and no warnings) when its
 * entries are not sorted by guid. Reads in turns, awaiting `pause` between
 * chunks. The source's bytes, if it holds them, are let go: the file is read
 * from disk, and kept open until `close` (a state file that is not sorted is
 * read into the source again).
 */
export async function storeState(source: StateSource, cwd: string, pause: () => Promise<void>): Promise<StoredState | undefined> {
  await source.read
  let fd: number
  try {
    fd = openSync(source.path, 'r')
  } catch {
    return undefined
  }
  source.bytes = undefined
  try {
    const stored = await indexLines(fd, source, cwd, pause)
    if (stored) return stored
    // Read the ordinary way after all.
    source.bytes = await readFile(source.path)
    closeSync(fd)
    return undefined
  } catch (error) {
    closeSync(fd)
    throw error
  }
}

async function indexLines(fd: number, source: StateSource, cwd: string, pause: () => Promise<void>): Promise<StoredState | undefined> {
  const {file} = source
  const messagesBefore = file.messages.length
  const toCwd = fromStateFile(source.path, cwd)
  const digest = createHash('sha256')
  const starts = new Grow(Float64Array)
  const lengths = new Grow(Int32Array)
  const notes = new Grow(Float64Array)
  const fileIds = new Grow(Int32Array)
  const titleIds = new Grow(Int32Array)
  const hashes = new Grow(Float64Array)
  const files = new Interned()
  const titles = new Interned()
  // Whether the file is written as deckc writes it (also each line's bytes, and its file as written again).
  const toFile = inStateFile(source.path, cwd)
  const written = canonicalLines()
  let notetypes: State['notetypes'] = {}
  let lastGuid: string | undefined

  let index = 0
  // One buffer for the whole pass (grown only for a line longer than it): bytes from `offset` in
  // the file, the first `filled` of them read, lines before `from` taken.
  let buffer = Buffer.alloc(chunkBytes)
  let offset = 0
  let filled = 0
  const take = (start: number, end: number) => {
    const line = buffer.toString('utf8', start, end)
    const read = readStateLine(line, index, file)
    // Besides: the line's bytes, and its file as written again (checked only while that may still
    // matter: a million lines are a million calls).
    written.line(line, read, written.possible() && (!read || 'notetypes' in read || toFile(toCwd(read.entry.file)) === read.entry.file) && isUtf8(buffer.subarray(start, end)))
    if (read === undefined) return true
    if ('notetypes' in read) {
      notetypes = read.notetypes
      return true
    }
    const {entry} = read
    if (lastGuid !== undefined && entry.guid < lastGuid) return false
    if (entry.guid === lastGuid) {
      warnDuplicate(file, entry.guid, index)
      return true
    }
    lastGuid = entry.guid
    starts.push(offset + start)
    lengths.push(end - start)
    notes.push(entry.note)
    fileIds.push(files.id(toCwd(entry.file)))
    titleIds.push(titles.id(titleKey(entry.deck)))
    hashes.push(guidHash(entry.guid))
    return true
  }

  for (;;) {
    if (filled === buffer.length) {
      const larger = Buffer.alloc(buffer.length * 2)
      buffer.copy(larger, 0, 0, filled)
      buffer = larger
    }
    const count = readSync(fd, buffer, filled, buffer.length - filled, offset + filled)
    const last = count === 0
    digest.update(buffer.subarray(filled, filled + count))
    filled += count
    const read = buffer.subarray(0, filled)
    let from = 0
    for (let end = read.indexOf(10, from); end !== -1; end = read.indexOf(10, from)) {
      if (!take(from, end)) return unsorted(file, messagesBefore)
      index++
      from = end + 1
    }
    if (last) {
      // The last line, after the last line break (empty when the file ends with one).
      if (!take(from, filled)) return unsorted(file, messagesBefore)
      break
    }
    // The line not yet whole moves to the front.
    buffer.copy(buffer, 0, from, filled)
    offset += from
    filled -= from
    await pause()
  }

  const count = starts.length
  const entryStarts = starts.done()
  const entryLengths = lengths.done()
  const entryNotes = notes.done()
  const entryFiles = fileIds.done()
  const entryTitles = titleIds.done()
  const guidHashes = hashes.done()
  let sortedHashes: Float64Array | undefined
  const fileNames = files.values
  const titleNames = titles.values
  let open = true

  const lineAt = (at: number, buffer?: Buffer): string => {
    if (!open) throw new Error('deckc: the state file read from disk is closed')
    const length = entryLengths[at] as number
    const bytes = buffer && buffer.length >= length ? buffer : Buffer.alloc(length)
    let done = 0
    while (done < length) {
      const read = readSync(fd, bytes, done, length - done, (entryStarts[at] as number) + done)
      if (read === 0) throw new Error('deckc: the state file is shorter than when it was read')
      done += read
    }
    return bytes.toString('utf8', 0, length)
  }
  const scratch = Buffer.alloc(64 * 1024)
  /** An entry as `parseState` makes it (the line was checked in the pass above). */
  const entryAt = (at: number): StateEntry => {
    const value = readLine(lineAt(at, scratch))
    const item: StateEntry = {guid: value.guid, note: value.note, mod: value.mod, hash: value.hash, file: fileNames[entryFiles[at] as number] as string, deck: value.deck, question: value.question}
    return value.id === undefined ? item : {...item, id: value.id}
  }
  const guidAt = (at: number) => readLine(lineAt(at, scratch)).guid

  const previous: PreviousEntries = {
    length: count,
    notes: () => entryNotes,
    groups: () => ({byFile: groups(entryFiles, fileNames), byTitle: () => groups(entryTitles, titleNames)}),
    fileAt: (at) => fileNames[entryFiles[at] as number] as string,
    at: (indexes) => Array.from(indexes, entryAt),
    hasGuid(guid) {
      // By hash first; a hash that is there is confirmed by the guids, which are sorted.
      sortedHashes ??= Float64Array.from(guidHashes).sort()
      if (!sortedIncludes(sortedHashes, guidHash(guid))) return false
      let low = 0
      let high = count
      while (low < high) {
        const middle = (low + high) >>> 1
        if (guidAt(middle) < guid) low = middle + 1
        else high = middle
      }
      return low < count && guidAt(low) === guid
    }
  }

  return {
    path: source.path,
    digest: digest.digest('hex'),
    notetypes,
    canonical: written.done(),
    previous,
    orphanTitles(dropped, inBuild) {
      const found = new Set<string>()
      for (let at = 0; at < count; at++) {
        if (!dropped[at] && !inBuild.has(fileNames[entryFiles[at] as number] as string)) found.add(titleNames[entryTitles[at] as number] as string)
      }
      return [...found].sort()
    },
    *kept(dropped) {
      // Read in file order a chunk at a time: the lines not dropped are most of the file.
      const window = Buffer.alloc(chunkBytes)
      let from = 0
      let to = 0
      for (let at = 0; at < count; at++) {
        if (dropped[at]) continue
        const start = entryStarts[at] as number
        const end = start + (entryLengths[at] as number)
        let text: string
        if (end - start > window.length) {
          text = lineAt(at)
        } else {
          if (start < from || end > to) {
            if (!open) throw new Error('deckc: the state file read from disk is closed')
            from = start
            to = start + readSync(fd, window, 0, window.length, start)
            if (end > to) throw new Error('deckc: the state file is shorter than when it was read')
          }
          text = window.toString('utf8', start - from, end - from)
        }
        const plain = plainEntry(text)
        const file = toFile(fileNames[entryFiles[at] as number] as string)
        // A line as deckc writes it, its file written the same way, is its own new line.
        if (plain && plain.file === file) yield [plain.guid, text]
        else {
          const value = plain ?? (JSON.parse(text) as StateEntry)
          yield [value.guid, entryLine(value, file)]
        }
      }
    },
    close() {
      if (open) closeSync(fd)
      open = false
    }
  }
}

/** An entry line the pass checked: by `plainEntry` when it is written as deckc writes it (most are), else `JSON.parse`. */
function readLine(line: string): StateEntry {
  return plainEntry(line) ?? (JSON.parse(line) as StateEntry)
}

/** Undo the pass's warnings: the file is read the ordinary way instead. */
function unsorted(file: VFile, messagesBefore: number): undefined {
  file.messages.length = messagesBefore
  return undefined
}

/**
 * The new state file's bytes, a part at a time: the header, then the old
 * lines not replaced and each deck's new lines, merged by guid (ties: old
 * lines first, then decks in order — the order `stateLines` sorts them in).
 */
export function mergedStateBytes(notetypes: State['notetypes'], kept: Iterable<[string, string]>, runs: Run[]): Generator<Buffer> {
  return inParts(mergedLines(notetypes, [kept[Symbol.iterator](), ...runs.map(readRun)]))
}

/** The header, then the lines of the sources merged by guid (a heap of the sources by their next line). */
function* mergedLines(notetypes: State['notetypes'], sources: Array<Iterator<[string, string]>>): Generator<string> {
  yield headerLine(notetypes)
  const heads: Head[] = []
  const take = (source: number) => {
    const next = sources[source]?.next()
    if (next && !next.done) push(heads, {guid: next.value[0], line: next.value[1], source})
  }
  for (let source = 0; source < sources.length; source++) take(source)
  for (let top = pop(heads); top; top = pop(heads)) {
    yield top.line
    take(top.source)
  }
}

/** A source's next line in the merge. */
interface Head {
  guid: string
  line: string
  source: number
}

/** Whether `a` comes before `b`: by guid, then by source (old lines before decks', decks in order). */
function before(a: Head, b: Head): boolean {
  const order = compare(a.guid, b.guid)
  return order < 0 || (order === 0 && a.source < b.source)
}

function push(heap: Head[], head: Head): void {
  heap.push(head)
  for (let at = heap.length - 1; at > 0; ) {
    const parent = (at - 1) >> 1
    if (!before(head, heap[parent] as Head)) break
    heap[at] = heap[parent] as Head
    heap[parent] = head
    at = parent
  }
}

function pop(heap: Head[]): Head | undefined {
  const top = heap[0]
  const last = heap.pop()
  if (heap.length === 0 || !last) return top
  heap[0] = last
  for (let at = 0; ; ) {
    const left = 2 * at + 1
    let least = at
    for (const child of [left, left + 1]) if (child < heap.length && before(heap[child] as Head, heap[least] as Head)) least = child
    if (least === at) break
    heap[at] = heap[least] as Head
    heap[least] = last
    at = least
  }
  return top
}

/** A deck's new state lines, sorted by guid, set aside: where to read them. */
export interface Run {
  read: (from?: number, to?: number) => Uint8Array
  bytes: number
}

/**
 * Set a deck's new entries aside as a run of lines sorted by guid, written
 * for the state file at `absolute`.
 */
export function putRun(entries: StateEntry[], absolute: string, cwd: string, shelf: Shelf): Run | undefined {
  if (entries.length === 0) return undefined
  const toFile = inStateFile(absolute, cwd)
  const sorted = [...entries].sort((a, b) => compare(a.guid, b.guid))
  // A record a line: the guid as JSON, a tab, the state file's line.
  const bytes = Buffer.from(sorted.map((entry) => `${JSON.stringify(entry.guid)}\t${entryLine(entry, toFile(entry.file))}\n`).join(''))
  return {read: shelf.put(bytes), bytes: bytes.length}
}

/** A run's lines with their guids, read a chunk at a time. */
function* readRun(run: Run): Generator<[string, string]> {
  let carry = Buffer.alloc(0)
  for (let from = 0; from < run.bytes; from += runChunk) {
    const chunk = Buffer.from(run.read(from, Math.min(run.bytes, from + runChunk)))
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
    // A chunk may end inside a line, even inside a character: only whole lines are decoded.
    const end = bytes.lastIndexOf(10) + 1
    // A copy: a view would keep the whole chunk.
    carry = Buffer.from(bytes.subarray(end))
    const lines = bytes.toString('utf8', 0, end).split('\n')
    lines.pop()
    for (const line of lines) {
      const tab = line.indexOf('\t')
      yield [JSON.parse(line.slice(0, tab)) as string, line.slice(tab + 1)]
    }
  }
  if (carry.length > 0) throw new Error('deckc: a set-aside run of state lines ends inside a line')
}

/** Bytes of a run read at a time: a build merges a run per deck, each with one chunk in hand. */
const runChunk = 8 * 1024

/** A 52-bit hash of a guid (FNV-1a, two 26-bit halves). */
function guidHash(guid: string): number {
  let a = 0x811c9dc5
  let b = 0x01000193
  for (let at = 0; at < guid.length; at++) {
    const code = guid.charCodeAt(at)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x5bd1e995)
  }
  return (a >>> 6) * 0x4000000 + (b >>> 6)
}

function sortedIncludes(sorted: Float64Array, value: number): boolean {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((sorted[middle] as number) < value) low = middle + 1
    else high = middle
  }
  return low < sorted.length && sorted[low] === value
}

/** The indexes of each id's entries, ascending, by the id's name. */
function groups(ids: Int32Array, names: string[]): Map<string, number[]> {
  const lists: number[][] = names.map(() => [])
  for (let at = 0; at < ids.length; at++) lists[ids[at] as number]?.push(at)
  return new Map(names.map((name, id) => [name, lists[id] as number[]]))
}

/** Strings numbered in the order first seen. */
class Interned {
  values: string[] = []
  private ids = new Map<string, number>()
  id(value: string): number {
    let id = this.ids.get(value)
    if (id === undefined) {
      id = this.values.length
      this.values.push(value)
      this.ids.set(value, id)
    }
    return id
  }
}

/** A typed array that grows as values are pushed. */
class Grow<T extends Float64Array | Int32Array> {
  length = 0
  private array: T
  constructor(private readonly make: new (length: number) => T) {
    this.array = new make(1024)
  }
  push(value: number): void {
    if (this.length === this.array.length) {
      const larger = new this.make(this.array.length * 2)
      larger.set(this.array)
      this.array = larger
    }
    this.array[this.length++] = value
  }
  done(): T {
    return this.array.subarray(0, this.length) as T
  }
}
