// The CLI as `npm ci` builds it (scripts/bundle.js, run before the tests): one script that
// bin/deckc.js compiles with the V8 code cache made for it, and that runs the same without one.
import {spawnSync} from 'node:child_process'
import {cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const repo = fileURLToPath(new URL('..', import.meta.url))

/** Run a copy of deckc's bin/ and build/ (`node_modules` linked) with `DECKC_CODE_CACHE=report`. */
function run(copy: string, args: string[], cwd = copy, env: Record<string, string> = {}): {stdout: string; stderr: string} {
  const {status, stdout, stderr} = spawnSync(process.execPath, [path.join(copy, 'bin', 'deckc.js'), ...args], {cwd, env: {...process.env, DECKC_CODE_CACHE: 'report', ...env}, encoding: 'utf8'})
  if (status !== 0) throw new Error(`deckc ${args.join(' ')} exited with ${status}: ${stderr}`)
  return {stdout, stderr}
}

function copyOfDeckc(): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'deckc-bundle-'))
  for (const part of ['bin', 'build', 'package.json']) cpSync(path.join(repo, part), path.join(copy, part), {recursive: true})
  symlinkSync(path.join(repo, 'node_modules'), path.join(copy, 'node_modules'), 'dir')
  return copy
}

describe('the bundle', () => {
  it('is one script for the CLI and one for its workers, which load no module while they run', () => {
    for (const name of ['cli.cjs', 'worker.cjs']) {
      // node:vm compiles each as a script: `import()` there has no loader to go to.
      expect(readFileSync(path.join(repo, 'build', name), 'utf8')).not.toMatch(/\bimport\(\s*["'`]/)
    }
  })

  it('leaves out the parts of zod deckc does not use', () => {
    const text = readFileSync(path.join(repo, 'build', 'cli.cjs'), 'utf8')
    // Its messages in other languages (444 kB; `erhalten`, "received", is in the German ones, and in no
    // other part of the bundle) and its JSON Schema generator.
    expect(text).not.toContain('erhalten')
    expect(text).not.toContain('toJSONSchema')
  })

  it('starts from its code cache, and builds the same packages with a damaged one or none', () => {
    const copy = copyOfDeckc()
    const notes = mkdtempSync(path.join(tmpdir(), 'deckc-bundle-notes-'))
    try {
      // With its state file: the cards are as built before, the packages the same whenever they are built.
      for (const file of ['L9-systems-for-ml.md', 'deckc.lock']) cpSync(path.join(repo, 'notes', file), path.join(notes, 'notes', file))
      const cache = path.join(copy, 'build', 'cli.cache')
      const build = (out: string) => {
        const {stderr} = run(copy, ['build', '--out', out, '--no-cache'], notes)
        return {stderr, bytes: readFileSync(path.join(notes, out, 'L9-systems-for-ml.apkg'))}
      }

      const cached = build('cached')
      expect(cached.stderr).toContain('deckc: cli code cache used\n')

      // Other V8 flags than the cache was made under: V8 turns it down.
      const flagged = run(copy, ['--version'], copy, {NODE_OPTIONS: '--max-old-space-size=3000'})
      expect(flagged.stderr).toContain('deckc: cli code cache rejected\n')

      const bytes = readFileSync(cache)
      bytes.fill(0x55, 64, 4096)
      writeFileSync(cache, bytes)
      const damaged = build('damaged')
      expect(damaged.stderr).toContain('deckc: cli code cache rejected\n')
      expect(damaged.bytes.equals(cached.bytes)).toBe(true)

      rmSync(cache)
      const none = build('none')
      expect(none.stderr).toContain('deckc: cli code cache missing\n')
      expect(none.bytes.equals(cached.bytes)).toBe(true)
      expect(run(copy, ['--version']).stdout).toBe(`${JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version}\n`)
    } finally {
      rmSync(copy, {recursive: true, force: true})
      rmSync(notes, {recursive: true, force: true})
    }
  })

  it('starts its workers from theirs, and they pack the same packages with a damaged one', () => {
    const copy = copyOfDeckc()
    const notes = mkdtempSync(path.join(tmpdir(), 'deckc-bundle-notes-'))
    try {
      cpSync(path.join(repo, 'scripts', 'code-cache'), path.join(notes, 'notes'), {recursive: true})
      const build = (out: string) => {
        // On two workers, whatever the size.
        const {stderr} = run(copy, ['build', '--out', out, '--no-cache'], notes, {DECKC_WORKERS: '2'})
        return {stderr, bytes: ['L1-warm-up', 'L2-warm-up', 'L3-warm-up-code'].map((name) => readFileSync(path.join(notes, out, `${name}.apkg`)))}
      }
      // The first build writes the state file: the next ones give their cards the same identities.
      build('first')
      const cached = build('cached')
      expect(cached.stderr.match(/deckc: worker code cache used\n/g)).toHaveLength(2)

      const cache = path.join(copy, 'build', 'worker.cache')
      const bytes = readFileSync(cache)
      bytes.fill(0x55, 64, 4096)
      writeFileSync(cache, bytes)
      const damaged = build('damaged')
      expect(damaged.stderr.match(/deckc: worker code cache rejected\n/g)).toHaveLength(2)
      expect(damaged.bytes).toEqual(cached.bytes)
    } finally {
      rmSync(copy, {recursive: true, force: true})
      rmSync(notes, {recursive: true, force: true})
    }
  })
})

