// Reading and splicing a state file at the byte level must agree with
// parsing and writing it (state.ts), for any entries.
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {VFile} from 'vfile'
import {findGuid, guidAt, lineText, linesWith, sameParts, scanLock, splice} from '../src/lock-lines.js'
import type {Cut} from '../src/lock-lines.js'
import {stateFileBytes} from '../src/cli/state-file.js'
import {entryLine, parseState, serializeState} from '../src/state.js'
import type {StateEntry} from '../src/state.js'

const notetypes = {'1759256399': 3}
const guid = fc.stringMatching(/^[!#-[\]-~]{1,10}$/)
const entry = fc.record({
  guid,
  note: fc.integer({min: 1, max: 2 ** 48}),
  mod: fc.integer({min: 0, max: 2 ** 32}),
  hash: fc.stringMatching(/^[\da-f]{16}$/),
  file: fc.constantFrom('a.md', 'sub/b.md', 'ünï "quoted".md'),
  deck: fc.constantFrom('A', 'sub::B', 'Ü'),
  question: fc.string({unit: 'grapheme'})
})
const entries = fc.uniqueArray(entry, {selector: (item) => item.guid, maxLength: 40})
const bytes = (list: StateEntry[]) => Buffer.from(serializeState({notetypes, entries: list}))

describe('state files at the byte level', () => {
  it('finds every line, guid and note id', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const lock = scanLock(bytes(list))
        expect(lock).toBeDefined()
        if (!lock) return
        const sorted = [...list].sort((a, b) => (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0))
        expect(Array.from({length: lock.count}, (_, index) => guidAt(lock, index))).toEqual(sorted.map((item) => item.guid))
        expect([...lock.notes]).toEqual(sorted.map((item) => item.note))
        const span = (index: number) => ({start: lock.starts[index] as number, end: (lock.starts[index + 1] as number) - 1})
        for (const [index, item] of sorted.entries()) {
          expect(lineText(lock.bytes, span(index))).toBe(entryLine(item))
          expect(findGuid(lock, item.guid)).toEqual({index, found: true})
        }
        const inFile = sorted.flatMap((item, index) => (item.file === 'sub/b.md' ? [span(index)] : []))
        expect(linesWith(lock.bytes, `,"file":${JSON.stringify('sub/b.md')},"deck":`)).toEqual(inFile)
      })
    )
  })

  it('drops and merges lines as writing the new state would', () => {
    fc.assert(
      fc.property(entries, fc.array(fc.nat()), entries, (list, drops, more) => {
        const dropped = new Set(drops.filter((index) => index < list.length).map((index) => (list[index] as StateEntry).guid))
        const kept = list.filter((item) => !dropped.has(item.guid))
        const added = more.filter((item) => !kept.some((other) => other.guid === item.guid))
        const lock = scanLock(bytes(list))
        if (!lock) throw new Error('not scanned')
        // As an incremental build cuts: dropped lines out, new lines where their guids sort, in guid order.
        const cuts: Cut[] = []
        for (const guid of dropped) {
          const {index} = findGuid(lock, guid)
          cuts.push({at: lock.starts[index] as number, skip: (lock.starts[index + 1] as number) - (lock.starts[index] as number)})
        }
        for (const item of [...added].sort((a, b) => (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0))) {
          cuts.push({at: lock.starts[findGuid(lock, item.guid).index] as number, skip: 0, insert: entryLine(item)})
        }
        const parts = splice(lock.bytes, cuts)
        const expected = bytes([...kept, ...added])
        expect(Buffer.concat(parts).toString()).toBe(expected.toString())
        expect(sameParts(parts, expected)).toBe(true)
        expect(sameParts(parts, lock.bytes)).toBe(expected.equals(lock.bytes))
      })
    )
  })

  it('refuses files not as deckc writes them', () => {
    const good = serializeState({notetypes, entries: [{guid: 'a', note: 1, mod: 1, hash: '0123456789abcdef', file: 'a.md', deck: 'A', question: 'q'}]})
    expect(scanLock(Buffer.from(good))).toBeDefined()
    for (const bad of [good.trimEnd(), good.replace('"note":1', '"note":"1"'), good.replace('{"guid":"a"', '{"guid":"\\u00e4"'), good.replace('{"guid"', '{ "guid"'), `${good}\n`]) {
      expect(scanLock(Buffer.from(bad))).toBeUndefined()
    }
    expect(parseState(good, new VFile()).entries).toHaveLength(1)
  })

  it('are made in parts of 10,000 lines with the bytes serializeState gives, paths made relative to the state file', () => {
    const many: StateEntry[] = Array.from({length: 25_000}, (_, index) => ({
      guid: `g${(index * 7919) % 25_000}`,
      note: index + 1,
      mod: 1,
      hash: '0123456789abcdef',
      file: index % 2 ? 'notes/a.md' : 'notes/sub/b.md',
      deck: 'A',
      question: `question ${index} ünï`
    }))
    const written = stateFileBytes('/work/notes/deckc.lock', {notetypes, entries: many}, '/work')
    const expected = serializeState({notetypes, entries: many.map((entry) => ({...entry, file: entry.file.slice('notes/'.length)}))})
    const parts = [...written]
    expect(parts).toHaveLength(3)
    expect(Buffer.concat(parts).toString()).toBe(expected)
    expect(Buffer.concat([...stateFileBytes('/work/notes/deckc.lock', {notetypes, entries: []}, '/work')]).toString()).toBe(serializeState({notetypes, entries: []}))
  })
})
