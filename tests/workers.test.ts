// Builds on worker threads give the bytes, reports and state file of a build
// in one thread, whatever the number of workers.
import {mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {builtFiles, project, run} from './process.js'

const files: Record<string, string> = {
  'notes/a.md': 'Alpha\nWhat is a cache?\nA small fast memory.\nWhat is a hit? {#hit}\n- found\n- fast\n',
  'notes/b.md': 'Beta\nWhat is a thread?\n![diagram](img/d.png)\nWhat is *a process*?\nshort: a program running\n<b onclick="x()">bold</b>\n',
  'notes/c.md': '---\nreverse: true\n---\nGamma\nWhat is TCP?\nA transport protocol.\nThe {{c1::capital}} of France is {{c2::Paris}}.\n',
  'notes/sub/d.md': 'Delta\nWhat is $x^2$?\nA square.\nWhat is `code`?\n```js\nconst a = 1\n```\nWhat has no answer?\n',
  'notes/sub/e.md': 'Epsilon\nWhat is missing?\n![gone](nothing.png)\n',
  'notes/img/d.png': 'a diagram'
}


describe('builds on worker threads', () => {
  it('give what a build in one thread gives', async () => {
    const results = []
    // The last two set the parsed cards aside on disk, as builds of over 32 MB of notes do.
    for (const [workers, spill] of [['0', '0'], ['1', '0'], ['3', '0'], ['1', '1'], ['2', '1']] as const) {
      // z.md has the deck of a.md in other case: the later lecture gets the `duplicate-deck` error, whoever parses it first.
      const cwd = project({...files, 'notes/z.md': 'ALPHA\nWhat is z?\nThe last letter.\n'})
      const temporary = path.join(cwd, 'tmp')
      mkdirSync(temporary)
      const env = {DECKC_WORKERS: workers, DECKC_SPILL: spill, TMPDIR: temporary}
      const first = await run(cwd, ['build'], {env: {...env, DECKC_TRACE: '1'}})
      // An edited answer: its note's mod is the second build's, its deck-mate's the first's.
      writeFileSync(path.join(cwd, 'notes/a.md'), files['notes/a.md']?.replace('- fast', '- quick') ?? '')
      const second = await run(cwd, ['build', '--json'], {epoch: '1790086400', env})
      const trace = /deckc: .*\n$/.exec(first.stderr)
      expect(trace?.[0]).toContain(workers === '0' ? 'full build;' : `full build on ${workers} workers${spill === '1' ? ', parsed cards on disk' : ''};`)
      // The folder of set-aside cards is removed.
      expect(readdirSync(temporary)).toEqual([])
      rmSync(temporary, {recursive: true})
      results.push({first: {...first, stderr: first.stderr.slice(0, trace?.index)}, second, outputs: builtFiles(cwd)})
    }
    expect(results[0]?.first.code).toBe(1)
    expect(results[0]?.first.stderr).toContain('[missing-media]')
    expect(results[0]?.first.stderr).toMatch(/notes\/z\.md:1:1: error: Duplicate deck: `ALPHA` is already the deck of notes\/a\.md/)
    expect(results[1]).toEqual(results[0])
    expect(results[2]).toEqual(results[0])
    expect(results[3]).toEqual(results[0])
    expect(results[4]).toEqual(results[0])
  }, 60_000)

  it('record what a rebuild compares, also when the lectures\' bytes are let go once parsed', async () => {
    const cwd = project(files)
    mkdirSync(path.join(cwd, 'node_modules'))
    const env = {DECKC_WORKERS: '1', DECKC_SPILL: '1', DECKC_TRACE: '1'}
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: full build on 1 workers, parsed cards on disk;/)
    // The record has each lecture's hash: nothing is compiled again.
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: incremental: 0 compiled, 5 kept build;/)
    writeFileSync(path.join(cwd, 'notes/a.md'), files['notes/a.md']?.replace('fast memory', 'faster memory') ?? '')
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: incremental: 1 compiled, 4 kept build;/)
  }, 60_000)

  it('read the state file from disk in builds that set cards aside, and write the one reading it whole writes', async () => {
    // After a build: a card edited, a lecture moved to another folder, one removed, one added.
    const edited: Record<string, string> = {...files, 'notes/a.md': files['notes/a.md']?.replace('What is a cache?', 'What is a cash?').replace('A small fast memory.', 'A small, fast memory.') ?? '', 'notes/f.md': 'Phi\nWhat is new?\nThis.\n'}
    delete edited['notes/b.md']
    delete edited['notes/c.md']
    edited['notes/moved/c.md'] = files['notes/c.md'] ?? ''
    const results = []
    for (const [spill, sorted] of [['0', true], ['1', true], ['0', false], ['1', false]] as const) {
      const cwd = project(files)
      await run(cwd, ['build'])
      for (const name of Object.keys(files)) rmSync(path.join(cwd, name))
      for (const [name, text] of Object.entries(edited)) {
        mkdirSync(path.dirname(path.join(cwd, name)), {recursive: true})
        writeFileSync(path.join(cwd, name), text)
      }
      if (!sorted) {
        // By hand: not sorted by guid any more; read whole after all.
        const lock = path.join(cwd, 'notes', 'deckc.lock')
        const lines = readFileSync(lock, 'utf8').split('\n')
        ;[lines[1], lines[2]] = [lines[2] as string, lines[1] as string]
        writeFileSync(lock, lines.join('\n'))
      }
      const built = await run(cwd, ['build', '--no-cache'], {epoch: '1790086400', env: {DECKC_WORKERS: '1', DECKC_SPILL: spill, DECKC_TRACE: '1'}})
      const trace = /deckc: .*\n$/.exec(built.stderr)
      expect(trace?.[0]).toContain(spill === '0' ? 'full build on 1 workers;' : sorted ? 'full build on 1 workers, parsed cards and state file on disk;' : 'full build on 1 workers, parsed cards on disk;')
      results.push({...built, stderr: built.stderr.slice(0, trace?.index), outputs: builtFiles(cwd)})
    }
    expect(results[0]?.stdout).toContain('moved here from')
    expect(results[0]?.stdout).toContain('1 card removed from the notes')
    expect(results[1]).toEqual(results[0])
    expect(results[3]).toEqual(results[2])
  }, 60_000)

  it('leave a state file read from disk untouched when nothing in it changes, and write an edited one as deckc writes it', async () => {
    const cwd = project(files)
    await run(cwd, ['build'])
    const lock = path.join(cwd, 'notes', 'deckc.lock')
    const written = readFileSync(lock, 'utf8')
    const env = {DECKC_WORKERS: '1', DECKC_SPILL: '1', DECKC_TRACE: '1'}
    const before = statSync(lock)
    const again = await run(cwd, ['build', '--no-cache'], {epoch: '1790086400', env})
    expect(again.stderr).toContain('parsed cards and state file on disk;')
    expect(statSync(lock)).toMatchObject({ino: before.ino, mtimeMs: before.mtimeMs})
    // The same entries with other line endings and one file written otherwise, or without the final
    // line break: written again as deckc writes them.
    for (const edited of [written.replace('"file":"a.md"', '"file":"./a.md"').replace(/\n/g, '\r\n'), written.slice(0, -1)]) {
      writeFileSync(lock, edited)
      expect((await run(cwd, ['build', '--no-cache'], {epoch: '1790086400', env})).stderr).toContain('parsed cards and state file on disk;')
      expect(readFileSync(lock, 'utf8')).toBe(written)
    }
  }, 60_000)

  it('record the media they read, so a changed image rebuilds its lecture', async () => {
    const cwd = project(files)
    mkdirSync(path.join(cwd, 'node_modules'))
    const env = {DECKC_WORKERS: '2', DECKC_TRACE: '1'}
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: full build on 2 workers;/)
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: incremental: 0 compiled, 5 kept build;/)
    writeFileSync(path.join(cwd, 'notes/img/d.png'), 'another diagram')
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: incremental: 1 compiled, 4 kept build;/)
    writeFileSync(path.join(cwd, 'notes/sub/nothing.png'), 'now it is there')
    expect((await run(cwd, ['build'], {env})).stderr).toMatch(/deckc: incremental: 1 compiled, 4 kept build;/)
  }, 60_000)
})
