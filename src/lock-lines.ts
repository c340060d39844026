/**
 * A state file as deckc writes it (state.ts: a header line, then one entry a
 * line sorted by guid, each starting `{"guid":"…","note":N,`), read and
 * changed at the byte level: the note id of every line and whether a guid is
 * in use without parsing any line, the lines that mention a lecture, and the
 * file with some lines dropped and others merged in (as parts, mostly views
 * of the bytes read). For incremental builds,
 * where decoding and parsing every entry of a large state file would cost
 * more than compiling the lecture that changed. Anything not in that form
 * gives `undefined`; the caller then reads the file the ordinary way.
 */
import {Buffer} from 'node:buffer'

/** The lines of a state file, by index: where each starts, where its guid ends, its note id. */
export interface LockLines {
  bytes: Buffer
  /** The bytes as Latin-1 text: one character per byte, so offsets are byte offsets. */
  text: string
  count: number
  /** Offset of each line's first byte (and, at `count`, the end of the file). */
  starts: Int32Array
  /** Offset of the `"` closing each line's guid. */
  guidEnds: Int32Array
  notes: Float64Array
}

const guidStart = '{"guid":"'.length

/** Scan a state file's bytes; `undefined` unless every line is as deckc writes it (guids in printable ASCII). */
export function scanLock(data: Uint8Array): LockLines | undefined {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const text = bytes.toString('latin1')
  const headerEnd = text.indexOf('\n')
  if (headerEnd === -1 || !text.endsWith('\n')) return undefined
  let count = 0
  for (let at = text.indexOf('\n', headerEnd + 1); at !== -1; at = text.indexOf('\n', at + 1)) count++
  const starts = new Int32Array(count + 1)
  const guidEnds = new Int32Array(count)
  const notes = new Float64Array(count)
  let start = headerEnd + 1
  for (let index = 0; index < count; index++) {
    if (!text.startsWith('{"guid":"', start)) return undefined
    let at = start + guidStart
    for (let code = text.charCodeAt(at); code !== 0x22; code = text.charCodeAt(++at)) {
      // Printable ASCII without `\`: the guid is written as it is.
      if (code < 0x20 || code > 0x7e || code === 0x5c) return undefined
    }
    guidEnds[index] = at
    if (!text.startsWith('","note":', at)) return undefined
    at += '","note":'.length
    const digits = at
    let note = 0
    for (let code = text.charCodeAt(at); code >= 0x30 && code <= 0x39; code = text.charCodeAt(++at)) note = note * 10 + code - 0x30
    if (at === digits || text.charCodeAt(at) !== 0x2c) return undefined
    starts[index] = start
    notes[index] = note
    start = text.indexOf('\n', at) + 1
  }
  starts[count] = start
  return {bytes, text, count, starts, guidEnds, notes}
}

/** The guid of line `index`. */
export function guidAt(lock: LockLines, index: number): string {
  return lock.text.slice((lock.starts[index] as number) + guidStart, lock.guidEnds[index])
}

/** Index of the line with this guid, or of where it would be inserted (lines are sorted by guid), and whether it is there. */
export function findGuid(lock: LockLines, guid: string): {index: number; found: boolean} {
  let low = 0
  let high = lock.count
  while (low < high) {
    const middle = (low + high) >>> 1
    if (guidAt(lock, middle) < guid) low = middle + 1
    else high = middle
  }
  return {index: low, found: low < lock.count && guidAt(lock, low) === guid}
}

/** Where one line is: from its first byte to its `\n`. */
export interface Span {
  start: number
  end: number
}

/**
 * The lines in which `marker` occurs, in file order, found in the bytes
 * (no index needed: a lecture's lines are found without reading the rest).
 */
export function linesWith(bytes: Buffer, marker: string): Span[] {
  const found: Span[] = []
  const needle = Buffer.from(marker)
  for (let at = bytes.indexOf(needle); at !== -1; ) {
    const start = bytes.lastIndexOf(0x0a, at) + 1
    const end = bytes.indexOf(0x0a, at)
    if (start > 0 && end !== -1) found.push({start, end})
    at = end === -1 ? -1 : bytes.indexOf(needle, end)
  }
  return found
}

/** The text of a line, without its line ending. */
export function lineText(bytes: Buffer, span: Span): string {
  return bytes.toString('utf8', span.start, span.end)
}

/** A place to change: `skip` bytes from `at` are left out and `insert` (a line) put there. */
export interface Cut {
  at: number
  skip: number
  insert?: string | undefined
}

/**
 * The bytes with the cuts made, as parts to write one after the other. Cuts
 * at one offset are made in the order given (the caller orders new lines by
 * guid); unchanged stretches between them are views of `bytes`, not copies.
 */
export function splice(bytes: Buffer, cuts: Cut[]): Buffer[] {
  const ordered = cuts.map((cut, order) => ({...cut, order})).sort((a, b) => a.at - b.at || a.order - b.order)
  const parts: Buffer[] = []
  let from = 0
  for (const cut of ordered) {
    if (cut.at > from) parts.push(bytes.subarray(from, cut.at))
    if (cut.insert !== undefined) parts.push(Buffer.from(`${cut.insert}\n`))
    from = Math.max(from, cut.at + cut.skip)
  }
  parts.push(bytes.subarray(from))
  return parts
}

/** Whether parts put together are these bytes. */
export function sameParts(parts: Uint8Array[], bytes: Uint8Array): boolean {
  if (parts.reduce((sum, part) => sum + part.length, 0) !== bytes.length) return false
  let at = 0
  for (const part of parts) {
    if (Buffer.compare(part, bytes.subarray(at, at + part.length)) !== 0) return false
    at += part.length
  }
  return true
}
