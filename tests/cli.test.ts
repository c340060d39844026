// The real `deckc` binary on temporary note folders, as a user runs it.
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {lint} from '../src/anki/lint.js'
import {unpack} from '../src/anki/unpack.js'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))

interface Run {
  code: number
  stdout: string
  stderr: string
}

function deckc(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], {cwd, env: {...process.env, SOURCE_DATE_EPOCH: '1790000000'}}, (error, stdout, stderr) => {
      resolve({code: error ? Number(error.code) : 0, stdout, stderr})
    })
  })
}

/** A temporary project folder with the given files (paths relative to it). */
function project(files: Record<string, string>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'deckc-cli-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), {recursive: true})
    writeFileSync(path.join(folder, name), text)
  }
  return folder
}

const good = 'Caches\nWhat is a cache hit?\nThe data is in the cache.\nWhat is a miss?\nIt is not.\n'
const bad = 'Broken\nWhat has no answer?\n'

async function readBack(file: string) {
  const pkg = await unpack(readFileSync(file))
  expect(lint(pkg)).toEqual([])
  return pkg
}

describe('deckc build', () => {
  it('compiles every lecture below notes/ into dist/, mirroring folders', async () => {
    const cwd = project({
      'notes/caches.md': good,
      'notes/os/threads.md': 'Threads\nWhat is a thread?\nA unit of execution.\n',
      'notes/README.md': 'not a lecture?\nno',
      'notes/_draft.md': 'draft?\nno',
      'notes/.hidden.md': 'hidden?\nno'
    })
    const run = await deckc(cwd, 'build')
    expect(run).toMatchObject({code: 0, stderr: ''})
    expect(run.stdout).toMatch(/^notes\/caches\.md → dist\/caches\.apkg {2}2 cards {2}\d+\.\d kB\nnotes\/os\/threads\.md → dist\/os\/threads\.apkg {2}1 card {2}\d+\.\d kB\n$/)
    expect(readdirSync(path.join(cwd, 'dist'), {recursive: true}).sort()).toEqual(['caches.apkg', 'os', 'os/threads.apkg'])
    const pkg = await readBack(path.join(cwd, 'dist/caches.apkg'))
    expect(pkg.notes.length).toBe(2)
  })

  it('writes a file PATH to --out DIR under its own name', async () => {
    const cwd = project({'lectures/one.md': good})
    const run = await deckc(cwd, 'build', 'lectures/one.md', '--out', 'out/decks')
    expect(run.code).toBe(0)
    expect(existsSync(path.join(cwd, 'out/decks/one.apkg'))).toBe(true)
  })

  it('reports every problem, builds the good lectures and exits 1', async () => {
    const cwd = project({'notes/a-good.md': good, 'notes/b-bad.md': bad, 'notes/c-empty.md': 'Only a title\n'})
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      'notes/b-bad.md:2:1: error: Question has no answer: found the next question or the end of the file; expected answer lines below the question [missing-answer]\n' +
        'notes/c-empty.md:1:1: error: No cards: found no question; expected question lines ending with `?` (or headings, in heading style) followed by their answers [no-cards]\n'
    )
    expect(readdirSync(path.join(cwd, 'dist'))).toEqual(['a-good.apkg'])
  })

  it('never overwrites a good package with a failed build, and leaves no temporary files', async () => {
    const cwd = project({'notes/caches.md': good})
    expect((await deckc(cwd, 'build')).code).toBe(0)
    const before = readFileSync(path.join(cwd, 'dist/caches.apkg'))
    writeFileSync(path.join(cwd, 'notes/caches.md'), bad)
    expect((await deckc(cwd, 'build')).code).toBe(1)
    expect(readFileSync(path.join(cwd, 'dist/caches.apkg')).equals(before)).toBe(true)
    expect(readdirSync(path.join(cwd, 'dist'))).toEqual(['caches.apkg'])
  })

  it('gives byte-identical packages for the same notes and SOURCE_DATE_EPOCH', async () => {
    const cwd = project({'notes/caches.md': good})
    await deckc(cwd, 'build', '--out', 'first')
    await deckc(cwd, 'build', '--out', 'second')
    expect(readFileSync(path.join(cwd, 'second/caches.apkg')).equals(readFileSync(path.join(cwd, 'first/caches.apkg')))).toBe(true)
  })

  it('reports a symbolic link leaving the notes folder as unsafe and never reads it', async () => {
    const outside = project({'secret.md': 'Secret\nWhat is the password?\nhunter2\n'})
    const cwd = project({'notes/caches.md': good})
    symlinkSync(path.join(outside, 'secret.md'), path.join(cwd, 'notes/secret.md'))
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^notes\/secret\.md:1:1: error: Symbolic link leads outside the notes folder .*\[unsafe-path\]\n$/)
    expect(readdirSync(path.join(cwd, 'dist'))).toEqual(['caches.apkg'])
  })

  it('reports an output folder that cannot be written and exits 1', async () => {
    const cwd = project({'notes/caches.md': good, 'dist': 'a file where the output folder should be'})
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^notes\/caches\.md:1:1: error: Cannot write the package dist\/caches\.apkg: .*\[write-failed\]\n$/)
  })
})

describe('deckc check', () => {
  it('reports like build and writes nothing', async () => {
    const cwd = project({'notes/a-good.md': good, 'notes/b-bad.md': bad})
    const run = await deckc(cwd, 'check')
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('notes/a-good.md  2 cards\n')
    expect(run.stderr).toContain('notes/b-bad.md:2:1: error:')
    expect(existsSync(path.join(cwd, 'dist'))).toBe(false)
  })
})

describe('usage', () => {
  it('exits 2 on an unknown option, a missing path and a folder without lectures', async () => {
    const cwd = project({'empty/README.md': 'nothing'})
    for (const args of [['build', '--frobnicate'], ['build', 'nope'], ['build', 'empty'], ['compile']]) {
      const run = await deckc(cwd, ...args)
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toMatch(/^deckc: .+\nRun 'deckc --help' for usage\.\n$/)
    }
  })

  it('prints help and version', async () => {
    const cwd = project({})
    expect((await deckc(cwd, '--help')).stdout).toContain('Usage: deckc <command>')
    const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
    expect((await deckc(cwd, '--version')).stdout).toBe(`${version}\n`)
  })
})
