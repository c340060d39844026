// A state file read from disk a few lines at a time (very large builds) gives
// what reading it whole gives: the same entries and warnings, and the same
// next state file.
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {VFile} from 'vfile'
import {openShelf} from '../src/cli/shelf.js'
import {readStateSource, stateFileBytes} from '../src/cli/state-file.js'
import {mergedStateBytes, putRun, storeState} from '../src/cli/stored-state.js'
import type {StoredState} from '../src/cli/stored-state.js'
import {entryLine, parseState} from '../src/state.js'
import type {StateEntry} from '../src/state.js'

const folders: string[] = []
const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
  for (const folder of folders.splice(0)) rmSync(folder, {recursive: true, force: true})
})

const pause = () => new Promise<void>((resolve) => setImmediate(resolve))
const header = '{"deckc":"lock","version":1,"notetypes":{"1":3}}'

/** Entries sorted by guid, over two lectures and a removed one, some with ids, non-ASCII questions, and quotes and backslashes JSON escapes. */
function entries(count: number): StateEntry[] {
  const files = ['a.md', 'sub/b.md', 'gone.md']
  return Array.from({length: count}, (_, index) => {
    const file = files[index % 3] as string
    const entry: StateEntry = {guid: `g${String(index).padStart(6, '0')}`, note: 1_700_000_000_000 + index * 1000, mod: 1_700_000_000 + index, hash: index.toString(16).padStart(16, '0'), file, deck: `Notes::${file === 'a.md' ? 'Alpha' : file === 'gone.md' ? 'Gone' : 'Sub::Beta'}`, question: `Question ${index} — ${index % 11 === 0 ? 'a "quoted" C:\\path' : '“ünïcödé”'} ${'x'.repeat(index % 200)}?`}
    return index % 7 === 0 ? {...entry, id: `card-${index}`} : entry
  })
}

/** Write a state file in `notes/` of a fresh working folder and read it back from disk. */
async function stored(text: string): Promise<{cwd: string; lock: string; state: StoredState | undefined; file: VFile; source: ReturnType<typeof readStateSource>}> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'deckc-stored-'))
  folders.push(cwd)
  mkdirSync(path.join(cwd, 'notes'))
  const lock = path.join(cwd, 'notes', 'deckc.lock')
  writeFileSync(lock, text)
  const source = readStateSource(lock, cwd)
  const state = await storeState(source, cwd, pause)
  if (state) closers.push(state.close)
  return {cwd, lock, state, file: source.file, source}
}

/** What `parseState` reads, with files relative to the working folder, as the build has them. */
function parsedWhole(text: string): {entries: StateEntry[]; messages: string[]; notetypes: Record<string, number>} {
  const file = new VFile({path: 'notes/deckc.lock'})
  const state = parseState(text, file)
  return {entries: state.entries.map((entry) => ({...entry, file: `notes/${entry.file}`})), messages: file.messages.map(String), notetypes: state.notetypes}
}

describe('a state file read from disk', () => {
  // Over 1 MB: lines cross the chunks it is read in.
  const all = entries(6000)
  const lines = all.map((entry) => entryLine(entry))
  const text = `${header}\n${lines.join('\n')}\n`

  it('gives the entries, note types, warnings and digest of reading it whole', async () => {
    // A merge conflict, an invalid line, a duplicate guid, a CRLF line and no final line break.
    const broken = [header, ...lines.slice(0, 3000), '<<<<<<< HEAD', lines[3000], lines[3000], `${lines[3001]}\r`, '{"guid":"g003001x","note":"soon"}', ...lines.slice(3002)].join('\n')
    // A line longer than the chunks it is read in.
    const long = [header, ...lines.slice(0, 10), entryLine({...(all[10] as StateEntry), question: 'q'.repeat(1_500_000)}), ...lines.slice(11)].join('\n')
    for (const source of [text, broken, long]) {
      const {state, file} = await stored(source)
      const whole = parsedWhole(source)
      expect(state).toBeDefined()
      if (!state) return
      expect(state.previous.length).toBe(whole.entries.length)
      expect(state.previous.at(whole.entries.map((_, index) => index))).toEqual(whole.entries)
      expect(file.messages.map(String)).toEqual(whole.messages)
      expect(state.notetypes).toEqual(whole.notetypes)
      expect(state.digest).toBe(createHash('sha256').update(source).digest('hex'))
      expect(Array.from(state.previous.notes())).toEqual(whole.entries.map((entry) => entry.note))
      const {byFile, byTitle} = state.previous.groups()
      expect(byFile.get('notes/sub/b.md')).toEqual(whole.entries.flatMap((entry, index) => (entry.file === 'notes/sub/b.md' ? [index] : [])))
      expect(byTitle().get('beta')).toEqual(byFile.get('notes/sub/b.md'))
      expect(state.previous.fileAt(2)).toBe('notes/gone.md')
    }
    expect(parsedWhole(broken).messages).toHaveLength(3)
  })

  it('knows whether it is written exactly as deckc writes it', async () => {
    expect((await stored(text)).state?.canonical).toBe(true)
    // The same entries written otherwise: an escape JSON does not need, a space, `./` before a file;
    // no final line break, a CRLF header, a blank line, a duplicate line.
    const variants = [
      ...['"question":"\\u0051', '"mod": ', '"file":"./'].map((written, index) => `${[header, ...lines.map((line, at) => (at === 7 ? line.replace(['"question":"Q', '"mod":', '"file":"'][index] as string, written) : line))].join('\n')}\n`),
      text.slice(0, -1),
      text.replace('\n', '\r\n'),
      text.replace('\n', '\n\n'),
      `${header}\n${lines[0]}\n${lines.join('\n')}\n`
    ]
    for (const variant of variants) {
      const {state} = await stored(variant)
      expect(state).toBeDefined()
      expect(state?.canonical).toBe(false)
    }
    // Bytes that are not UTF-8 in a line otherwise as deckc writes it.
    const bytes = Buffer.from(text)
    const at = bytes.indexOf('Question')
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'deckc-stored-'))
    folders.push(cwd)
    mkdirSync(path.join(cwd, 'notes'))
    writeFileSync(path.join(cwd, 'notes', 'deckc.lock'), Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at + 1)]))
    const wrong = await storeState(readStateSource(path.join(cwd, 'notes', 'deckc.lock'), cwd), cwd, pause)
    if (wrong) closers.push(wrong.close)
    expect(wrong?.canonical).toBe(false)
  })

  it('knows which guids are in use', async () => {
    const {state} = await stored(text)
    for (const index of [0, 1, 2999, 5999]) expect(state?.previous.hasGuid(`g${String(index).padStart(6, '0')}`)).toBe(true)
    for (const guid of ['g', 'g006000', 'g000000 ', 'a', 'zzz']) expect(state?.previous.hasGuid(guid)).toBe(false)
  })

  it('is left to the ordinary reading when its lines are not sorted by guid, without warnings', async () => {
    const unsorted = [header, '<<<<<<< HEAD', lines[1], lines[0], ...lines.slice(2)].join('\n')
    const {state, file, source} = await stored(unsorted)
    expect(state).toBeUndefined()
    expect(file.messages).toEqual([])
    // Its bytes are back for that reading.
    expect(Buffer.from(source.bytes ?? []).toString()).toBe(unsorted)
  })

  it('merges the lines no deck replaced with the decks\' new lines into the state file the whole state gives', async () => {
    const {state, lock, cwd} = await stored(text)
    if (!state) throw new Error('not stored')
    const whole = parsedWhole(text).entries
    // Deck a replaces its entries: some keep their guids (changed), others go; two new cards.
    const dropped = new Uint8Array(whole.length)
    const deckA: StateEntry[] = []
    whole.forEach((entry, index) => {
      if (entry.file !== 'notes/a.md') return
      dropped[index] = 1
      if (index % 5 !== 0) deckA.push({...entry, mod: entry.mod + 1, question: `${entry.question} (edited)`})
    })
    deckA.push({...(whole[0] as StateEntry), guid: 'g002500~', question: 'New “one”?'}, {...(whole[0] as StateEntry), guid: 'a-first', question: 'New two?', id: 'two'})
    // Deck b (moved from the removed lecture) takes the removed lecture's entries under its own file.
    const deckB: StateEntry[] = []
    whole.forEach((entry, index) => {
      if (entry.file !== 'notes/gone.md' || index % 2 === 0) return
      dropped[index] = 1
      deckB.push({...entry, file: 'notes/sub/b2.md'})
    })
    const expected = Buffer.concat([...stateFileBytes(lock, {notetypes: {1: 3, 2: 4}, entries: [...whole.filter((_, index) => !dropped[index]), ...deckA, ...deckB]}, cwd)])
    const shelf = openShelf()
    closers.push(shelf.close)
    const runs = [putRun(deckA, lock, cwd, shelf), putRun([], lock, cwd, shelf), putRun(deckB, lock, cwd, shelf)].flatMap((run) => run ?? [])
    expect(runs).toHaveLength(2)
    const merged = Buffer.concat([...mergedStateBytes({1: 3, 2: 4}, state.kept(dropped), runs)])
    expect(merged.toString()).toBe(expected.toString())
    // Made again (to compare, then to write): the same.
    expect(Buffer.concat([...mergedStateBytes({1: 3, 2: 4}, state.kept(dropped), runs)]).equals(merged)).toBe(true)
    expect(state.orphanTitles(dropped, new Set(['notes/a.md', 'notes/sub/b.md', 'notes/sub/b2.md']))).toEqual(['gone'])
    expect(state.orphanTitles(new Uint8Array(whole.length).fill(1), new Set())).toEqual([])

    // The same entries written otherwise (an escape JSON does not need, a space, `./` before a file):
    // kept lines come out as deckc writes them.
    const variant = [header, ...lines.map((line, index) => (index % 4 === 1 ? line.replace('"question":"Q', '"question":"\\u0051') : index % 4 === 2 ? line.replace('"mod":', '"mod": ') : index % 4 === 3 ? line.replace('"file":"', '"file":"./') : line))].join('\n')
    const other = await stored(`${variant}\n`)
    if (!other.state) throw new Error('not stored')
    const otherRuns = [putRun(deckA, other.lock, other.cwd, shelf), putRun(deckB, other.lock, other.cwd, shelf)].flatMap((run) => run ?? [])
    expect(Buffer.concat([...mergedStateBytes({1: 3, 2: 4}, other.state.kept(dropped), otherRuns)]).toString()).toBe(expected.toString())
  })
})
