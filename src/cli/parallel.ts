/**
 * How a build shares its work with the worker pool (pool.ts, loaded only for
 * builds large enough to start one): lectures are
 * parsed by the workers and this thread at once, and packages packed by the
 * workers a few decks ahead of their turn. Whoever does the work, results are
 * used in lecture order, so the output is the same with any number of workers.
 */
import {existsSync} from 'node:fs'
import type {CompiledDeck} from '../compile.js'
import {loadEngine} from '../engine.js'
import {configuredOptions, fromHeld, held, parseLecture} from '../parse.js'
import type {HeldLecture, Keep, ParsedLecture} from '../parse.js'
import type {Collection, Lecture} from '../types.js'
import type {MediaRead} from './build-cache.js'
import type {GatheredNotes} from './notes.js'
import type {Pool} from './pool.js'
import type {Shelf} from './shelf.js'

/** The event loop's next turn: lets the workers' answers (and other I/O) in before going on. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The worker script next to the bundle's modules, when deckc runs bundled. */
export const workerScript = new URL('./worker.js', import.meta.url)

/**
 * Workers worth starting for this much work: one per core besides this
 * thread's, and none for small builds (starting one costs about as much as
 * parsing 200 kB); `DECKC_WORKERS=N` asks for N whatever the size (0: none).
 */
export async function workersFor(tasks: number, bytes: number, env: Record<string, string | undefined>): Promise<number> {
  if (typeof DECKC_BUILD_ID !== 'string' || tasks < 2 || !existsSync(workerScript)) return 0
  const wanted = env['DECKC_WORKERS']
  if (wanted !== undefined && /^\d+$/.test(wanted)) return Math.min(tasks - 1, Number(wanted))
  if (bytes < 400_000) return 0
  const {availableParallelism} = await import('node:os')
  return Math.min(tasks - 1, availableParallelism() - 1)
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
  /** Ended by `parseInPool` once every lecture is parsed; closing it again does nothing. */
  pool: Pool
  workers: number
  onMedia: (reads: MediaRead[]) => void
  /** Where parsed cards wait for their decks (default: in memory, as the workers' bytes). */
  keep?: Keep | undefined
  /** Reads a lecture's bytes just before it is parsed, when they were let go before parsing began. */
  load?: ((lecture: Lecture) => Promise<void>) | undefined
  /** Called once a lecture's bytes are no longer needed: parsed, here or by a worker. */
  release?: ((lecture: Lecture) => void) | undefined
  /**
   * Where a build that reads its state file from disk as it needs it (cli/stored-state.ts) sets
   * each deck's new entries aside; without it the state file is read whole.
   */
  stateOnDisk?: Shelf | undefined
  /** Called once every lecture is parsed and the pool is ended. */
  parsed?: (() => void) | undefined
}

/**
 * Parse the lectures in the pool's workers and in this thread at once: the
 * workers take lectures from the start, this thread from the end, each the
 * next one as it is free, until they meet (this thread also reads the state
 * files meanwhile, so a fixed share would keep the workers waiting). The
 * results are the same as parsing here alone; the workers' cards stay in the
 * bytes they came in until their decks are made (with `keep`, this thread's
 * become such bytes too, and all are kept where it puts them).
 */
export async function parseInPool(gathered: GatheredNotes, parallel: Parallel, cwd: string, onProgress: (done: number) => void): Promise<Array<ParsedLecture | HeldLecture>> {
  const {lectures} = gathered
  const roots: Array<[string, string]> = gathered.sources.map((source) => [source.display, source.root])
  const options = configuredOptions(gathered.config)
  const parsed: Array<ParsedLecture | HeldLecture> = []
  let front = 0
  let back = lectures.length
  let done = 0
  const progress = () => onProgress(++done)

  // Each worker is handed its next lecture when it answers, and always has two in hand (pool.ts).
  const feed = async (): Promise<void> => {
    while (front < back) {
      const index = front++
      const lecture = lectures[index] as Lecture
      await parallel.load?.(lecture)
      const {data, media} = await parallel.pool.submit({kind: 'parse', lecture, options, roots, cwd})
      // Only now: a task may wait in the pool's queue before it is sent.
      parallel.release?.(lecture)
      progress()
      parallel.onMedia(media)
      parsed[index] = fromHeld(data, lecture, parallel.keep)
    }
  }
  const inWorkers = Promise.all(Array.from({length: 2 * parallel.workers}, feed))
  await loadEngine()
  while (front < back) {
    const index = --back
    await parallel.load?.(lectures[index] as Lecture)
    const parsedHere = parseLecture(lectures[index] as Lecture, {...options, readMedia: gathered.readMedia})
    parallel.release?.(lectures[index] as Lecture)
    parsed[index] = parallel.keep ? held(parsedHere, parallel.keep) : parsedHere
    progress()
    // Let the workers' answers in, so they are handed their next lectures.
    await nextTurn()
  }
  await inWorkers
  // The parsing workers' heaps are let go before this thread matches every lecture.
  await parallel.pool.close()
  parallel.parsed?.()
  return parsed
}

/**
 * The packages of compiled decks, handed out in deck order. With a pool, its
 * workers are kept a few decks ahead of the one whose turn it is; while that
 * deck is still being packed by a worker, this thread packs the next deck
 * nobody has taken (it also makes every deck, so a fixed share would keep it
 * busy while the workers wait, or idle while they work). At most a few decks
 * and packages are held at once. Decks are made (`assembleInTurn`) in order,
 * as they are needed.
 */
export function packInOrder(decks: Array<() => CompiledDeck>, pack: (collection: Collection) => Promise<Uint8Array>, parallel: {pool: Pool; workers: number} | undefined): {next: (deck: () => CompiledDeck) => Promise<Uint8Array>} {
  const ahead = new Map<() => CompiledDeck, {bytes: Promise<Uint8Array>; ready: boolean}>()
  const window = 4 * (parallel?.workers ?? 0)
  let taken = 0
  /** The next deck nobody has taken, made now (in order, whoever packs it), with its contents. */
  const take = () => {
    const deck = decks[taken++] as () => CompiledDeck
    return {deck, collection: deck().collection}
  }
  return {
    async next(deck) {
      const collection = deck().collection
      if (!collection) throw new Error(`deckc: ${deck().lecture.path} has no collection to pack`)
      if (!parallel) return pack(collection)
      // Keep the workers' next decks in their hands.
      while (taken < decks.length && ahead.size < window) {
        const {deck: waiting, collection: contents} = take()
        if (!contents || waiting === deck) continue
        const entry = {bytes: parallel.pool.submit({kind: 'pack', collection: contents}).then((result) => result.bytes), ready: false}
        // Its failure is reported when its deck's turn comes.
        entry.bytes.then(() => (entry.ready = true), () => (entry.ready = true))
        ahead.set(waiting, entry)
      }
      const entry = ahead.get(deck)
      ahead.delete(deck)
      if (!entry) return pack(collection)
      // Pack what nobody has taken yet while a worker packs this one.
      while (!entry.ready && taken < decks.length && ahead.size < 2 * window) {
        const {deck: later, collection: contents} = take()
        if (contents) {
          const bytes = pack(contents)
          ahead.set(later, {bytes, ready: true})
          // Its failure too is reported when its deck's turn comes.
          await bytes.then(() => undefined, () => undefined)
        }
        // Let the workers' answers in.
        await nextTurn()
      }
      return entry.bytes
    }
  }
}
