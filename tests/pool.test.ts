// The worker pool hands each answer to the task it belongs to, in whatever
// order the worker answers (a small package is zipped before a large one
// handed over earlier).
import {describe, expect, it} from 'vitest'
import {startPool} from '../src/cli/pool.js'
import type {Task} from '../src/cli/pool.js'
import {identityColumns} from '../src/identify.js'

const lateWorker = new URL('./pool/late-worker.mjs', import.meta.url)

describe('the worker pool', () => {
  it('gives each task its own answer when a worker answers out of order', async () => {
    const pool = startPool(1, lateWorker, 2)
    try {
      // Two tasks in one worker's hands at once: the first answered last.
      const task = (value: string, delay: number) => ({kind: 'pack', value, delay}) as unknown as Extract<Task, {kind: 'pack'}>
      const answers = await Promise.all([pool.submit(task('first', 300)), pool.submit(task('second', 10)), pool.submit(task('third', 50))])
      expect(answers).toEqual([{value: 'first', worker: 0}, {value: 'second', worker: 0}, {value: 'third', worker: 0}])
    } finally {
      await pool.close()
    }
  })

  it('fails the tasks of a worker that stops without answering, instead of waiting for ever', async () => {
    const pool = startPool(1, new URL('./pool/stopping-worker.mjs', import.meta.url), 2)
    try {
      const task = {kind: 'pack', value: 'one', delay: 10} as unknown as Extract<Task, {kind: 'pack'}>
      await expect(pool.submit(task)).rejects.toThrow(/worker 0 stopped \(exit code 2\) before it answered/)
    } finally {
      await pool.close()
    }
  })

  it('can be closed twice (parsing ends its pool, and its owner closes it again)', async () => {
    const pool = startPool(2, lateWorker, 2)
    const task = {kind: 'pack', value: 'one', delay: 10} as unknown as Extract<Task, {kind: 'pack'}>
    expect(await pool.submit(task)).toMatchObject({value: 'one'})
    await pool.close()
    await expect(pool.close()).resolves.toBeUndefined()
  })

  it('runs a task given a worker in that worker, even while the others are free', async () => {
    const pool = startPool(2, lateWorker, 2)
    try {
      const task = (value: string) => ({kind: 'pack', value, delay: 20}) as unknown as Extract<Task, {kind: 'pack'}>
      // Five tasks for worker 1 at once: beyond the two a worker is otherwise handed, and none goes to worker 0.
      const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((value) => pool.submit(task(value), 1)))
      expect(answers).toEqual(['a', 'b', 'c', 'd', 'e'].map((value) => ({value, worker: 1})))
      // More tasks for any worker than one is handed at once (two): both take some.
      const free = await Promise.all(Array.from({length: 8}, (_, index) => pool.submit(task(`free ${index}`))))
      expect(new Set(free.map((answer) => (answer as unknown as {worker: number}).worker))).toEqual(new Set([0, 1]))
      await expect(pool.submit(task('none'), 2)).rejects.toThrow(/no worker 2/)
    } finally {
      await pool.close()
    }
  })

  it('packs a lecture one worker parsed in another, given its cards, to the same bytes', async () => {
    // The bundle's worker (built before the tests), as builds run it (bin/deckc.js in a worker thread).
    const pool = startPool(2, new URL('../bin/deckc.js', import.meta.url), 3)
    try {
      const value = new TextEncoder().encode('Alpha\nWhat is a cache?\nA small fast memory.\nWhat is a hit? {#hit}\n- found\n- fast\n```js\nconst a = 1\n```\nThe {{c1::capital}} of France is {{c2::Paris}}.\n')
      const parse = {kind: 'parse', lecture: {path: 'notes/a.md', relative: 'a.md', value}, options: {limits: {}, folders: {}}, roots: [['notes', process.cwd()]], cwd: process.cwd(), spill: undefined} as Extract<Task, {kind: 'parse'}>
      for (const worker of [0, 1]) expect((await pool.submit(parse, worker)).holder).toBe(worker)
      const identities = identityColumns(['g0', 'g1', 'g2'].map((guid, index) => ({guid, id: 1_790_000_000_000 + index * 1000, mod: 1_790_000_000 + index})))
      const pack = {kind: 'pack', path: 'notes/a.md', deck: {name: 'Alpha', description: ''}, identities, collection: false} as Extract<Task, {kind: 'pack'}>
      // Worker 1 gives up its cards: worker 0 packs them, then its own; worker 1 has none left.
      const {kept} = await pool.submit({kind: 'give', path: 'notes/a.md'}, 1)
      expect(kept.tags).toEqual(['a'])
      const given = await pool.submit({...pack, kept}, 0)
      const own = await pool.submit(pack, 0)
      expect(given.bytes.length).toBeGreaterThan(1000)
      expect(Buffer.from(given.bytes).equals(Buffer.from(own.bytes))).toBe(true)
      await expect(pool.submit(pack, 1)).rejects.toThrow(/no parsed cards of notes\/a\.md in worker 1/)
      await expect(pool.submit({kind: 'give', path: 'notes/a.md'}, 0)).rejects.toThrow(/no parsed cards/)
    } finally {
      await pool.close()
    }
  })
})
