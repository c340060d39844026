/**
 * Worker threads for large builds: lectures are parsed, and packages packed,
 * on every core. A task goes to the next free worker, or to the one it names
 * (a package is packed by the worker that keeps its lecture's cards); each
 * result goes back to its task, so the output is the same with any number
 * of workers (or none). The workers run worker.ts, bundled (parallel.ts
 * decides how many).
 */
import {Worker} from 'node:worker_threads'
import type {HeldDeck} from '../compile.js'
import type {IdentityColumns} from '../identify.js'
import type {HeldData} from '../parse.js'
import type {Collection, Lecture} from '../types.js'
import type {MediaRead} from './build-cache.js'

/**
 * What a worker is asked to do: parse a lecture and keep its cards (in
 * memory, or with `spill` in a temporary file below that folder); make a
 * kept lecture's collection and pack it (the task goes to the worker that
 * holds the cards, or brings them as `kept`); or give up a kept lecture's
 * cards, for another worker to pack.
 */
export type Task =
  | {kind: 'parse'; lecture: Lecture; options: {limits: Record<string, number>; folders: Record<string, string>}; roots: Array<[string, string]>; cwd: string; spill: string | undefined}
  | {kind: 'pack'; path: string; deck: HeldDeck['deck']; identities: IdentityColumns; collection: boolean; kept?: KeptCards | undefined}
  | {kind: 'give'; path: string}

/** A parsed lecture's cards as a worker keeps them: what its notes read of them, as bytes. */
export interface KeptCards {
  bytes: Uint8Array
  tags: string[]
  reverse: boolean
}

/** What it answers, by kind. */
export interface Results {
  /** The worker that holds the cards is `holder`. */
  parse: {data: HeldData; media: MediaRead[]; holder: number}
  /** The collection too when the task asked for it. */
  pack: {bytes: Uint8Array; collection: Collection | undefined}
  /** The cards, no longer kept by that worker. */
  give: {kept: KeptCards}
}

/** A pool of worker threads; each task goes to the next free worker, or to the one named. */
export interface Pool {
  /** Run one task (in worker number `to`, when given). */
  submit<K extends Task['kind']>(task: Extract<Task, {kind: K}>, to?: number): Promise<Results[K]>
  /** End the workers; again, it does nothing more. */
  close(): Promise<void>
}


interface Job {
  task: Task
  /** The worker it must run in. */
  to: number | undefined
  resolve: (result: never) => void
  reject: (error: Error) => void
}

/**
 * Start `size` workers running `script` (worker.ts), each handed up to
 * `depth` tasks that name no worker at once, so that it never waits for this
 * thread to hand out the next.
 */
export function startPool(size: number, script: URL, depth: number): Pool {
  const queue: Job[] = []
  /** Each worker's tasks in flight, by number; each answer names its task. */
  const inFlight = new Map<Worker, Map<number, Job>>()
  const workers: Worker[] = []
  let next = 0
  let broken: Error | undefined

  const dispatch = () => {
    for (const [number, worker] of workers.entries()) {
      const jobs = inFlight.get(worker) as Map<number, Job>
      // Tasks for this worker only go at once (it runs them in turn): it never waits for this thread.
      while (true) {
        const at = queue.findIndex((job) => job.to === number || (job.to === undefined && jobs.size < depth))
        if (at === -1) break
        const [job] = queue.splice(at, 1) as [Job]
        const id = next++
        jobs.set(id, job)
        worker.postMessage({id, task: job.task})
      }
      // A busy worker keeps the process alive; an idle one must not.
      if (jobs.size > 0) worker.ref()
      else worker.unref()
    }
  }
  const fail = (error: Error) => {
    broken = error
    for (const job of [...[...inFlight.values()].flatMap((jobs) => [...jobs.values()]), ...queue.splice(0)]) job.reject(error)
    for (const jobs of inFlight.values()) jobs.clear()
  }

  for (let index = 0; index < size; index++) {
    // The young generation of the main thread: a smaller one makes parsing much slower.
    const worker = new Worker(script, {resourceLimits: {maxYoungGenerationSizeMb: 48}, workerData: {number: index}})
    workers.push(worker)
    const jobs = new Map<number, Job>()
    inFlight.set(worker, jobs)
    worker.on('message', (answer: {id: number; result?: never; error?: string}) => {
      const job = jobs.get(answer.id)
      jobs.delete(answer.id)
      if (answer.error !== undefined || answer.result === undefined) job?.reject(new Error(`deckc worker: ${answer.error ?? 'no result'}`))
      else job?.resolve(answer.result)
      dispatch()
    })
    worker.on('error', fail)
    // A worker that stops with tasks in hand (it failed to start, say) would otherwise leave them waiting forever.
    worker.on('exit', (code) => {
      if (jobs.size > 0 || queue.some((job) => job.to === index)) fail(new Error(`deckc: worker ${index} stopped (exit code ${code}) before it answered`))
    })
  }
  dispatch()

  const submit = <K extends Task['kind']>(task: Extract<Task, {kind: K}>, to?: number) =>
    new Promise<Results[K]>((resolve, reject) => {
      if (broken) return reject(broken)
      if (to !== undefined && workers[to] === undefined) return reject(new Error(`deckc: no worker ${to} in the pool`))
      queue.push({task, to, resolve: resolve as (result: never) => void, reject})
      dispatch()
    })

  return {
    submit,
    async close() {
      await Promise.all([...inFlight.keys()].map((worker) => worker.terminate()))
    }
  }
}
