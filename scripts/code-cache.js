// Makes build/cli.cache and build/worker.cache, the V8 code caches
// bin/deckc.js compiles the CLI's and the worker's scripts with: each script
// is run as a build runs it, and its cache written as that run leaves it,
// with the functions it compiled. The lectures (code-cache/) are in the
// seed lecture's style, the second with fenced code. Builds, each cold (no
// build cache) in a project with a `node_modules` folder: the two lectures
// on two workers (the workers' cache), then the first lecture alone, once
// to write its state file and once more, with it, as a student's rebuild
// runs (the CLI's cache, written last). Called by scripts/bundle.js.
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))
const lectures = fileURLToPath(new URL('code-cache/', import.meta.url))
const caches = ['cli', 'worker'].map((name) => fileURLToPath(new URL(`../build/${name}.cache`, import.meta.url)))

export function makeCodeCache() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'deckc-code-cache-'))
  try {
    cpSync(lectures, path.join(folder, 'notes'), {recursive: true})
    mkdirSync(path.join(folder, 'node_modules'))
    const build = (args, env) => {
      rmSync(path.join(folder, 'node_modules', '.cache'), {recursive: true, force: true})
      execFileSync(process.execPath, [bin, 'build', ...args], {cwd: folder, env: {...process.env, DECKC_CODE_CACHE: '', ...env}, stdio: ['ignore', 'ignore', 'inherit']})
    }
    for (const cache of caches) rmSync(cache, {force: true})
    build(['notes', '--out', 'pooled'], {DECKC_CODE_CACHE: 'write', DECKC_WORKERS: '2'})
    rmSync(path.join(folder, 'notes', 'deckc.lock'))
    const alone = ['notes/L1-warm-up.md', '--out', 'dist']
    build(alone, {})
    build(alone, {DECKC_CODE_CACHE: 'write'})
    for (const cache of caches) if (!existsSync(cache)) throw new Error(`bundle: no code cache was written to ${cache}`)
  } finally {
    rmSync(folder, {recursive: true, force: true})
  }
}
