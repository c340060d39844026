// The worker pool hands each answer to the task it belongs to, in whatever
// order the worker answers (a small package is zipped before a large one
// handed over earlier).
import {describe, expect, it} from 'vitest'
import {startPool} from '../src/cli/pool.js'
import type {Task} from '../src/cli/pool.js'

const lateWorker = new URL('./pool/late-worker.mjs', import.meta.url)

describe('the worker pool', () => {
  it('gives each task its own answer when a worker answers out of order', async () => {
    const pool = startPool(1, lateWorker)
    try {
      // Two tasks in one worker's hands at once: the first answered last.
      const task = (value: string, delay: number) => ({kind: 'pack', value, delay}) as unknown as Extract<Task, {kind: 'pack'}>
      const answers = await Promise.all([pool.submit(task('first', 300)), pool.submit(task('second', 10)), pool.submit(task('third', 50))])
      expect(answers).toEqual([{value: 'first'}, {value: 'second'}, {value: 'third'}])
    } finally {
      await pool.close()
    }
  })

  it('can be closed twice (parsing ends its pool, and its owner closes it again)', async () => {
    const pool = startPool(2, lateWorker)
    const task = {kind: 'pack', value: 'one', delay: 10} as unknown as Extract<Task, {kind: 'pack'}>
    expect(await pool.submit(task)).toEqual({value: 'one'})
    await pool.close()
    await expect(pool.close()).resolves.toBeUndefined()
  })
})
