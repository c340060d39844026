/**
 * Worker threads for large builds: lectures are parsed, and packages packed,
 * on every core. Each task is independent and its result is put back in the
 * order of the tasks, so the output is the same with any number of workers
 * (or none). The workers run `worker.js` of the bundle (parallel.ts decides
 * how many).
 */
import {Worker} from 'node:worker_threads'
import type {HeldData} from '../parse.js'
import type {Collection, Lecture} from '../types.js'
import type {MediaRead} from './build-cache.js'

/** What a worker is asked to do. */
export type Task =
  | {kind: 'parse'; lecture: Lecture; options: {limits: Record<string, number>; folders: Record<string, string>}; roots: Array<[string, string]>; cwd: string}
  | {kind: 'pack'; collection: Collection}

/** What it answers, by kind. */
export interface Results {
  parse: {data: HeldData; media: MediaRead[]}
  pack: {bytes: Uint8Array}
}

/** A pool of worker threads; each task goes to the next free worker. */
export interface Pool {
  /** Run one task. */
  submit<K extends Task['kind']>(task: Extract<Task, {kind: K}>): Promise<Results[K]>
  /** End the workers; again, it does nothing more. */
  close(): Promise<void>
}

/** Tasks sent to a worker ahead of its current one, so it never waits for this thread to hand out the next. */
const depth = 2

interface Job {
  task: Task
  resolve: (result: never) => void
  reject: (error: Error) => void
}

/** Start `size` workers running `script` (worker.js). */
export function startPool(size: number, script: URL): Pool {
  const queue: Job[] = []
  /**
   * Each worker's tasks in flight, by number. A worker may answer them out of
   * order (packing is asynchronous: a small package can be zipped before a
   * large one handed over earlier), so each answer names its task.
   */
  const inFlight = new Map<Worker, Map<number, Job>>()
  let next = 0
  let broken: Error | undefined

  const dispatch = () => {
    for (const [worker, jobs] of inFlight) {
      while (jobs.size < depth && queue.length > 0) {
        const job = queue.shift() as Job
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
    const worker = new Worker(script, {resourceLimits: {maxYoungGenerationSizeMb: 48}})
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
  }
  dispatch()

  const submit = <K extends Task['kind']>(task: Extract<Task, {kind: K}>) =>
    new Promise<Results[K]>((resolve, reject) => {
      if (broken) return reject(broken)
      queue.push({task, resolve: resolve as (result: never) => void, reject})
      dispatch()
    })

  return {
    submit,
    async close() {
      await Promise.all([...inFlight.keys()].map((worker) => worker.terminate()))
    }
  }
}
