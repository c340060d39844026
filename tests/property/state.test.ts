// Reading the state file (deckc.lock) without JSON.parse and zod for the lines
// deckc writes, and knowing when a file is exactly what deckc would write for
// what it holds (then a build that keeps every entry need not write it again,
// nor work out its bytes to compare).
import fc from 'fast-check'
import {VFile} from 'vfile'
import {describe, expect, it} from 'vitest'
import * as z from 'zod/mini'
import {Buffer} from 'node:buffer'
import {entryLine, entrySchema, headerLine, parseEntryLine, plainEntry, plainEntryAt, readState, serializeState} from '../../src/state.js'
import type {State, StateEntry} from '../../src/state.js'

/** Characters JSON escapes or that sit at the edges of what a line may hold, and ordinary ones. */
const character = fc.oneof(
  {weight: 6, arbitrary: fc.constantFrom('a', 'Q', ' ', '?', '0', 'é', '日', '😀', ':', ',', '{', '}', '[', ']')},
  {weight: 2, arbitrary: fc.constantFrom('"', '\\', '/', '\u0000', '\n', '\r', '\t', '\u001f', '\u007f', '\u2028', '\u2029', '\uD800', '\uDC00', '\uFEFF')}
)
const text = (minLength = 0) => fc.array(character, {minLength, maxLength: 8}).map((parts) => parts.join(''))
const integer = fc.oneof(fc.constantFrom(0, 1, 9, 10, 2 ** 53 - 1, 2 ** 53, 1e21, -1, 1.5), fc.nat())
const hash = fc.oneof(fc.constant('abcdef0123456789'), fc.stringMatching(/^[\da-fA-F]{15,17}$/))

/** Entries, valid or not: any value of each field's type, and sometimes an `#id`. */
const entry = fc.record(
  {guid: text(), note: integer, mod: integer, hash, file: text(), deck: text(), question: text(), id: text()},
  {requiredKeys: ['guid', 'note', 'mod', 'hash', 'file', 'deck', 'question']}
) as fc.Arbitrary<StateEntry>

/** A line as deckc writes it, or one edited by hand: spaces, another key order, escapes where none are needed. */
const line = fc.oneof(
  {weight: 4, arbitrary: entry.map((value) => entryLine(value))},
  {weight: 1, arbitrary: entry.map((value) => JSON.stringify(value, null, 1).replace(/\n/g, ''))},
  {weight: 1, arbitrary: entry.map((value) => JSON.stringify(Object.fromEntries(Object.entries(value).reverse())))},
  {weight: 1, arbitrary: entry.map((value) => entryLine(value).replace(/a/g, '\\u0061'))},
  {weight: 1, arbitrary: fc.tuple(entry, fc.constantFrom('"note":', '"mod":')).map(([value, key]) => entryLine(value).replace(key, `${key}0`))},
  {weight: 3, arbitrary: entry.map((value) => entryLine(value).replace(/\\ud[89a-f][\da-f]{2}/, (escape) => JSON.parse(`"${escape}"`) as string))},
  {weight: 1, arbitrary: fc.tuple(entry, fc.nat(), fc.constantFrom('', ' ', '"', '\\', '}', '0', '\r')).map(([value, at, insert]) => {
    const written = entryLine(value)
    const place = at % (written.length + 1)
    return written.slice(0, place) + insert + written.slice(place)
  })}
)

/** What JSON.parse and the schema make of a line: the entry, or `undefined`. */
function byJson(text: string): StateEntry | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = z.safeParse(entrySchema, value)
  if (!parsed.success) return undefined
  const {id, ...rest} = parsed.data
  return id === undefined ? rest : {...rest, id}
}

describe('a state line read without JSON.parse', () => {
  it('gives what JSON.parse and the schema give, and only for lines written exactly as deckc writes them', () => {
    fc.assert(
      fc.property(line, (written) => {
        const plain = plainEntry(written)
        if (plain === undefined) return
        expect(plain).toEqual(byJson(written))
        expect(entryLine(plain)).toBe(written)
      }),
      {numRuns: 5000}
    )
  })

  it('reads every valid entry deckc writes without an escape', () => {
    fc.assert(
      fc.property(entry, (value) => {
        const written = entryLine(value)
        const expected = byJson(written)
        expect(plainEntry(written)).toEqual(expected !== undefined && !written.includes('\\') ? expected : undefined)
      }),
      {numRuns: 5000}
    )
  })
})

/** A line's UTF-8 bytes, sometimes with a byte that is not UTF-8 put in (read as U+FFFD). */
const lineBytes = fc.tuple(line, fc.nat(), fc.option(fc.integer({min: 0x80, max: 0xff}), {freq: 3})).map(([written, at, stray]) => {
  const bytes = Buffer.from(written)
  if (stray === null) return bytes
  const place = at % (bytes.length + 1)
  return Buffer.concat([bytes.subarray(0, place), Buffer.of(stray), bytes.subarray(place)])
})

describe('a state line read from its bytes', () => {
  it('gives what plainEntry gives for the line decoded, and where the line ends', () => {
    fc.assert(
      fc.property(lineBytes, fc.constantFrom('', '\n', '\n{"guid":"x"}', '\r\n'), (bytes, after) => {
        const expected = plainEntry(bytes.toString('utf8'))
        const read = plainEntryAt(Buffer.concat([Buffer.from('\n'), bytes, Buffer.from(after)]), 1)
        expect(read?.entry).toEqual(after === '\r\n' ? undefined : expected)
        if (read) expect(read.end).toBe(1 + bytes.length)
      }),
      {numRuns: 5000}
    )
  })
})

/** A valid state, its entries' guids distinct. */
const state = fc
  .record({
    notetypes: fc.dictionary(fc.stringMatching(/^\d{1,4}$/), fc.integer({min: 1, max: 9}), {maxKeys: 3}),
    entries: fc.uniqueArray(entry, {selector: (value) => value.guid, maxLength: 6})
  })
  .map((value): State => ({notetypes: value.notetypes, entries: value.entries.filter((item) => byJson(entryLine(item)) !== undefined)}))

/** A file as deckc writes a state, or that text changed the ways people and tools change it. */
const stateText = fc.oneof(
  {weight: 3, arbitrary: state.map(serializeState)},
  {
    weight: 4,
    arbitrary: fc.tuple(state, fc.nat(), fc.constantFrom('crlf', 'blank', 'no-end', 'swap', 'twice', 'spaces', 'escape', 'conflict', 'header', 'empty')).map(([value, at, change]) => {
      const lines = serializeState(value).split('\n').slice(0, -1)
      const pick = at % lines.length
      switch (change) {
        case 'crlf':
          return `${lines.join('\r\n')}\r\n`
        case 'blank':
          lines.splice(pick, 0, '')
          break
        case 'no-end':
          return lines.join('\n')
        case 'swap':
          lines.reverse()
          break
        case 'twice':
          lines.splice(pick, 0, lines[pick] as string)
          break
        case 'spaces':
          lines[pick] = (lines[pick] as string).replace(/,/g, ', ')
          break
        case 'escape':
          lines[pick] = (lines[pick] as string).replace(/e/g, '\\u0065')
          break
        case 'conflict':
          lines.splice(pick, 0, '<<<<<<< HEAD')
          break
        case 'header':
          lines[0] = JSON.stringify({version: 1, deckc: 'lock', notetypes: value.notetypes})
          break
        case 'empty':
          return ''
      }
      return `${lines.join('\n')}\n`
    })
  }
)

describe('a state file read', () => {
  it('is canonical exactly when writing what it holds gives its bytes again', () => {
    fc.assert(
      fc.property(stateText, fc.boolean(), (written, asBytes) => {
        const read = readState(asBytes ? new TextEncoder().encode(written) : written, new VFile())
        expect(read.canonical).toBe(serializeState(read.state) === written)
      }),
      {numRuns: 3000}
    )
  })

  it('holds the first line of each guid, the same from its bytes as from each line decoded', () => {
    fc.assert(
      fc.property(stateText, fc.nat(), fc.option(fc.integer({min: 0x80, max: 0xff}), {freq: 3}), (written, at, stray) => {
        let bytes = Buffer.from(written)
        if (stray !== null) bytes = Buffer.concat([bytes.subarray(0, at % (bytes.length + 1)), Buffer.of(stray), bytes.subarray(at % (bytes.length + 1))])
        const lines = bytes.toString('latin1').split('\n').map((part) => Buffer.from(part, 'latin1').toString('utf8'))
        const first = new Map<string, StateEntry>()
        for (const text of lines.slice(1)) {
          const read = parseEntryLine(text)
          if (read && !first.has(read.guid)) first.set(read.guid, read)
        }
        const fromBytes = new VFile()
        const fromText = new VFile()
        const read = readState(bytes, fromBytes)
        expect(read.state.entries).toEqual([...first.values()])
        expect(read.state).toEqual(readState(lines.join('\n'), fromText).state)
        expect(fromBytes.messages.map(String)).toEqual(fromText.messages.map(String))
      }),
      {numRuns: 3000}
    )
  })

  it('reads a file deckc wrote as canonical, with what a hand edit changes', () => {
    const entries: StateEntry[] = [
      {guid: 'a', note: 1_790_000_000_000, mod: 1_790_000_000, hash: 'abcdef0123456789', file: 'l.md', deck: 'L', question: 'Say "hi"?'},
      {guid: 'b', note: 1_790_000_000_001, mod: 1_790_000_000, hash: 'abcdef0123456789', file: 'l.md', deck: 'L', question: 'Q?', id: 'q'}
    ]
    const written = serializeState({notetypes: {'1': 2}, entries})
    expect(written.split('\n')[0]).toBe(headerLine({'1': 2}))
    const read = readState(written, new VFile())
    expect(read).toEqual({state: {notetypes: {'1': 2}, entries}, canonical: true})
    for (const edited of [written.replace('"mod":1790000000,', '"mod": 1790000000,'), written.replace(/\n/g, '\r\n'), written.trimEnd(), `${written}\n`]) {
      expect(readState(edited, new VFile())).toEqual({state: {notetypes: {'1': 2}, entries}, canonical: false})
    }
    // Bytes that are not UTF-8 read as U+FFFD, which deckc would write as other bytes.
    const bytes = new TextEncoder().encode(written.replace('Q?', 'Q\uFFFD?'))
    const at = bytes.indexOf(0xef)
    expect(readState(bytes, new VFile()).canonical).toBe(true)
    expect(readState(Uint8Array.of(...bytes.subarray(0, at), 0xff, ...bytes.subarray(at + 3)), new VFile())).toEqual({
      state: {notetypes: {'1': 2}, entries: [entries[0], {...entries[1], question: 'Q\uFFFD?'}]},
      canonical: false
    })
  })
})
