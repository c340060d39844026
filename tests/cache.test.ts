// The build cache (node_modules/.cache/deckc): a rebuild with nothing changed
// reprints the last report without compiling, and anything that could change
// the output — a lecture, a media file, the configuration, the state file, a
// package on disk — makes it a full build. Output bytes never depend on it.
import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {builtFiles, project, run} from './process.js'

const lectures = {
  'notes/caches.md': 'Caches\nWhat is a cache hit?\nThe data is in the cache.\nWhat is a miss?\n![plot](plot.png)\n',
  'notes/os/threads.md': 'Threads\nWhat is a thread?\n- a unit of execution\n- `pthread_create`\n',
  'notes/plot.png': 'not really a png'
}

/** A project with a `node_modules` folder, so deckc keeps its cache there. */
function cachedProject(files: Record<string, string> = lectures): string {
  const cwd = project(files)
  mkdirSync(path.join(cwd, 'node_modules'))
  return cwd
}


const upToDate = /^notes\/caches\.md → dist\/caches\.apkg {2}2 cards {2}\d+\.\d kB\n {2}0 new, 0 updated, 2 unchanged\nnotes\/os\/threads\.md → dist\/os\/threads\.apkg {2}1 card {2}\d+\.\d kB\n {2}0 new, 0 updated, 1 unchanged\n$/

describe('the build cache', () => {
  it('answers a rebuild with nothing changed, with the report a full build gives', async () => {
    const cwd = cachedProject()
    expect((await run(cwd, ['build'])).code).toBe(0)
    const first = builtFiles(cwd)
    expect(readdirSync(path.join(cwd, 'node_modules', '.cache', 'deckc', 'builds'))).toHaveLength(1)

    // A full build now would find every card up to date.
    const full = await run(cwd, ['build', '--no-cache'])
    expect(full).toMatchObject({code: 0, stderr: ''})
    expect(full.stdout).toMatch(upToDate)
    // So does the cache, a day later, and writes nothing.
    const times = () => ['dist/caches.apkg', 'dist/os/threads.apkg', 'notes/deckc.lock'].map((name) => statSync(path.join(cwd, name)).mtimeMs)
    const before = times()
    const cached = await run(cwd, ['build'], {epoch: '1790086400'})
    expect(cached).toEqual(full)
    expect(builtFiles(cwd)).toEqual(first)
    expect(times()).toEqual(before)
    expect(JSON.parse((await run(cwd, ['build', '--json'])).stdout)).toEqual(JSON.parse((await run(cwd, ['build', '--json', '--no-cache'])).stdout))
  })

  it('reprints warnings and errors, with the exit code', async () => {
    const cwd = cachedProject({...lectures, 'notes/broken.md': 'Broken\nWhat has no answer?\n', 'notes/warned.md': 'Warned\nWhat is <b onclick="x()">bold</b>?\nyes\n'})
    const first = await run(cwd, ['build'])
    expect(first.code).toBe(1)
    const full = await run(cwd, ['build', '--no-cache'])
    const cached = await run(cwd, ['build'])
    expect(cached).toEqual(full)
    expect(cached.stderr).toContain('notes/broken.md:2:1: error')
    expect(cached.stderr).toContain('[unsafe-html]')
  })

  it('knows an unchanged lecture by its file, and reads only the others', async () => {
    const cwd = cachedProject({...lectures, 'notes/queues.md': 'Queues\nWhat is a queue?\nFirst in, first out.\n'})
    // Files changed in the last 2 s are not known by their stamps (another change in the same tick of the clock would keep them).
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const build = async () => {
      const result = await run(cwd, ['build'], {env: {DECKC_TRACE: '1'}})
      expect(result.code).toBe(0)
      const trace = /deckc: (.*) build; .*; (\d+) of 3 lecture files read\n$/.exec(result.stderr)
      return [trace?.[1], Number(trace?.[2])]
    }
    expect(await build()).toEqual(['full', 3])
    const builds = path.join(cwd, 'node_modules', '.cache', 'deckc', 'builds')
    const [name] = readdirSync(builds)
    const sources = () => (JSON.parse(readFileSync(path.join(builds, name as string), 'utf8')) as {lectures: Array<{path: string; source: string | null}>}).lectures.map((lecture) => [lecture.path, lecture.source !== null])
    expect(sources()).toEqual([['notes/caches.md', true], ['notes/os/threads.md', true], ['notes/queues.md', true]])
    expect(await build()).toEqual(['incremental: 0 compiled, 3 kept', 0])

    // Changed: read, compiled, and not known by its new stamp yet.
    writeFileSync(path.join(cwd, 'notes/queues.md'), 'Queues\nWhat is a queue?\nFirst in, first out!\n')
    expect(await build()).toEqual(['incremental: 1 compiled, 2 kept', 1])
    expect(sources()).toEqual([['notes/caches.md', true], ['notes/os/threads.md', true], ['notes/queues.md', false]])
    // Changed to bytes of the same size with its modification time put back: its change time tells.
    const threads = path.join(cwd, 'notes/os/threads.md')
    const {atime, mtime} = statSync(threads)
    writeFileSync(threads, readFileSync(threads, 'utf8').replace('pthread_create', 'pthread_detach'))
    utimesSync(threads, atime, mtime)
    const [how, read] = await build()
    expect(how).toBe('incremental: 1 compiled, 2 kept')
    // threads.md, and queues.md unless 2 s have gone by since it changed.
    expect(read === 2 || read === 3).toBe(true)
    expect(readFileSync(path.join(cwd, 'dist/os/threads.apkg')).includes('pthread_detach')).toBe(true)
  })

  it('is not used by another deckc: a record of another build id is a full build', async () => {
    const cwd = cachedProject()
    const trace = async () => /deckc: (.*) build;/.exec((await run(cwd, ['build'], {env: {DECKC_TRACE: '1'}})).stderr)?.[1]
    expect(await trace()).toBe('full')
    expect(await trace()).toBe('incremental: 0 compiled, 2 kept')
    const builds = path.join(cwd, 'node_modules', '.cache', 'deckc', 'builds')
    for (const name of readdirSync(builds)) {
      const record = JSON.parse(readFileSync(path.join(builds, name), 'utf8'))
      writeFileSync(path.join(builds, name), JSON.stringify({...record, build: `${record.build}-older`}))
    }
    expect(await trace()).toBe('full')
    expect(await trace()).toBe('incremental: 0 compiled, 2 kept')
  })

  it.each([
    ['a lecture changes', (cwd: string) => writeFileSync(path.join(cwd, 'notes/os/threads.md'), 'Threads\nWhat is a thread?\n- a unit of execution\n- `pthread_join`\n')],
    ['a media file changes', (cwd: string) => writeFileSync(path.join(cwd, 'notes/plot.png'), 'another picture')],
    ['a media file appears', (cwd: string) => writeFileSync(path.join(cwd, 'notes/missing.png'), 'now here')],
    ['a lecture is added', (cwd: string) => writeFileSync(path.join(cwd, 'notes/new.md'), 'New\nWhat is new?\nThis.\n')],
    ['a lecture is removed', (cwd: string) => rmSync(path.join(cwd, 'notes/os/threads.md'))],
    ['a package is deleted', (cwd: string) => rmSync(path.join(cwd, 'dist/caches.apkg'))],
    ['a package is touched', (cwd: string) => utimesSync(path.join(cwd, 'dist/caches.apkg'), new Date(0), new Date(0))],
    ['the state file changes', (cwd: string) => writeFileSync(path.join(cwd, 'notes/deckc.lock'), readFileSync(path.join(cwd, 'notes/deckc.lock'), 'utf8').split('\n').slice(0, 2).join('\n'))],
    ['the configuration changes', (cwd: string) => writeFileSync(path.join(cwd, 'deckc.config.json'), '{"folders": {"os": "Operating Systems"}}')],
    ['the cache record is corrupt', (cwd: string) => {
      const builds = path.join(cwd, 'node_modules', '.cache', 'deckc', 'builds')
      for (const name of existsSync(builds) ? readdirSync(builds) : []) writeFileSync(path.join(builds, name), '{"format": 1, "key"')
    }],
    ['the cache is deleted', (cwd: string) => rmSync(path.join(cwd, 'node_modules', '.cache'), {recursive: true, force: true})]
  ])('builds in full when %s, with the bytes of a build without cache', async (_, change) => {
    const files = {...lectures, 'notes/extra.md': 'Extra\nWhat shows a missing image?\n![](missing.png)\n'}
    const cwd = cachedProject(files)
    const twin = project(files)
    await run(cwd, ['build'])
    await run(twin, ['build'])
    await run(cwd, ['build'])
    change(cwd)
    change(twin)
    const cached = await run(cwd, ['build'], {epoch: '1790086400'})
    const plain = await run(twin, ['build'], {epoch: '1790086400'})
    expect(cached).toEqual(plain)
    expect(builtFiles(cwd)).toEqual(builtFiles(twin))
  })
})
