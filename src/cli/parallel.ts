/**
 * How a build shares its work with the worker pool (pool.ts, loaded only for
 * builds large enough to start one): the workers parse the lectures and keep
 * their cards; this thread reads the state file meanwhile, then matches every
 * lecture and gives each card its identity, and the worker holding a deck's
 * cards makes its collection and packs it. Results are used in lecture
 * order, so the output is the same with any number of workers.
 */
import {existsSync} from 'node:fs'
import {availableParallelism} from 'node:os'
import type {CompiledDeck} from '../compile.js'
import {identityColumns} from '../identify.js'
import {configuredOptions, fromHeld} from '../parse.js'
import type {HeldLecture} from '../parse.js'
import type {Collection, Lecture} from '../types.js'
import type {MediaRead} from './build-cache.js'
import type {GatheredNotes} from './notes.js'
import type {Pool, Results, Task} from './pool.js'
import type {Shelf} from './shelf.js'

/** The event loop's next turn: lets the workers' answers (and other I/O) in before going on. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Lectures a worker has in hand while it parses: enough that it goes on while
 * this thread reads the state file or matches a lecture.
 */
export const inHand = 3

/**
 * What a worker thread runs, when deckc runs bundled: the entry script, which
 * runs the worker's bundle (`workerBundle`) in a worker thread.
 */
export const workerScript = new URL('../bin/deckc.js', import.meta.url)

/** The worker's bundle, next to the CLI's. */
const workerBundle = new URL('./worker.cjs', import.meta.url)

/**
 * Workers worth starting for this much work: one per core (this thread's own
 * work, reading the state and matching, is light beside theirs), and none for
 * small builds (starting one costs about as much as parsing 200 kB);
 * `DECKC_WORKERS=N` asks for N whatever the size (0: none).
 */
export function workersFor(tasks: number, bytes: number, env: Record<string, string | undefined>): number {
  if (typeof DECKC_BUILD_ID !== 'string' || tasks < 2 || !existsSync(workerScript) || !existsSync(workerBundle)) return 0
  const wanted = env['DECKC_WORKERS']
  if (wanted !== undefined && /^\d+$/.test(wanted)) return Math.min(tasks, Number(wanted))
  if (bytes < 400_000) return 0
  return Math.min(tasks, availableParallelism())
}

/**
 * Whether a full build with this much notes text sets its parsed cards aside
 * on disk until their decks are made (shelf.ts): above 32 MB (about 250,000
 * cards), where holding them would take more memory than a deck's packing;
 * `DECKC_SPILL=1` or `0` asks for it or not whatever the size.
 */
export function spills(bytes: number, env: Record<string, string | undefined>): boolean {
  const wanted = env['DECKC_SPILL']
  return wanted === '1' || (wanted !== '0' && bytes > 32_000_000)
}

/** Set by the bundler; absent when deckc runs from its sources. */
declare const DECKC_BUILD_ID: string | undefined

/** Worker threads to parse in, and where the media they read is recorded. */
export interface Parallel {
  /** The workers, kept until every deck is packed: they hold the cards. */
  pool: Pool
  workers: number
  onMedia: (reads: MediaRead[]) => void
  /** A folder below which the workers set their parsed cards aside until their decks are made (default: kept in memory). */
  spill?: string | undefined
  /** Reads a lecture's bytes just before it is parsed, when they were let go before parsing began. */
  load?: ((lecture: Lecture) => Promise<void>) | undefined
  /** Called once a lecture's bytes are no longer needed: parsed by a worker. */
  release?: ((lecture: Lecture) => void) | undefined
  /**
   * Where a build that reads its state file from disk as it needs it (cli/stored-state.ts) sets
   * each deck's new entries aside; without it the state file is read whole.
   */
  stateOnDisk?: Shelf | undefined
}

/**
 * Parse the lectures in the pool's workers, each handed its next lecture as it
 * answers (this thread reads the state files and matches the lectures
 * meanwhile: `onParsed` is called with the lectures parsed so far, by index,
 * as each comes in). Each worker keeps the cards of the lectures it parsed;
 * this thread gets what matching and identity read of them.
 */
export async function parseInPool(gathered: GatheredNotes, parallel: Parallel, cwd: string, onProgress: (done: number) => void, onParsed: (parsed: HeldLecture[]) => void): Promise<HeldLecture[]> {
  const {lectures} = gathered
  const roots: Array<[string, string]> = gathered.sources.map((source) => [source.display, source.root])
  const options = configuredOptions(gathered.config)
  const parsed: HeldLecture[] = []
  let next = 0
  let done = 0

  // Each worker always has `inHand` lectures in hand (the pool's depth).
  const feed = async (): Promise<void> => {
    while (next < lectures.length) {
      const index = next++
      const lecture = lectures[index] as Lecture
      await parallel.load?.(lecture)
      const {data, media, holder} = await parallel.pool.submit({kind: 'parse', lecture, options, roots, cwd, spill: parallel.spill})
      // Only now: a task may wait in the pool's queue before it is sent.
      parallel.release?.(lecture)
      onProgress(++done)
      parallel.onMedia(media)
      parsed[index] = fromHeld(data, lecture, holder)
      onParsed(parsed)
    }
  }
  await Promise.all(Array.from({length: inHand * parallel.workers}, feed))
  return parsed
}

/**
 * The packages of compiled decks, handed out in deck order. With a pool, the
 * next `ahead` decks are being packed while this thread writes the one whose
 * turn it is (see {@link packingQueues}); decks are made
 * (`assembleInTurn`) in order, as they are handed over. Without one, each deck is packed here when
 * its turn comes. With `collections`, each package comes with its collection
 * (for the bundle). `madeAll` tells when every deck has been made, `packedAll`
 * when every package has been handed out as well.
 */
export function packInOrder(
  decks: Array<() => CompiledDeck>,
  pack: (collection: Collection) => Promise<Uint8Array>,
  parallel: {pool: Pool; ahead: number; workers: number} | undefined,
  collections = false
): {next: (deck: () => CompiledDeck) => Promise<{bytes: Uint8Array; collection: Collection | undefined}>; madeAll: () => boolean; packedAll: () => boolean} {
  const ahead = new Map<() => CompiledDeck, Promise<{bytes: Uint8Array; collection: Collection | undefined}>>()
  const window = parallel?.ahead ?? 0
  const packed = parallel && packingQueues(parallel.pool, parallel.workers, () => taken === decks.length)
  let taken = 0
  const start = (deck: CompiledDeck) => {
    const {collection, held} = deck
    if (collection) return pack(collection).then((bytes) => ({bytes, collection}))
    if (!held || !packed) throw new Error(`deckc: ${deck.lecture.path} has no collection to pack`)
    return packed({kind: 'pack', path: deck.lecture.path, deck: held.deck, identities: identityColumns(held.identities), collection: collections}, held.holder)
  }
  return {
    async next(deck) {
      // Keep the workers' next decks in their hands (the decks after this one are made now, in order).
      while (taken < decks.length && ahead.size < window) {
        const later = decks[taken++] as () => CompiledDeck
        const made = later()
        if (!made.held) continue
        const packed = start(made)
        // Its failure is reported when its deck's turn comes.
        packed.catch(() => undefined)
        ahead.set(later, packed)
        // Making every deck at once takes a while: the workers' answers are let in now and then, for
        // them to be handed their next decks.
        if (ahead.size % makingTurn === 0) await nextTurn()
      }
      const early = ahead.get(deck)
      ahead.delete(deck)
      return early ?? start(deck())
    },
    madeAll: () => taken === decks.length,
    packedAll: () => taken === decks.length && ahead.size === 0
  }
}

/** Decks made between the turns that let the workers' answers in. */
const makingTurn = 8

/**
 * Pack tasks a worker is given before it answers one: it goes on to the next
 * while this thread hands out another, or works out the state file.
 */
export const packsInHand = 6

/**
 * Pack tasks, each for the worker holding the deck's cards, handed to each
 * worker some at a time ({@link packsInHand}), its decks in the order they
 * came. Once every deck is queued (`queuedAll`: before, a worker's own decks
 * may be still to come), a worker with none of its own left takes the last
 * waiting deck of the worker with the most waiting (two or more: one would
 * be packed as soon there): that worker gives up the deck's cards and this
 * one packs it. A
 * worker that parsed more lectures, or packs more slowly, would otherwise
 * leave the other idle at the end (up to a fifth of the packing at 100,000
 * cards). A deck's package is the same whichever worker packs it.
 */
export function packingQueues(pool: Pool, workers: number, queuedAll: () => boolean): (task: Extract<Task, {kind: 'pack'}>, holder: number) => Promise<Results['pack']> {
  interface Waiting {
    task: Extract<Task, {kind: 'pack'}>
    resolve: (result: Results['pack']) => void
    reject: (error: Error) => void
  }
  const queues: Waiting[][] = Array.from({length: workers}, () => [])
  /** Each worker's tasks in hand. */
  const busy = new Int32Array(workers)
  const hold = (worker: number, by: 1 | -1) => {
    busy[worker] = (busy[worker] ?? 0) + by
  }
  /** A task of `worker`'s is done: hand out what can be. */
  const free = (worker: number) => {
    hold(worker, -1)
    pump()
  }
  const run = (worker: number, waiting: Waiting) => {
    hold(worker, 1)
    pool
      .submit(waiting.task, worker)
      .then(waiting.resolve, waiting.reject)
      .finally(() => free(worker))
  }
  const fill = (worker: number, steal: boolean) => {
    const own = queues[worker] as Waiting[]
    while ((busy[worker] as number) < packsInHand) {
      const next = own.shift()
      if (next) {
        run(worker, next)
        continue
      }
      if (!steal || !queuedAll()) return
      let most: Waiting[] | undefined
      let holder = -1
      for (const [other, queue] of queues.entries()) {
        if (queue.length >= 2 && queue.length > (most?.length ?? 0)) [most, holder] = [queue, other]
      }
      const stolen = most?.pop()
      if (!stolen) return
      // The cards come first; the deck is then packed here (its slot is held meanwhile).
      hold(worker, 1)
      pool
        .submit({kind: 'give', path: stolen.task.path}, holder)
        .then(({kept}) => run(worker, {...stolen, task: {...stolen.task, kept}}), stolen.reject)
        .finally(() => free(worker))
    }
  }
  const pump = () => {
    for (let worker = 0; worker < workers; worker++) fill(worker, true)
  }
  return (task, holder) =>
    new Promise((resolve, reject) => {
      const queue = queues[holder]
      if (!queue) return reject(new Error(`deckc: no worker ${holder} holds ${task.path}`))
      queue.push({task, resolve, reject})
      // A deck goes to its holder at once; other workers may take it once every deck is queued.
      if (queuedAll()) pump()
      else fill(holder, false)
    })
}
