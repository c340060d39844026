// A lecture parsed by a worker, which keeps its cards: what this thread gets
// of it (`toHeld` there, `fromHeld` here) gives matching and identity what the
// parsed lecture gives them, and counts the card rows its package will have.
import {describe, expect, it} from 'vitest'
import {collect} from '../src/collect.js'
import {identify} from '../src/identify.js'
import {cardCount, fromHeld, keysOf, parseLecture, toHeld, unpackKeys} from '../src/parse.js'
import type {ParsedLecture} from '../src/parse.js'
import {whenLoaded} from '../src/engine.js'

const text = `Held
What is a cache? {#cache}
A small fast memory.
What is *emphasis*, ünïcödé and 日本語?
- a bullet
What is $x^2$? {.reverse}
A square.
What is plain?
short: yes
Which question has no id?
This one.
{{c1::Cloze}} text with an id and {{c2::two}} numbers {#cloze}
`

function parse(source: string, path = 'notes/held.md'): Promise<ParsedLecture> {
  return whenLoaded(() => parseLecture({path, value: new TextEncoder().encode(source)}))
}

/** What `identify` makes of the parsed lecture's cards, with every card new. */
function identified(parsed: ParsedLecture) {
  let next = 1_700_000_000_000
  return identify(parsed.cards, {
    deck: parsed.deck,
    title: parsed.title,
    tags: parsed.tags,
    reverse: parsed.reverse,
    path: parsed.lecture.path,
    clock: 1_800_000_000_000,
    previous: parsed.cards.map(() => undefined),
    pool: [],
    taken: new Set<string>(),
    newId: () => (next += 1000)
  })
}

describe('a held lecture', () => {
  it('gives matching and identity the keys and content hashes of the parsed cards, and the rows of its package', async () => {
    for (const source of [text, `---\nreverse: true\ntags: [extra]\n---\n${text}`]) {
      const parsed = await parse(source)
      expect(parsed.file.messages.filter((message) => message.fatal)).toEqual([])
      const lecture = {path: 'notes/held.md', value: new Uint8Array(0)}
      const held = fromHeld(structuredClone(toHeld(parsed)), lecture, 3)

      expect(keysOf(held).map((key) => key.attributes.id)).toEqual(['cache', undefined, undefined, undefined, undefined, 'cloze'])
      expect(keysOf(held).map((key) => key.question)).toEqual(parsed.cards.map((card) => card.question))
      expect(cardCount(held)).toBe(parsed.cards.length)
      // The hashes `identify` stores for these cards (they depend on the lecture's tags and `reverse`).
      const made = identified(parsed)
      expect(unpackKeys(held.keys).map((key) => key.hash)).toEqual(made.entries.map((entry) => entry.hash))
      expect(held.rows).toBe(collect({name: parsed.deck, description: ''}, made.notes).cards.length)
      expect(held.holder).toBe(3)
      expect(held.lecture).toBe(lecture)
      expect(held.file.messages.map(String)).toEqual(parsed.file.messages.map(String))
      expect({...held, keys: undefined, rows: undefined, holder: undefined, lecture: undefined, file: undefined}).toEqual({...parsed, cards: undefined, lecture: undefined, file: undefined})
    }
    // Reversed cards and both cloze numbers count: 1 + 1 + 2 + 1 + 1 + 2 rows.
    expect(fromHeld(toHeld(await parse(text)), {path: 'notes/held.md', value: ''}, 0).rows).toBe(8)
  })

  it('keeps a lecture without cards, and its errors', async () => {
    const parsed = await parse('Empty\n', 'notes/empty.md')
    const held = fromHeld(structuredClone(toHeld(parsed)), parsed.lecture, 0)
    expect(keysOf(held)).toEqual([])
    expect(held.rows).toBe(0)
    expect(held.file.messages.map((message) => [message.ruleId, message.fatal])).toEqual([['no-cards', true]])
  })
})
