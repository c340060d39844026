// Incremental builds must give exactly what a full build gives. A project with
// the build cache and a twin without it go through the same edits, built at
// the same times; after every step their reports, packages and state files
// must be equal, and the cached one must have built the way the step expects
// (incremental with N lectures compiled, or full where the cache cannot know).
import {mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {builtFiles, project, run} from './process.js'

const initial: Record<string, string> = {
  'notes/a.md': 'Alpha\nWhat is a cache?\nA small fast memory.\nWhat is a hit? {#hit}\n- found\n- fast\nWhat is a miss?\nnot found\n',
  'notes/b.md': 'Beta\nWhat is a thread?\nA unit of execution.\n![diagram](img/d.png)\nWhat is a process?\nshort: a program running\n- has memory\n',
  'notes/sub/c.md': '---\nreverse: true\n---\nGamma\nWhat is TCP?\nA transport protocol.\nThe {{c1::capital}} of France is {{c2::Paris}}.\n',
  'notes/sub/d.md': 'Delta\nWhat is $x^2$?\nA square.\nWhat is `code`?\n```js\nconst a = 1\n```\n',
  'notes/img/d.png': 'diagram v1'
}

type Change = (cwd: string) => void

const write = (name: string, text: string): Change => (cwd) => writeFileSync(path.join(cwd, name), text)
const edit = (name: string, from: string, to: string): Change => (cwd) => {
  const file = path.join(cwd, name)
  const text = readFileSync(file, 'utf8')
  if (!text.includes(from)) throw new Error(`test: ${name} has no ${from}`)
  writeFileSync(file, text.replace(from, to))
}
const remove = (name: string): Change => (cwd) => rmSync(path.join(cwd, name))
const touch = (name: string): Change => (cwd) => utimesSync(path.join(cwd, name), new Date(1e12), new Date(1e12))
const both = (...changes: Change[]): Change => (cwd) => {
  for (const change of changes) change(cwd)
}

/** Each step: what changes, and how the cached build should go. */
const steps: Array<[string, Change, string]> = [
  ['first build', () => undefined, 'full'],
  ['nothing changed', () => undefined, 'incremental: 0 compiled, 4 kept'],
  ['an answer edited', edit('notes/a.md', 'A small fast memory.', 'A small, fast memory.'), 'incremental: 1 compiled, 3 kept'],
  ['a card added and another removed', both(edit('notes/b.md', 'What is a process?', 'What is a fibre?\nA light thread.\nWhat is a process?'), edit('notes/sub/c.md', 'What is TCP?\nA transport protocol.\n', '')), 'incremental: 2 compiled, 2 kept'],
  ['a typo fixed in a question', edit('notes/a.md', 'What is a miss?', 'What is a cache miss?'), 'incremental: 1 compiled, 3 kept'],
  ['a card moved to another lecture', both(edit('notes/b.md', 'What is a fibre?\nA light thread.\n', ''), edit('notes/sub/d.md', 'Delta\n', 'Delta\nWhat is a fibre?\nA light thread.\n')), 'incremental: 2 compiled, 2 kept'],
  ['a lecture broken', edit('notes/sub/d.md', 'A square.\n', ''), 'incremental: 1 compiled, 3 kept'],
  ['nothing changed, still broken', () => undefined, 'incremental: 0 compiled, 4 kept'],
  ['the lecture mended', edit('notes/sub/d.md', 'What is `code`?', 'What is a square?\nx times x.\nWhat is `code`?'), 'incremental: 1 compiled, 3 kept'],
  ['a media file changed', write('notes/img/d.png', 'diagram v2'), 'incremental: 1 compiled, 3 kept'],
  ['a package touched and another removed', both(touch('dist/a.apkg'), remove('dist/sub/c.apkg')), 'incremental: 2 compiled, 2 kept'],
  ['a deck renamed', edit('notes/a.md', 'Alpha\n', 'Alpha One\n'), 'full'],
  ['a lecture removed', remove('notes/sub/c.md'), 'full'],
  ['a broken lecture with the removed deck name', write('notes/e.md', 'Gamma\nWhat is UDP?\n'), 'full'],
  ['it changes, still broken (it could claim the removed cards)', write('notes/e.md', 'Gamma\nWhat is UDP? {#udp}\n'), 'full'],
  ['it is mended and takes them over', write('notes/e.md', 'Gamma\nWhat is UDP?\nA datagram protocol.\nThe {{c1::capital}} of France is {{c2::Paris}}.\n'), 'full'],
  ['then edited', edit('notes/e.md', 'A datagram protocol.', 'A datagram protocol without connections.'), 'incremental: 1 compiled, 3 kept'],
  ['two lectures with one deck name', edit('notes/e.md', 'Gamma\n', 'Beta\n'), 'full'],
  ['the second edited', edit('notes/e.md', 'without connections', 'without any connection'), 'full'],
  ['the names told apart', edit('notes/e.md', 'Beta\n', 'Gamma\n'), 'full'],
  ['an edit after all that', edit('notes/b.md', 'A unit of execution.', 'A unit of scheduling.'), 'incremental: 1 compiled, 3 kept']
]


describe('incremental builds', () => {
  it('give what full builds give, through a series of edits', async () => {
    const cached = project(initial)
    mkdirSync(path.join(cached, 'node_modules'))
    const twin = project(initial)
    // Lectures changed in the last 2 s are read at every build: most of them are known by their files' stamps after this.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    for (const [index, [name, change, expected]] of steps.entries()) {
      change(cached)
      change(twin)
      const epoch = String(1_790_000_000 + index * 3600)
      const got = await run(cached, ['build'], {epoch, env: {DECKC_TRACE: '1'}})
      const want = await run(twin, ['build'], {epoch})
      const trace = /deckc: (.*) build; .*\n$/.exec(got.stderr)
      expect({step: name, how: trace?.[1]}).toEqual({step: name, how: expected})
      expect({step: name, ...got, stderr: got.stderr.slice(0, trace?.index)}).toEqual({step: name, ...want})
      expect({step: name, ...builtFiles(cached)}).toEqual({step: name, ...builtFiles(twin)})
    }
  }, 120_000)
})
