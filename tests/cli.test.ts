// The real `deckc` binary on temporary note folders, as a user runs it.
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
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
    expect(run.stdout).toMatch(
      /^notes\/caches\.md → dist\/caches\.apkg {2}2 cards {2}\d+\.\d kB\n {2}2 new, 0 updated, 0 unchanged\nnotes\/os\/threads\.md → dist\/os\/threads\.apkg {2}1 card {2}\d+\.\d kB\n {2}1 new, 0 updated, 0 unchanged\n$/
    )
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

describe('courses', () => {
  it('nests decks by folder, with display names from deckc.config.json, and writes a bundle of every deck', async () => {
    const cwd = project({
      'notes/systems-for-ml/l1.md': 'L1 Intro\nWhat is ML?\nLearning from data.\n',
      'notes/systems-for-ml/l2.md': 'L2 Training\nWhat is SGD?\nStochastic gradient descent.\n',
      'notes/os/threads.md': 'Threads\nWhat is a thread?\nA unit of execution.\n',
      'deckc.config.json': '{"folders": {"systems-for-ml": "Systems for ML"}}'
    })
    const run = await deckc(cwd, 'build', '--bundle', 'course')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/\nbundle → dist\/course\.apkg {2}3 decks {2}\d+\.\d kB\n$/)
    const course = await readBack(path.join(cwd, 'dist/course.apkg'))
    const decks = course.json?.decks
    const names = Object.values(decks?.ok ? (decks.value as Record<string, {name: string}>) : {}).map((deck) => deck.name).sort()
    expect(names).toEqual(['Default', 'Systems for ML', 'Systems for ML::L1 Intro', 'Systems for ML::L2 Training', 'os', 'os::Threads'])
    const single = await readBack(path.join(cwd, 'dist/os/threads.apkg'))
    const guids = (pkg: typeof single) => pkg.notes.map((note) => note.values['guid'])
    expect(guids(course)).toEqual(expect.arrayContaining(guids(single)))
  })

  it('writes no bundle when any lecture has errors', async () => {
    const cwd = project({'notes/a.md': good, 'notes/b.md': bad})
    expect((await deckc(cwd, 'build', '--bundle', 'course')).code).toBe(1)
    expect(existsSync(path.join(cwd, 'dist/course.apkg'))).toBe(false)
  })

  it('takes limits from deckc.config.json', async () => {
    const cwd = project({'notes/a.md': good, 'deckc.config.json': '{"limits": {"cards": 1}}'})
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^notes\/a\.md:\d+:1: error: Too many cards: .*\[too-many-cards\]\n$/)
  })

  it('reports a configuration error at its place and exits 2', async () => {
    const cwd = project({'notes/a.md': good, 'deckc.config.json': '{\n  "folders": {},\n  "colour": "blue"\n}\n'})
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(2)
    expect(run.stderr).toBe('deckc.config.json:3:3: error: Unknown key `colour`; expected one of `notes`, `out`, `folders`, `limits`, `bundle` [bad-config]\n')
  })
})

describe('the state file', () => {
  it('is written beside the notes, and a rebuild without changes reproduces packages and state', async () => {
    const cwd = project({'notes/caches.md': good})
    await deckc(cwd, 'build')
    const lock = readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8')
    expect(lock.split('\n')).toHaveLength(4)
    const apkg = readFileSync(path.join(cwd, 'dist/caches.apkg'))
    const again = await deckc(cwd, 'build')
    expect(again.stdout).toContain('  0 new, 0 updated, 2 unchanged\n')
    expect(readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8')).toBe(lock)
    expect(readFileSync(path.join(cwd, 'dist/caches.apkg')).equals(apkg)).toBe(true)
  })

  it('build --check exits 0 on a clean tree and 3 with the report when packages or state are out of date', async () => {
    const cwd = project({'notes/caches.md': good})
    await deckc(cwd, 'build')
    expect((await deckc(cwd, 'build', '--check')).code).toBe(0)
    writeFileSync(path.join(cwd, 'notes/caches.md'), good.replace('It is not.', 'The data is fetched from memory.'))
    const lock = readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8')
    const run = await deckc(cwd, 'build', '--check')
    expect(run.code).toBe(3)
    expect(run.stdout).toBe('notes/caches.md  2 cards\n  0 new, 1 updated, 1 unchanged\n')
    expect(run.stderr).toBe('deckc: out of date: dist/caches.apkg, notes/deckc.lock (run deckc build and commit the result)\n')
    expect(readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8')).toBe(lock)
    writeFileSync(path.join(cwd, 'notes/caches.md'), bad)
    expect((await deckc(cwd, 'build', '--check')).code).toBe(1)
  })

  it('a build of one lecture touches only its own entries', async () => {
    const cwd = project({'notes/a.md': good, 'notes/b.md': 'B\nWhat is b?\nb\n'})
    await deckc(cwd, 'build')
    const before = readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8').split('\n')
    writeFileSync(path.join(cwd, 'notes/b.md'), 'B\nWhat is b?\nb, changed\n')
    writeFileSync(path.join(cwd, 'notes/a.md'), good.replace('It is not.', 'changed too'))
    expect((await deckc(cwd, 'build', 'notes/b.md')).code).toBe(0)
    const after = readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8').split('\n')
    const lines = (all: string[], file: string) => all.filter((line) => line.includes(`"file":"${file}"`))
    expect(lines(after, 'a.md')).toEqual(lines(before, 'a.md'))
    expect(lines(after, 'b.md')).not.toEqual(lines(before, 'b.md'))
  })

  it('is written again as deckc writes it when a build finds it edited, and left alone when not', async () => {
    const cwd = project({'notes/caches.md': good, 'notes/b.md': 'B\nWhat is b?\nb\n'})
    await deckc(cwd, 'build')
    const lockPath = path.join(cwd, 'notes/deckc.lock')
    const lock = readFileSync(lockPath, 'utf8')
    const [header = '', ...entries] = lock.split('\n').slice(0, -1)
    expect(entries).toHaveLength(3)
    const edits = [
      lock.replace(/\n/g, '\r\n'),
      `${[header, ...entries.reverse()].join('\n')}\n`,
      `${[header, ...entries].join('\n\n')}\n`,
      lock.trimEnd(),
      lock.replace('"mod":', '"mod": '),
      lock.replace('"question":"What', '"question":"\\u0057hat'),
      lock.replaceAll('"file":"caches.md"', '"file":"./caches.md"')
    ]
    for (const edited of edits) {
      writeFileSync(lockPath, edited)
      const run = await deckc(cwd, 'build')
      expect(run).toMatchObject({code: 0, stderr: ''})
      expect(run.stdout).toContain('0 new, 0 updated, 2 unchanged')
      expect(readFileSync(lockPath, 'utf8')).toBe(lock)
    }
    const written = statSync(lockPath)
    expect((await deckc(cwd, 'build')).code).toBe(0)
    expect(statSync(lockPath)).toMatchObject({ino: written.ino, mtimeMs: written.mtimeMs})
  })

  it('says how to import when a note type gained fields since the last build', async () => {
    const cwd = project({'notes/caches.md': good})
    await deckc(cwd, 'build')
    const lockPath = path.join(cwd, 'notes/deckc.lock')
    const lock = readFileSync(lockPath, 'utf8')
    const [header = '', ...rest] = lock.split('\n')
    const parsed = JSON.parse(header) as {notetypes: Record<string, number>}
    for (const id of Object.keys(parsed.notetypes)) parsed.notetypes[id] = 1
    writeFileSync(lockPath, [JSON.stringify(parsed), ...rest].join('\n'))
    const run = await deckc(cwd, 'build')
    expect(run.stderr).toContain('deckc: Note type "deckc Basic" has 2 new field(s) since the last build. When importing, tick "Merge note types"')
  })

  it('reports the build as JSON with --json', async () => {
    const cwd = project({'notes/caches.md': good, 'notes/bad.md': bad})
    const run = await deckc(cwd, 'build', '--json')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    const json = JSON.parse(run.stdout) as {decks: unknown[]; messages: unknown[]}
    expect(json.decks).toEqual([
      {path: 'notes/caches.md', deck: 'Caches', output: 'dist/caches.apkg', bytes: expect.any(Number), cards: 2, changes: {added: 2, updated: 0, unchanged: 0, moved: [], removed: []}}
    ])
    expect(json.messages).toEqual([
      {path: 'notes/bad.md', line: 2, column: 1, severity: 'error', rule: 'missing-answer', message: 'Question has no answer: found the next question or the end of the file; expected answer lines below the question'}
    ])
  })
})

describe('deckc check', () => {
  it('reports like build and writes nothing', async () => {
    const cwd = project({'notes/a-good.md': good, 'notes/b-bad.md': bad})
    const run = await deckc(cwd, 'check')
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('notes/a-good.md  2 cards\n  2 new, 0 updated, 0 unchanged\n')
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
