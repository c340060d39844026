// What a cold start loads: the CLI's bundle (scripts/bundle.js, run before the tests) keeps code
// only some commands or lectures need in chunks loaded on demand.
import {readFileSync, readdirSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

const folder = new URL('../build/', import.meta.url)

/** The files a module loads before it runs: itself and its static imports, transitively. */
function loadedWith(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(new URL(file, folder), 'utf8')
  for (const [, imported] of text.matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.js)"/g)) loadedWith(imported as string, seen)
  return seen
}

describe('the bundle', () => {
  it('loads a small set of code for `deckc build` before it reads the notes', () => {
    const command = readdirSync(folder).find((name) => /^build-[\w]+\.js$/.test(name))
    if (!command) throw new Error('no build command chunk in build/')
    const files = loadedWith(command, loadedWith('cli.js'))
    const bytes = [...files].reduce((sum, file) => sum + readFileSync(new URL(file, folder)).length, 0)
    const text = [...files].map((file) => readFileSync(new URL(file, folder), 'utf8')).join('\n')
    // zod's messages in other languages, and its JSON Schema generator, are not needed.
    expect(text).not.toContain('toJSONSchema')
    expect(bytes).toBeLessThan(150_000)
  })
})
