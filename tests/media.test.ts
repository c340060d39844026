// Images and sounds next to the notes are bundled under content-derived names;
// nothing outside the notes root is ever read.
import {execFile, execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {lint} from '../src/anki/lint.js'
import {unpack} from '../src/anki/unpack.js'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))

function deckc(cwd: string, ...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], {cwd, timeout: 15_000, env: {...process.env, SOURCE_DATE_EPOCH: '1790000000'}}, (error, stdout, stderr) => {
      resolve({code: error ? Number(error.code ?? 99) : 0, stdout, stderr})
    })
  })
}

function project(files: Record<string, string | Uint8Array>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'deckc-media-'))
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), {recursive: true})
    writeFileSync(path.join(folder, name), data)
  }
  return folder
}

const red = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
const blue = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 4, 5, 6])
const sound = Uint8Array.from([0x49, 0x44, 0x33, 7, 8])

describe('media', () => {
  it('bundles images and sounds byte for byte under collision-free names', async () => {
    const cwd = project({
      'notes/a/lecture.md': 'A\nWhat does the plot show?\n![a plot](img/diagram.png)\nWhat does it sound like?\n![](my%20sound.mp3)\n',
      'notes/a/img/diagram.png': red,
      'notes/a/my sound.mp3': sound,
      'notes/b/lecture.md': 'B\nWhat does this plot show?\n![other plot](diagram.png)\n',
      'notes/b/diagram.png': blue
    })
    const run = await deckc(cwd, 'build', '--bundle', 'all')
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const pkg = await unpack(readFileSync(path.join(cwd, 'dist/all.apkg')))
    expect(lint(pkg)).toEqual([])
    const map = pkg.mediaMap?.ok ? (pkg.mediaMap.value as Record<string, string>) : {}
    const byName = Object.fromEntries(Object.entries(map).map(([entry, name]) => [name, pkg.mediaFiles.get(entry)]))
    expect(Object.keys(byName)).toHaveLength(3)
    const image = (bytes: Uint8Array) => Object.keys(byName).find((name) => Buffer.from(byName[name] ?? []).equals(Buffer.from(bytes)))
    expect(image(red)).toMatch(/^img-[\da-f]{16}\.png$/)
    expect(image(blue)).toMatch(/^img-[\da-f]{16}\.png$/)
    expect(image(sound)).toMatch(/^snd-[\da-f]{16}\.mp3$/)
    const fields = pkg.notes.map((note) => String(note.values['flds']))
    expect(fields).toContain(`What does the plot show?\u001F<p><img src="${image(red)}" alt="a plot"></p>\u001F`)
    expect(fields).toContain(`What does it sound like?\u001F<p>[sound:${image(sound)}]</p>\u001F`)
  })

  it('reports a missing file, a folder, a path out of the notes and a remote image at their places', async () => {
    const outside = project({'secret.png': red})
    const cwd = project({
      'notes/l.md': [
        'L',
        'What is missing?',
        '![](nope.png)',
        'What is a folder?',
        '![](dir.png)',
        'What is outside?',
        `![](../../${path.basename(outside)}/secret.png) and ![](${path.join(outside, 'secret.png')})`,
        'What is remote?',
        '![logo](https://example.com/logo.png)',
        ''
      ].join('\n')
    })
    mkdirSync(path.join(cwd, 'notes/dir.png'))
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(1)
    const lines = run.stderr.trim().split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[0]).toMatch(/^notes\/l\.md:3:1: error: Media file `nope\.png` not found .*\[missing-media\]$/)
    expect(lines[1]).toMatch(/^notes\/l\.md:5:1: error: Media path `dir\.png` is not a file.*\[missing-media\]$/)
    expect(lines[2]).toMatch(/^notes\/l\.md:7:1: error: Media path `\.\.\/.*` leads outside the notes folder.*\[unsafe-path\]$/)
    expect(lines[3]).toMatch(/^notes\/l\.md:7:\d+: error: Media path `\/.*` is absolute.*\[unsafe-path\]$/)
    expect(lines[4]).toMatch(/^notes\/l\.md:9:1: warning: Remote image `https:\/\/example\.com\/logo\.png` is not bundled.*\[remote-media\]$/)
  })

  it('never opens a file outside the notes root, even through a symbolic link', async () => {
    // A FIFO blocks whoever opens it for reading: a build that tried would hang and time out.
    const outside = mkdtempSync(path.join(tmpdir(), 'deckc-outside-'))
    execFileSync('mkfifo', [path.join(outside, 'trap.png')])
    const cwd = project({'notes/l.md': 'L\nWhat is linked?\n![](link.png)\nWhat is relative?\n![](../outside/trap.png)\n'})
    symlinkSync(path.join(outside, 'trap.png'), path.join(cwd, 'notes/link.png'))
    symlinkSync(outside, path.join(cwd, 'outside'))
    const run = await deckc(cwd, 'build')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/notes\/l\.md:3:1: error: Media path `link\.png` is a symbolic link leading outside the notes folder.*\[unsafe-path\]/)
    expect(run.stderr).toMatch(/notes\/l\.md:5:1: error: Media path `\.\.\/outside\/trap\.png` leads outside the notes folder.*\[unsafe-path\]/)
  })
})
