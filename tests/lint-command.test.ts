// deckc lint: every violation as `FILE: rule: message`, exit 1 when any.
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {pack} from '../src/anki/pack.js'
import {main} from '../src/cli/main.js'
import type {Environment} from '../src/cli/main.js'
import {anki21bPackage} from './anki21b.js'
import {fixture, FRANCE, modify} from './anki/fixture.js'

let cwd: string

beforeAll(async () => {
  cwd = mkdtempSync(path.join(tmpdir(), 'deckc-lint-'))
  const good = await pack(fixture())
  mkdirSync(path.join(cwd, 'dist/sub'), {recursive: true})
  writeFileSync(path.join(cwd, 'dist/good.apkg'), good)
  writeFileSync(path.join(cwd, 'dist/sub/also-good.apkg'), good)
  writeFileSync(path.join(cwd, 'dist/notes.txt'), 'not a package, and not named .apkg')
  // Two mistakes of other generators: a stale checksum, and tags without padding.
  const bad = await modify(good, (db) => db.run('update notes set csum = 1, tags = ? where id = ?', ['geo', FRANCE.id]))
  writeFileSync(path.join(cwd, 'bad.apkg'), bad)
  writeFileSync(path.join(cwd, 'random.apkg'), Uint8Array.from({length: 1000}, (_, index) => (index * 31) % 256))
  writeFileSync(path.join(cwd, 'anki21b.apkg'), await anki21bPackage())
})

afterAll(() => {
  rmSync(cwd, {recursive: true, force: true})
})

async function lint(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  let stdout = ''
  let stderr = ''
  const environment: Environment = {cwd, env: {}, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text)}
  const code = await main(['lint', ...args], environment)
  return {code, stdout, stderr}
}

describe('deckc lint', () => {
  test('a clean package: exit 0', async () => {
    expect(await lint('dist/good.apkg')).toEqual({code: 0, stdout: '1 package checked: no violations\n', stderr: ''})
  })

  test('a folder stands for every .apkg below it', async () => {
    expect(await lint('dist')).toEqual({code: 0, stdout: '2 packages checked: no violations\n', stderr: ''})
  })

  test('each violation as FILE: rule: message; exit 1', async () => {
    const run = await lint('bad.apkg', 'dist/good.apkg')
    expect(run.code).toBe(1)
    expect(run.stderr).toBe('')
    expect(run.stdout.split('\n')).toEqual([
      'bad.apkg: note-tags: note 1700000001000: tags "geo", expected "" or " a b "',
      expect.stringMatching(/^bad\.apkg: note-csum: note 1700000001000: csum 1, expected \d+$/),
      '2 packages checked: 2 violations in 1',
      ''
    ])
  })

  test('a file that is not a package is a violation too', async () => {
    const run = await lint('random.apkg')
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^random\.apkg: not-a-package: not a zip archive \(no end-of-central-directory record was found\)/)
  })

  test("Anki's newer format is named, with how to re-export it", async () => {
    const run = await lint('anki21b.apkg')
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^anki21b\.apkg: newer-format: this package uses the newer Anki format .*Support older Anki versions/)
  })

  test('--json', async () => {
    const run = await lint('--json', 'bad.apkg', 'dist/good.apkg')
    expect(run.code).toBe(1)
    const json = JSON.parse(run.stdout) as {packages: Array<{path: string; violations: Array<{rule: string}>}>; violations: number}
    expect(json.violations).toBe(2)
    expect(json.packages.map((item) => [item.path, item.violations.map((violation) => violation.rule)])).toEqual([
      ['bad.apkg', ['note-tags', 'note-csum']],
      ['dist/good.apkg', []]
    ])
  })

  test('usage errors: exit 2', async () => {
    expect(await lint()).toMatchObject({code: 2, stderr: expect.stringMatching(/'lint' needs package files or folders/)})
    expect(await lint('missing.apkg')).toMatchObject({code: 2, stderr: expect.stringMatching(/No such file or folder: missing\.apkg/)})
    mkdirSync(path.join(cwd, 'empty'), {recursive: true})
    expect(await lint('empty')).toMatchObject({code: 2, stderr: expect.stringMatching(/No packages \(\*\.apkg\) found in empty/)})
  })

  test('the real binary exits 0 on a clean package and 1 on violations', async () => {
    const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))
    const exit = (file: string) =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, [bin, 'lint', file], {cwd}, (error) => resolve(error ? Number(error.code) : 0))
      })
    expect(await exit('dist/good.apkg')).toBe(0)
    expect(await exit('bad.apkg')).toBe(1)
  })
})
