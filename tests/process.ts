// Helpers for tests that run deckc as a process and look at what it left on
// disk: temporary projects, the real binary, package checks.
import {spawn} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, watch, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect} from 'vitest'
import {lint} from '../src/anki/lint.js'
import {unpack} from '../src/anki/unpack.js'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))

/** A fresh temporary folder. */
export function folder(): string {
  return mkdtempSync(path.join(tmpdir(), 'deckc-faults-'))
}

/** A temporary project with these files (paths relative to it). */
export function project(files: Record<string, string>): string {
  const cwd = folder()
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(cwd, name)), {recursive: true})
    writeFileSync(path.join(cwd, name), text)
  }
  return cwd
}

/** Files in a folder other than packages: temporary files a write left behind. */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => !name.endsWith('.apkg'))
}

/** A package reads back without a format violation; returns its number of cards. */
export async function expectValidPackage(file: string): Promise<number> {
  const pkg = await unpack(readFileSync(file))
  expect(lint(pkg)).toEqual([])
  return pkg.cards.length
}

/** Run the real binary to the end, with `SOURCE_DATE_EPOCH` (default 1790000000) and `env` set; resolves with what it printed. */
export function run(cwd: string, args: string[], {epoch = '1790000000', env = {}}: {epoch?: string; env?: Record<string, string>} = {}): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {cwd, env: {...process.env, SOURCE_DATE_EPOCH: epoch, ...env}})
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.on('close', (code) => resolve({code: code ?? -1, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString()}))
  })
}

/** Run the real binary; resolves with its exit code (or signal). */
export function spawnBuild(cwd: string, args: string[] = ['build']): {done: Promise<number | string>; kill: () => void} {
  const child = spawn(process.execPath, [bin, ...args], {cwd, env: {...process.env, SOURCE_DATE_EPOCH: '1790000000'}, stdio: 'ignore'})
  const done = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  return {done, kill: () => child.kill('SIGKILL')}
}

/** Lectures enough to keep a build writing for a while. */
export function busyProject(lectures: number, cards: number): string {
  const files: Record<string, string> = {}
  for (let index = 0; index < lectures; index++) {
    const body = Array.from({length: cards}, (_, card) => `What is ${index}.${card}?\n- the answer ${card}\n- **bold** and \`code\`\n`).join('')
    files[`notes/l${String(index).padStart(2, '0')}.md`] = `Lecture ${index}\n${body}`
  }
  return project(files)
}

/** Every package in dist reads back valid; anything else is a temporary file. */
export async function expectOnlyValidPackages(cwd: string): Promise<{packages: number; temporary: string[]}> {
  const dist = path.join(cwd, 'dist')
  if (!existsSync(dist)) return {packages: 0, temporary: []}
  const names = readdirSync(dist)
  let packages = 0
  for (const name of names.filter((item) => item.endsWith('.apkg'))) {
    await expectValidPackage(path.join(dist, name))
    packages++
  }
  const temporary = names.filter((name) => !name.endsWith('.apkg'))
  for (const name of temporary) expect(name).toMatch(/^\.l\d\d\.apkg\.\d+-[0-9a-f]{8}\.tmp$/)
  return {packages, temporary}
}


/**
 * Start a build and SIGKILL it the moment a file in dist/ matches `when`
 * (a temporary file: mid-write; a package: between writes), or after
 * `fallback` milliseconds. Resolves when the process is gone.
 */
export async function killBuildWhen(cwd: string, when: (name: string, count: number) => boolean, fallback = 20_000): Promise<void> {
  const dist = path.join(cwd, 'dist')
  mkdirSync(dist, {recursive: true})
  const build = spawnBuild(cwd)
  let count = 0
  const watcher = watch(dist, (_event, name) => {
    if (name && when(String(name), ++count)) build.kill()
  })
  const timer = setTimeout(() => build.kill(), fallback)
  await build.done
  clearTimeout(timer)
  watcher.close()
}

/** Poll until `check` holds, at most `timeout` ms (bounded waits for watching processes). */
export async function until(check: () => boolean, timeout = 10_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeout) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** The packages below dist/ (base64, by path) and the notes' state file: everything a build writes. */
export function builtFiles(cwd: string): Record<string, string> {
  const files: Record<string, string> = {}
  const dist = path.join(cwd, 'dist')
  for (const name of readdirSync(dist, {recursive: true}) as string[]) {
    if (name.endsWith('.apkg')) files[name] = readFileSync(path.join(dist, name)).toString('base64')
  }
  files['deckc.lock'] = readFileSync(path.join(cwd, 'notes', 'deckc.lock'), 'utf8')
  return files
}
