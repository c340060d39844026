import {Buffer} from 'node:buffer'
import type {VFile} from 'vfile'
import {defaultLimits, formatCount} from './limits.js'
import type {Limits} from './limits.js'

const fatalDecoder = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

/**
 * Turn a lecture's contents into text: reject a file over the size limit
 * without decoding it (a `too-large` error) and bytes that are not UTF-8 (a
 * `not-utf8` error at the first bad byte), drop byte-order marks (at the
 * start or anywhere else), read CRLF and lone CR line endings as LF and a
 * lone surrogate in a string as U+FFFD.
 *
 * @param value
 *   File contents; strings are taken as already decoded. A reader may pass
 *   just the first `limits.fileBytes + 1` bytes of a larger file.
 * @param file
 *   Receives the `too-large` and `not-utf8` messages.
 * @param limits
 *   `fileBytes`: the largest file decoded (default 10 MB).
 * @returns
 *   The text with `\n` line endings, or `undefined` when it is too large or
 *   not UTF-8.
 */
export function decode(value: Uint8Array | string, file: VFile, limits: Pick<Limits, 'fileBytes'> = defaultLimits): string | undefined {
  // A string has at least as many UTF-8 bytes as UTF-16 code units: count them only when it may fit.
  const size = typeof value === 'string' ? (value.length > limits.fileBytes ? value.length : Buffer.byteLength(value)) : value.length
  if (size > limits.fileBytes) {
    file.message(
      `File is too large: found more than ${formatCount(limits.fileBytes)} bytes; expected at most ${formatCount(limits.fileBytes)} bytes (split the lecture into several files)`,
      {place: {line: 1, column: 1}, ruleId: 'too-large', source: 'deckc'}
    ).fatal = true
    return undefined
  }
  let text: string
  if (typeof value === 'string') {
    text = value
  } else {
    try {
      text = fatalDecoder.decode(value)
    } catch {
      const offset = firstInvalidByte(value)
      file.message('File is not UTF-8: found an invalid byte sequence; expected UTF-8 text (save the file as UTF-8)', {
        place: placeOfByte(value, offset),
        ruleId: 'not-utf8',
        source: 'deckc'
      }).fatal = true
      return undefined
    }
  }
  // A byte-order mark is dropped wherever it is (files joined together carry one inside): SQLite
  // readers drop it from the start of a text, so a field or sort field starting with one would not
  // read back as written. A string may hold lone surrogates, which no UTF-8 text (and no Anki
  // field) can: they read as U+FFFD, as in TextDecoder.
  return text.replace(/\uFEFF/g, '').replace(loneSurrogate, '\uFFFD').replace(/\r\n?/g, '\n')
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Find the offset of the first byte that is not part of valid UTF-8: the
 * shortest prefix that fails to decode (streaming, so a character cut at the
 * end of a prefix is not an error) ends right after it.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let low = 0
  let high = bytes.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (decodes(bytes.subarray(0, middle + 1))) low = middle + 1
    else high = middle
  }
  // The decoder may fail only at the byte after a cut sequence: point at the sequence's lead byte.
  for (let back = 1; back <= 3 && low - back >= 0; back++) {
    const byte = bytes[low - back] ?? 0
    if ((byte & 0xc0) === 0x80) continue
    if (byte >= 0xc0 && sequenceLength(byte) > back) return low - back
    break
  }
  return low
}

function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2
}

function decodes(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes, {stream: true})
    return true
  } catch {
    return false
  }
}

/** 1-based line and column (in characters) of a byte offset; bytes before it are valid UTF-8. */
function placeOfByte(bytes: Uint8Array, offset: number): {line: number; column: number} {
  const before = new TextDecoder('utf-8', {ignoreBOM: false}).decode(bytes.subarray(0, offset))
  const lines = before.split(/\r\n?|\n/)
  const last = lines.at(-1) ?? ''
  return {line: lines.length, column: [...last].length + 1}
}
