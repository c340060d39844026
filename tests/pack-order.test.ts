// Packing with workers: whoever packs a deck, each deck gets its own package,
// in deck order, and this thread packs decks while a worker is slow.
import {describe, expect, it} from 'vitest'
import type {CompiledDeck} from '../src/compile.js'
import {packInOrder} from '../src/cli/parallel.js'
import type {Pool} from '../src/cli/pool.js'
import type {Collection} from '../src/types.js'

const encode = (text: string) => new TextEncoder().encode(text)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

describe('packing in deck order', () => {
  it('gives each deck its own package, packed here while the worker is slow', async () => {
    const made: number[] = []
    const decks = Array.from({length: 12}, (_, index) => {
      let deck: CompiledDeck | undefined
      return () => {
        if (!deck) {
          made.push(index)
          // Lecture 5 has errors: no collection, never packed.
          deck = {lecture: {path: `l${index}.md`}, collection: index === 5 ? undefined : ({name: `deck ${index}`} as unknown as Collection)} as CompiledDeck
        }
        return deck
      }
    })
    const name = (collection: Collection) => (collection as unknown as {name: string}).name
    // The worker takes 30 ms a deck; this thread packs at once.
    const pool = {
      submit: (task: {collection: Collection}) => new Promise((resolve) => setTimeout(() => resolve({bytes: encode(`worker ${name(task.collection)}`)}), 30)),
      close: async () => undefined
    } as unknown as Pool
    const packages = packInOrder(decks, async (collection) => encode(`here ${name(collection)}`), {pool, workers: 1})

    const got: string[] = []
    for (const [index, deck] of decks.entries()) {
      if (!deck().collection) continue
      got.push(decode(await packages.next(deck)))
      expect(got.at(-1)).toMatch(new RegExp(`deck ${index}$`))
    }
    expect(got).toHaveLength(11)
    // Made in order, each once.
    expect(made).toEqual([...Array(12).keys()])
    expect(got.some((text) => text.startsWith('here'))).toBe(true)
    expect(got.some((text) => text.startsWith('worker'))).toBe(true)
  })
})
