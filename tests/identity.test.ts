// Rebuilds after edits, judged by Anki's import rules (anki-apkg-format.md §7.4):
// a note is matched by guid and overwritten only when its mod is strictly newer.
import {describe, expect, it} from 'vitest'
import {NOTETYPES} from '../src/anki/format.js'
import {compile} from '../src/compile.js'
import type {CompiledDeck} from '../src/compile.js'
import {identities} from '../src/identify.js'
import {match} from '../src/match.js'
import {emptyState, nextState, parseState, serializeState} from '../src/state.js'
import type {State} from '../src/state.js'
import type {Note} from '../src/types.js'
import {VFile} from 'vfile'

const notetypes = Object.fromEntries(NOTETYPES.map((notetype) => [String(notetype.id), notetype.flds.length]))
const day = 86_400_000

/**
 * Build each version in turn, a day apart, carrying the state file over
 * (through its text, as on disk). Paths start with the notes root: its
 * folders below become parent decks, as in the CLI.
 */
function builds(...versions: Array<Record<string, string>>): CompiledDeck[][] {
  let state: State = emptyState
  return versions.map((files, index) => {
    const lectures = Object.entries(files).map(([path, value]) => ({path, value, relative: path.slice(path.indexOf('/') + 1)}))
    const decks = compile(lectures, {clock: 1_790_000_000_000 + index * day, state})
    for (const deck of decks) expect(deck.file.messages.filter((message) => message.fatal).map(String)).toEqual([])
    state = parseState(serializeState(nextState(state, decks, notetypes)), new VFile())
    return decks
  })
}

function notes(decks: CompiledDeck[]): Note[] {
  return decks.flatMap((deck) => deck.collection?.notes ?? [])
}

/** What Anki does with each incoming note, given the notes it imported before (by guid). */
function importOutcome(before: Note[], after: Note[]): Record<string, 'added' | 'updated' | 'up to date'> {
  const known = new Map(before.map((note) => [note.guid, note]))
  return Object.fromEntries(
    after.map((note) => {
      const existing = known.get(note.guid)
      const outcome = !existing ? 'added' : note.mod > existing.mod ? 'updated' : 'up to date'
      return [note.fields[0] ?? '', outcome]
    })
  )
}

const v1 = `Caches
What is a cache hit?
The data is in the cache.
What is a cache miss?
The data is not in the cache.
What needs to be done in data part?
collect data
What needs to be done in model part?
train the model
`

describe('identity across rebuilds', () => {
  it('keeps guids and mods of untouched notes, and makes edited notes newer', () => {
    const v2 = v1.replace('The data is not in the cache.', 'The data must be fetched from memory.')
    const [first = [], second = []] = builds({'notes/caches.md': v1}, {'notes/caches.md': v2})
    expect(importOutcome(notes(first), notes(second))).toEqual({
      'What is a cache hit?': 'up to date',
      'What is a cache miss?': 'updated',
      'What needs to be done in data part?': 'up to date',
      'What needs to be done in model part?': 'up to date'
    })
    expect(notes(second).map((note) => note.id)).toEqual(notes(first).map((note) => note.id))
    expect(second[0]?.changes).toMatchObject({added: 0, updated: 1, unchanged: 3, removed: []})
  })

  it('gives new notes ids back from the build time, ascending in lecture order, after lectures without new cards too', () => {
    const clock = 1_790_000_000_000
    const lecture = (title: string, count: number) => `${title}\n${Array.from({length: count}, (_, index) => `What is ${title} ${index}?\nIt is ${index}.`).join('\n')}\n`
    const first = {'notes/a.md': lecture('A', 2), 'notes/b.md': lecture('B', 1), 'notes/c.md': lecture('C', 1)}
    // The next day A is unchanged, B and C each gain a card.
    const second = {'notes/a.md': lecture('A', 2), 'notes/b.md': lecture('B', 2), 'notes/c.md': lecture('C', 2)}
    const [built = [], rebuilt = []] = builds(first, second)
    expect(built.map((deck) => deck.collection?.notes.map((note) => note.id))).toEqual([[clock - 4000, clock - 3000], [clock - 2000], [clock - 1000]])
    const next = clock + day
    expect(rebuilt.map((deck) => deck.collection?.notes.map((note) => note.id))).toEqual([[clock - 4000, clock - 3000], [clock - 2000, next - 2000], [clock - 1000, next - 1000]])
  })

  it('keeps identity through a typo fix, reordering, insertion and formatting changes', () => {
    const v2 = `Caches
What is a **cache   miss**?
The data is not in the cache.
What is a new card?
New.
What is a cach hit?
The data is in the cache.
What needs to be done in data part?
collect data
What needs to be done in model part?
train the model
`
    const [first = [], second = []] = builds({'notes/caches.md': v1}, {'notes/caches.md': v2})
    const guid = (decks: CompiledDeck[], text: string) => notes(decks).find((note) => note.fields[0]?.includes(text))?.guid
    expect(guid(second, 'cach hit')).toBe(guid(first, 'cache hit'))
    expect(guid(second, 'miss')).toBe(guid(first, 'miss'))
    expect(importOutcome(notes(first), notes(second))).toMatchObject({
      'What is a new card?': 'added',
      'What is a cach hit?': 'updated',
      'What is a <strong>cache   miss</strong>?': 'updated'
    })
  })

  it('never lets a near-twin take another card’s identity', () => {
    const guid = (decks: CompiledDeck[], text: string) => notes(decks).find((note) => note.fields[0]?.includes(text))?.guid
    // A typo fixed in one twin: it keeps its own identity, the other twin keeps its.
    const typo = v1.replace('in data part?', 'in data prt?')
    const [first = [], second = []] = builds({'notes/caches.md': v1}, {'notes/caches.md': typo})
    expect(guid(second, 'data prt')).toBe(guid(first, 'data part'))
    expect(guid(second, 'model part')).toBe(guid(first, 'model part'))
    // One twin replaced by the other (0.86 alike, below the threshold): a new card, and the old one reported removed.
    const only = (part: string) => `Twins\nWhat needs to be done in ${part} part?\nwork\n`
    const [before = [], after = []] = builds({'notes/t.md': only('data')}, {'notes/t.md': only('model')})
    expect(notes(after)[0]?.guid).not.toBe(notes(before)[0]?.guid)
    expect(after[0]?.changes).toMatchObject({added: 1, removed: [{question: 'What needs to be done in data part?', deck: 'Twins'}]})
  })

  it('matches a rewritten question only with an #id, and an #id added later keeps the identity', () => {
    const pinned = v1.replace('What is a cache hit?', 'What is a cache hit? {#hit}')
    const rewritten = pinned.replace('What is a cache hit? {#hit}', 'When does the CPU find a line it looks for? {#hit}')
    const [first = [], second = [], third = []] = builds({'n/c.md': v1}, {'n/c.md': pinned}, {'n/c.md': rewritten})
    const hit = (decks: CompiledDeck[]) => notes(decks)[0]?.guid
    expect(hit(second)).toBe(hit(first))
    expect(hit(third)).toBe(hit(first))
  })

  it('gives the same question in two decks two guids', () => {
    const [decks = []] = builds({'notes/a.md': 'Deck A\nWhat is a cache?\nA\n', 'notes/b.md': 'Deck B\nWhat is a cache?\nB\n'})
    const [a, b] = notes(decks)
    expect(a?.guid).not.toBe(b?.guid)
    expect(a?.id).not.toBe(b?.id)
  })

  it('keeps guids when the file is renamed or moved to another folder', () => {
    const [first = [], second = [], third = [], fourth = []] = builds({'notes/caches.md': v1}, {'notes/term1/l1-caches.md': v1}, {'notes/term2/caches.md': v1}, {'notes/caches.md': v1})
    expect(second[0]?.deck).toBe('term1::Caches')
    for (const later of [second, third, fourth]) expect(notes(later).map((note) => note.guid)).toEqual(notes(first).map((note) => note.guid))
    // The lecture tag follows the file, so the notes are updated (in place).
    expect(second[0]?.changes).toMatchObject({added: 0, updated: 4, removed: []})
  })

  it('gives a moved file\'s cards to one lecture only when two new ones share its title', () => {
    // Both new lectures could be the old file moved (same own deck name, the old file is gone): the first takes its cards.
    const [first = [], second = []] = builds({'notes/caches.md': v1}, {'notes/a/caches.md': v1, 'notes/b/caches.md': v1})
    expect(second.map((deck) => deck.deck)).toEqual(['a::Caches', 'b::Caches'])
    expect(notes(second.slice(0, 1)).map((note) => note.guid)).toEqual(notes(first).map((note) => note.guid))
    expect(second[1]?.changes).toMatchObject({added: 4, removed: []})
    const guids = notes(second).map((note) => note.guid)
    expect(new Set(guids).size).toBe(8)
  })

  it('reports cards that moved to another deck', () => {
    const [, second = []] = builds({'notes/caches.md': v1}, {'notes/caches.md': v1.replace('Caches', 'Memory Hierarchy')})
    expect(second[0]?.changes?.moved).toHaveLength(4)
    expect(second[0]?.changes?.moved[0]).toEqual({question: 'What is a cache hit?', from: 'Caches'})
  })

  it('gives new notes ids below the clock that never collide with existing ones', () => {
    const [first = [], second = []] = builds({'notes/caches.md': v1}, {'notes/caches.md': `${v1}What is new?\nNew.\n`})
    const ids = notes(second).map((note) => note.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toBeLessThanOrEqual(1_790_000_000_000 + day)
    expect(ids.slice(0, 4)).toEqual(notes(first).map((note) => note.id))
    // Card ids are note id + ord: note ids at least a second apart.
    const sorted = [...ids].sort((a, b) => a - b)
    for (let index = 1; index < sorted.length; index++) expect((sorted[index] ?? 0) - (sorted[index - 1] ?? 0)).toBeGreaterThanOrEqual(1000)
  })

  it('builds twice with the same state and clock to the same notes', () => {
    const [first = []] = builds({'notes/caches.md': v1})
    const [again = []] = builds({'notes/caches.md': v1})
    expect(notes(again)).toEqual(notes(first))
  })
})

describe('identities', () => {
  it('keeps each question in the state with runs of white space as one space, trimmed', () => {
    const questions = ['What is a cache?', 'What is\ta cache?', 'What is  a cache?', ' What is a cache?', 'What is a cache? ', 'What is\na cache?', 'What is\u00A0a cache?', 'What\u2003is a\r\ncache?', 'What is a cache?\u3000']
    const cards = questions.map((question) => ({question, attributes: {}, hash: '0123456789abcdef'}))
    let next = 1
    const {entries} = identities(cards, {deck: 'D', title: 'D', tags: [], reverse: false, path: 'd.md', clock: 1_790_000_000_000, previous: [], pool: [], taken: new Set(), newId: () => next++})
    expect(entries.map((entry) => entry.question)).toEqual(questions.map((question) => question.replace(/\s+/g, ' ').trim()))
    expect(new Set(entries.map((entry) => entry.question))).toEqual(new Set(['What is a cache?']))
  })
})

describe('match', () => {
  const entry = (question: string, guid = question) => ({guid, note: 1, mod: 1, hash: '0000000000000000', file: 'f', deck: 'd', question})
  const card = (question: string, id?: string) => ({question, attributes: {id, reverse: false}})

  it('gives a card that gained an #id the first free entry of its question, even where similarity ties', () => {
    // Two entries of one question (the lecture's own and one of a moved file): similarity cannot choose.
    expect(match([card('What is aa?', 'x')], [entry('What is aa?', 'g1'), entry('What is AA?', 'g2')]).map((found) => found?.guid)).toEqual(['g1'])
    expect(match([card('What is aa?', 'x')], [entry('What is aa?', 'g1'), entry('What is aa?', 'g2'), {...entry('What is aa?', 'g3'), id: 'x'}]).map((found) => found?.guid)).toEqual(['g3'])
  })

  it('gives each entry to one card only', () => {
    // The card without an #id takes the question's entry; the one with an #id of the same question is new.
    expect(match([card('What is X?'), card('What is X?', 'x')], [entry('What is X?')]).map((found) => found?.guid)).toEqual(['What is X?', undefined])
    expect(match([card('What is X?', 'x'), card('What is X?')], [entry('What is X?', 'g1'), entry('What is x?', 'g2')]).map((found) => found?.guid)).toEqual(['g2', 'g1'])
  })

  it('pairs only mutual unique best matches above the threshold', () => {
    expect(match([card('What is a cach?')], [entry('What is a cache?')])[0]?.guid).toBe('What is a cache?')
    // Two equally good candidates: no match.
    expect(match([card('What is ab?')], [entry('What is aa?'), entry('What is bb?')])).toEqual([undefined])
    expect(match([card('Something else entirely?')], [entry('What is a cache?')])).toEqual([undefined])
  })
})

describe('state file', () => {
  it('is sorted by guid, one card a line, and survives a bad line', () => {
    const state: State = {
      notetypes: {'2': 3, '1': 2},
      entries: [entry('b'), entry('a')]
    }
    const text = serializeState(state)
    expect(text.split('\n')[0]).toBe('{"deckc":"lock","version":1,"notetypes":{"1":2,"2":3}}')
    expect(text.split('\n')[1]).toContain('"guid":"a"')
    const file = new VFile({path: 'notes/deckc.lock'})
    const lines = text.split('\n')
    const broken = [lines[0], '<<<<<<< HEAD', lines[1], lines[2]].join('\n')
    expect(parseState(broken, file).entries.map((item) => item.guid)).toEqual(['a', 'b'])
    expect(file.messages.map(String)).toEqual(['notes/deckc.lock:2:1: Line is not JSON (a merge conflict?); skipped it; expected one card per line as written by deckc'])

    function entry(guid: string) {
      return {guid, note: 1_790_000_000_000, mod: 1_790_000_000, hash: 'abcdef0123456789', file: 'l.md', deck: 'L', question: 'Q?'}
    }
  })

  it('skips a line that is not an entry, saying which field is wrong', () => {
    const good = {guid: 'a', note: 1_790_000_000_000, mod: 1, hash: 'abcdef0123456789', file: 'l.md', deck: 'L', question: 'Q?'}
    const lines = [
      '{"deckc":"lock","version":1,"notetypes":{"1":2}}',
      JSON.stringify(good),
      JSON.stringify({...good, guid: 'b', note: 1.5}),
      JSON.stringify({...good, guid: 'c', hash: 'ABCDEF'}),
      JSON.stringify({...good, guid: 'd', extra: true}),
      JSON.stringify({...good, guid: 'e', deck: undefined}),
      JSON.stringify({...good, guid: '', id: ''}),
      JSON.stringify([good]),
      JSON.stringify({...good, guid: 'f', id: 'pinned'})
    ]
    const file = new VFile({path: 'deckc.lock'})
    const state = parseState(lines.join('\n'), file)
    expect(state.entries).toEqual([good, {...good, guid: 'f', id: 'pinned'}])
    expect(file.messages.map(String)).toEqual([
      'deckc.lock:3:1: Card line is invalid (note: Invalid input: expected int, received number); skipped it; expected a line as written by deckc',
      'deckc.lock:4:1: Card line is invalid (hash: Invalid string: must match pattern /^[\\da-f]{16}$/); skipped it; expected a line as written by deckc',
      'deckc.lock:5:1: Card line is invalid (line: Unrecognized key: "extra"); skipped it; expected a line as written by deckc',
      'deckc.lock:6:1: Card line is invalid (deck: Invalid input: expected string, received undefined); skipped it; expected a line as written by deckc',
      'deckc.lock:7:1: Card line is invalid (guid: Too small: expected string to have >=1 characters); skipped it; expected a line as written by deckc',
      'deckc.lock:8:1: Card line is invalid (line: Invalid input: expected object, received array); skipped it; expected a line as written by deckc'
    ])
  })

  it('reads the same from its bytes as from its text, line for line', () => {
    const line = (guid: string, question: string) => JSON.stringify({guid, note: 1_790_000_000_000, mod: 1, hash: 'abcdef0123456789', file: 'l.md', deck: 'L', question})
    const header = '{"deckc":"lock","version":1,"notetypes":{"1":2}}'
    const texts = [
      // CRLF endings, a blank line, a conflict marker, non-ASCII text, a lone CR inside a line.
      [header, line('a', 'Was ist “Größe”?'), '', '=======', line('b', 'x\ry'), line('c', '日本?')].join('\r\n') + '\r\n',
      // No final line ending, and a final line ending in CR without LF.
      [header, line('a', 'Q?'), `${line('b', 'R?')}\r`].join('\n'),
      [header, line('a', 'Q?'), line('a', 'twice?')].join('\n')
    ]
    for (const text of texts) {
      const fromText = new VFile({path: 'deckc.lock'})
      const fromBytes = new VFile({path: 'deckc.lock'})
      const expected = parseState(text, fromText)
      expect(parseState(new TextEncoder().encode(text), fromBytes)).toEqual(expected)
      expect(fromBytes.messages.map(String)).toEqual(fromText.messages.map(String))
    }
    // What the text form gives, spelled out for the first one.
    const file = new VFile({path: 'deckc.lock'})
    const state = parseState(new TextEncoder().encode(texts[0]), file)
    expect(state.entries.map((item) => [item.guid, item.question])).toEqual([['a', 'Was ist “Größe”?'], ['b', 'x\ry'], ['c', '日本?']])
    expect(file.messages.map(String)).toEqual(['deckc.lock:4:1: Line is not JSON (a merge conflict?); skipped it; expected one card per line as written by deckc'])
  })
})
