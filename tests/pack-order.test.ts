// Packing in deck order: a deck whose cards a worker holds is packed by that
// worker, a few decks ahead of its turn; each deck gets its own package, in
// deck order, and decks are made in order, each once.
import {describe, expect, it} from 'vitest'
import type {CompiledDeck, HeldDeck} from '../src/compile.js'
import {packInOrder} from '../src/cli/parallel.js'
import type {Pool, Task} from '../src/cli/pool.js'
import type {Collection} from '../src/types.js'

const encode = (text: string) => new TextEncoder().encode(text)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** Twelve decks held by two workers in turn; lecture 5 has errors (nothing to pack). */
function decks(made: number[]): Array<() => CompiledDeck> {
  return Array.from({length: 12}, (_, index) => {
    let deck: CompiledDeck | undefined
    return () => {
      if (!deck) {
        made.push(index)
        const held: HeldDeck = {holder: index % 2, deck: {name: `deck ${index}`, description: ''}, identities: [{guid: `g${index}`, id: index, mod: 1}], rows: 1}
        deck = {lecture: {path: `l${index}.md`}, collection: undefined, held: index === 5 ? undefined : held} as CompiledDeck
      }
      return deck
    }
  })
}

describe('packing in deck order', () => {
  it('has each held deck packed by its holder, ahead of its turn, and hands the packages out in deck order', async () => {
    const made: number[] = []
    const list = decks(made)
    const sent: Array<{path: string; to: number | undefined; inFlight: number}> = []
    let inFlight = 0
    // Workers that take 5 ms a deck and answer with its name, whoever they are.
    const pool = {
      submit: (task: Extract<Task, {kind: 'pack'}>, to?: number) => {
        sent.push({path: task.path, to, inFlight: ++inFlight})
        return new Promise((resolve) =>
          setTimeout(() => {
            inFlight--
            resolve({bytes: encode(`worker ${to} ${task.deck.name} ${task.identities.guids[0]}`), collection: task.collection ? ({name: task.deck.name} as unknown as Collection) : undefined})
          }, 5)
        )
      },
      close: async () => undefined
    } as unknown as Pool
    const packages = packInOrder(list, () => Promise.reject(new Error('no deck is packed here')), {pool, ahead: 3}, true)

    const got: string[] = []
    for (const [index, deck] of list.entries()) {
      if (!deck().held) continue
      const packed = await packages.next(deck)
      got.push(decode(packed.bytes))
      expect(packed.collection).toEqual({name: `deck ${index}`})
      expect(got.at(-1)).toBe(`worker ${index % 2} deck ${index} g${index}`)
    }
    expect(got).toHaveLength(11)
    expect(made).toEqual([...Array(12).keys()])
    expect(sent.map((entry) => entry.path)).toEqual([...Array(12).keys()].filter((index) => index !== 5).map((index) => `l${index}.md`))
    expect(sent.map((entry) => entry.to)).toEqual(sent.map((entry) => Number(entry.path.slice(1, -3)) % 2))
    expect(Math.max(...sent.map((entry) => entry.inFlight))).toBeLessThanOrEqual(3)
    expect(packages.madeAll()).toBe(true)
  })

  it('packs each deck here, in its turn, without a pool', async () => {
    const order: string[] = []
    const list = Array.from({length: 3}, (_, index) => {
      const deck = {lecture: {path: `l${index}.md`}, collection: {name: `deck ${index}`} as unknown as Collection} as CompiledDeck
      return () => deck
    })
    const packages = packInOrder(list, async (collection) => {
      order.push((collection as unknown as {name: string}).name)
      return encode((collection as unknown as {name: string}).name)
    }, undefined)
    for (const deck of list) {
      const packed = await packages.next(deck)
      expect(decode(packed.bytes)).toBe((deck().collection as unknown as {name: string}).name)
      expect(packed.collection).toBe(deck().collection)
    }
    expect(order).toEqual(['deck 0', 'deck 1', 'deck 2'])
  })
})
