// Packing in deck order: a deck whose cards a worker holds is packed by that
// worker, or by another that runs out of decks of its own (the holder gives
// up the cards), ahead of its turn; each deck gets its own package, in deck
// order, and decks are made in order, each once.
import {describe, expect, it} from 'vitest'
import type {CompiledDeck, HeldDeck} from '../src/compile.js'
import {packInOrder, packsInHand} from '../src/cli/parallel.js'
import type {Pool, Task} from '../src/cli/pool.js'
import type {Collection} from '../src/types.js'

const encode = (text: string) => new TextEncoder().encode(text)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** Decks held by the workers `holderOf` names, each taking `makeMs` to make; lecture 5 has errors (nothing to pack). */
function decks(made: number[], count: number, holderOf: (index: number) => number, makeMs = 0): Array<() => CompiledDeck> {
  return Array.from({length: count}, (_, index) => {
    let deck: CompiledDeck | undefined
    return () => {
      if (!deck) {
        const until = performance.now() + makeMs
        while (performance.now() < until) {
          // Making a deck takes this thread's time, as identities do.
        }
        made.push(index)
        const held: HeldDeck = {holder: holderOf(index), deck: {name: `deck ${index}`, description: ''}, identities: [{guid: `g${index}`, id: index, mod: 1}], rows: 1}
        deck = {lecture: {path: `l${index}.md`}, collection: undefined, held: index === 5 ? undefined : held} as CompiledDeck
      }
      return deck
    }
  })
}

/**
 * Workers as the pool runs them: each runs its tasks one at a time, in the
 * order they came, taking `delays[worker]` ms a task; each keeps the cards of
 * the decks it holds, packs a deck only with its cards (its own, or given
 * with the task) and gives up cards it keeps. `inHand` counts pack tasks.
 */
function workers(count: number, holderOf: (index: number) => number, delays: number[], made: number[] = []) {
  // The decks' cards, as `decks` makes them (without making the decks).
  const keeps = delays.map((_, worker) => new Set([...Array(count).keys()].filter((index) => index !== 5 && holderOf(index) === worker).map((index) => `l${index}.md`)))
  const turns = delays.map(() => Promise.resolve())
  const log: Array<{kind: 'pack' | 'give'; path: string; worker: number; given: boolean; inHand: number; made: number}> = []
  const inHand = delays.map(() => 0)
  const pool = {
    submit: (task: Extract<Task, {kind: 'pack' | 'give'}>, to?: number) => {
      const worker = to ?? -1
      const keep = keeps[worker]
      if (!keep) return Promise.reject(new Error(`no worker ${to}`))
      if (task.kind === 'pack') inHand[worker] = (inHand[worker] ?? 0) + 1
      log.push({kind: task.kind, path: task.path, worker, given: task.kind === 'pack' && task.kept !== undefined, inHand: inHand[worker] ?? 0, made: made.length})
      const done = (turns[worker] as Promise<void>).then(() => new Promise((resolve) => setTimeout(resolve, delays[worker]))).then(() => {
        if (task.kind === 'pack') inHand[worker] = (inHand[worker] ?? 0) - 1
        if (task.kind === 'give') {
          if (!keep.delete(task.path)) throw new Error(`worker ${worker} has no cards of ${task.path} to give`)
          return {kept: {bytes: encode(task.path), tags: [], reverse: false}}
        }
        if (task.kept ? decode(task.kept.bytes) !== task.path : !keep.delete(task.path)) throw new Error(`worker ${worker} has no cards of ${task.path}`)
        return {bytes: encode(`${task.deck.name} ${task.identities.guids[0]}`), collection: task.collection ? ({name: task.deck.name} as unknown as Collection) : undefined}
      })
      turns[worker] = done.then(() => undefined, () => undefined)
      return done
    },
    close: async () => undefined
  } as unknown as Pool
  return {pool, log, keeps}
}

/** Every package in deck order, checked against its deck. */
async function packAll(list: Array<() => CompiledDeck>, pool: Pool, ahead: number, workerCount: number): Promise<void> {
  const packages = packInOrder(list, () => Promise.reject(new Error('no deck is packed here')), {pool, ahead, workers: workerCount}, true)
  const got: string[] = []
  for (const [index, deck] of list.entries()) {
    if (!deck().held) continue
    const packed = await packages.next(deck)
    got.push(decode(packed.bytes))
    expect(packed.collection).toEqual({name: `deck ${index}`})
    expect(got.at(-1)).toBe(`deck ${index} g${index}`)
    // Every package handed out only after the last deck's.
    expect(packages.packedAll()).toBe(index === list.length - 1)
  }
  expect(got).toHaveLength(list.length - 1)
  expect(packages.madeAll()).toBe(true)
}

describe('packing in deck order', () => {
  it('has each held deck packed by its holder while the workers keep up, and hands the packages out in deck order', async () => {
    const made: number[] = []
    const list = decks(made, 12, (index) => index % 2)
    const {pool, log, keeps} = workers(12, (index) => index % 2, [5, 5])
    await packAll(list, pool, 3, 2)
    expect(made).toEqual([...Array(12).keys()])
    expect(log.filter((entry) => entry.kind === 'give')).toEqual([])
    expect(log.map((entry) => entry.path).sort()).toEqual([...Array(12).keys()].filter((index) => index !== 5).map((index) => `l${index}.md`).sort())
    for (const entry of log) expect(entry.worker).toBe(Number(entry.path.slice(1, -3)) % 2)
    expect(Math.max(...log.map((entry) => entry.inHand))).toBeLessThanOrEqual(3)
    expect(keeps.map((keep) => keep.size)).toEqual([0, 0])
  })

  it('has a worker with no decks of its own left pack another\'s last waiting decks, given their cards', async () => {
    // Worker 0 holds three decks in four, and packs more slowly.
    const made: number[] = []
    const list = decks(made, 40, (index) => (index % 4 === 3 ? 1 : 0))
    const {pool, log, keeps} = workers(40, (index) => (index % 4 === 3 ? 1 : 0), [6, 2])
    await packAll(list, pool, Infinity, 2)
    const gives = log.filter((entry) => entry.kind === 'give')
    expect(gives.length).toBeGreaterThan(5)
    for (const give of gives) {
      expect(give.worker).toBe(0)
      // The given deck is packed by worker 1, with the cards, and by no one else.
      expect(log.filter((entry) => entry.kind === 'pack' && entry.path === give.path)).toEqual([expect.objectContaining({worker: 1, given: true})])
    }
    // Each deck packed once; worker 1 packed more than its own ten.
    const packs = log.filter((entry) => entry.kind === 'pack')
    expect(new Set(packs.map((entry) => entry.path)).size).toBe(39)
    expect(packs.length).toBe(39)
    expect(packs.filter((entry) => entry.worker === 1).length).toBeGreaterThan(10)
    expect(Math.max(...log.map((entry) => entry.inHand))).toBeLessThanOrEqual(packsInHand)
    expect(keeps.map((keep) => keep.size)).toEqual([0, 0])
  })

  it('takes no deck a worker has in hand already', async () => {
    // One worker holds every deck: the other takes only decks still waiting.
    const made: number[] = []
    const list = decks(made, 3 * packsInHand, () => 0)
    const {pool, log} = workers(3 * packsInHand, () => 0, [5, 1])
    await packAll(list, pool, Infinity, 2)
    const sentTo0 = new Set(log.filter((entry) => entry.kind === 'pack' && entry.worker === 0).map((entry) => entry.path))
    for (const give of log.filter((entry) => entry.kind === 'give')) expect(sentTo0.has(give.path)).toBe(false)
    expect(log.filter((entry) => entry.kind === 'give').length).toBeGreaterThan(0)
    // It takes the last ones: the holder packs the decks whose turn comes first.
    const number = (path: string) => Number(path.slice(1, -3))
    expect(Math.max(...[...sentTo0].map(number))).toBeLessThan(Math.min(...log.filter((entry) => entry.kind === 'give').map((entry) => number(entry.path))))
  })

  it('takes no deck before every deck is queued, so that none changes hands early', async () => {
    // Worker 0 holds the first twelve decks, worker 1 the rest: worker 1 has none of its own in hand
    // while the first decks are made (slowly: worker 0 answers meanwhile), and takes none of worker 0's then.
    const made: number[] = []
    const list = decks(made, 24, (index) => (index < 12 ? 0 : 1), 2)
    const {pool, log} = workers(24, (index) => (index < 12 ? 0 : 1), [1, 1], made)
    await packAll(list, pool, Infinity, 2)
    expect(log.filter((entry) => entry.kind === 'pack' && entry.worker === 1 && !entry.given).length).toBe(12)
    for (const entry of log.filter((item) => item.kind === 'give')) expect(entry.made).toBe(24)
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
