// Rebuilding big lectures against their state file (deckc.lock): matching
// cards to their earlier identity must stay fast however much changed.
// Run with `npm run test:heavy`; each build is killed past its bound.
import {execFile} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {expectValidPackage, project} from '../process.js'

const bin = fileURLToPath(new URL('../../bin/deckc.js', import.meta.url))

/** Run the binary, killed after `bound` milliseconds; resolves with its exit code (null when killed) and time. */
function build(cwd: string, bound: number): Promise<{code: number | null; seconds: number}> {
  const started = performance.now()
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'build'], {cwd, env: {...process.env, SOURCE_DATE_EPOCH: '1790000000'}, timeout: bound, killSignal: 'SIGKILL', maxBuffer: 1 << 28}, (error) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
      resolve({code, seconds: (performance.now() - started) / 1000})
    })
  })
}

const cards = 20_000
const lecture = (question: string) => `Many\n${Array.from({length: cards}, (_, index) => `${question} ${index}?\nThe number ${index}.\n`).join('')}`

describe('rebuilding 20,000 cards', () => {
  it.each([
    ['unchanged', 'What is item number'],
    ['with every question rewritten', 'Which one is entry']
  ])('%s against the state file takes seconds, not hours', async (_, rewritten) => {
    const cwd = project({'notes/many.md': lecture('What is item number')})
    expect((await build(cwd, 60_000)).code).toBe(0)
    writeFileSync(path.join(cwd, 'notes/many.md'), lecture(rewritten))
    const second = await build(cwd, 60_000)
    expect(second.code, `${second.seconds.toFixed(1)} s`).toBe(0)
    expect(await expectValidPackage(path.join(cwd, 'dist/many.apkg'))).toBe(cards)
    expect(readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8').split('\n').length).toBeGreaterThan(cards)
  }, 180_000)
})
