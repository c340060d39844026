// `deckc build --watch` on a temporary notes folder, edited as an author would.
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect, it} from 'vitest'
import {until} from './process.js'
import {unpack} from '../src/anki/unpack.js'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))


it('rebuilds a changed lecture, reports a broken one without touching its package, and stops cleanly', async () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'deckc-watch-'))
  mkdirSync(path.join(cwd, 'notes'))
  const lecture = path.join(cwd, 'notes/w.md')
  const other = path.join(cwd, 'notes/other.md')
  writeFileSync(lecture, 'W\nWhat is a?\nA.\n')
  writeFileSync(other, 'Other\nWhat is o?\nO.\n')
  const child = spawn(process.execPath, [bin, 'build', '--watch'], {cwd, env: {...process.env, SOURCE_DATE_EPOCH: '1790000000'}})
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  try {
    await until(() => stdout.includes('Watching notes for changes'))
    const package_ = path.join(cwd, 'dist/w.apkg')
    const first = readFileSync(package_)
    const otherBefore = readFileSync(path.join(cwd, 'dist/other.apkg'))

    writeFileSync(lecture, 'W\nWhat is a?\nA, edited.\nWhat is b?\nB.\n')
    await until(() => stdout.includes('notes/w.md → dist/w.apkg  2 cards'))
    const second = readFileSync(package_)
    expect((await unpack(second)).notes).toHaveLength(2)
    // Only the changed lecture was rebuilt.
    expect(stdout).not.toMatch(/changed\n(.|\n)*notes\/other\.md →/)
    expect(readFileSync(path.join(cwd, 'dist/other.apkg')).equals(otherBefore)).toBe(true)

    writeFileSync(lecture, 'W\nWhat is a?\nA, edited.\nWhat is b?\n')
    await until(() => stderr.includes('notes/w.md:4:1: error: Question has no answer'))
    expect(readFileSync(package_).equals(second)).toBe(true)
    expect(first.equals(second)).toBe(false)
  } finally {
    child.kill('SIGTERM')
  }
  expect(await exited).toBe(0)
})
