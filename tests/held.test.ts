// A lecture held between parsing and its deck's turn (parsed by a worker, or
// here with its cards set aside) gives back what parsing gave: the same
// cards, and for matching the same questions and attributes of each card.
import {describe, expect, it} from 'vitest'
import {cardCount, cardsOf, fromHeld, held, keysOf, parseLecture, toHeld} from '../src/parse.js'
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
{{c1::Cloze}} text with an id {#cloze}
`

function parse(): Promise<ParsedLecture> {
  return whenLoaded(() => parseLecture({path: 'notes/held.md', value: new TextEncoder().encode(text)}))
}

describe('a held lecture', () => {
  it('gives back the cards and keys of the parsed one, whichever way it was held', async () => {
    const parsed = await parse()
    expect(parsed.file.messages.filter((message) => message.fatal)).toEqual([])
    const keys = parsed.cards.map(({attributes, question}) => ({attributes, question}))
    expect(keys.map((key) => key.attributes.id)).toEqual(['cache', undefined, undefined, undefined, undefined, 'cloze'])
    expect(keys.map((key) => key.attributes.reverse)).toContain(true)
    const lecture = {path: 'notes/held.md', value: new Uint8Array(0)}
    const kept: Uint8Array[] = []
    for (const holding of [
      held(parsed),
      held(parsed, (bytes) => {
        const at = kept.push(bytes.slice()) - 1
        return () => kept[at] as Uint8Array
      }),
      fromHeld(structuredClone(toHeld(parsed)), lecture)
    ]) {
      expect(keysOf(holding)).toEqual(keys)
      expect(cardCount(holding)).toBe(parsed.cards.length)
      expect(cardsOf(holding)).toEqual(parsed.cards)
      expect({...holding, keys: undefined, cards: undefined, lecture: undefined, file: undefined}).toEqual({...parsed, keys: undefined, cards: undefined, lecture: undefined, file: undefined})
    }
  })

  it('keeps a lecture without cards', async () => {
    const parsed = await whenLoaded(() => parseLecture({path: 'notes/empty.md', value: new TextEncoder().encode('Empty\n')}))
    expect(keysOf(held(parsed))).toEqual([])
    expect(cardCount(fromHeld(structuredClone(toHeld(parsed)), parsed.lecture))).toBe(0)
  })
})
