// Makes build/cli.cache and build/worker.cache, the V8 code caches
// bin/deckc.js compiles the CLI's and the worker's scripts with: each script
// is run as builds run it, and its cache written as the run leaves it, with
// the functions compiled so far: those it started with from the cache, and
// those it compiled itself. The lectures (code-cache/) are in the seed
// lecture's style; the third has fenced code. Builds in a project with a
// `node_modules` folder (for the build cache):
//   1. all three lectures on two workers, cold: the workers' cache, and the
//      CLI's with what the main thread of such a build runs;
//   2. the first two alone (no workers), writing their state file;
//   3. the same again, cold (no build cache) with the state file, as a
//      student's rebuild runs: the CLI's cache again;
//   4. the same after an edit to one card, from the build cache of 3: the
//      CLI's cache again.
// Called by scripts/bundle.js.
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))
const lectures = fileURLToPath(new URL('code-cache/', import.meta.url))
const caches = ['cli', 'worker'].map((name) => fileURLToPath(new URL(`../build/${name}.cache`, import.meta.url)))

export function makeCodeCache() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'deckc-code-cache-'))
  try {
    const notes = path.join(folder, 'notes')
    cpSync(lectures, notes, {recursive: true})
    mkdirSync(path.join(folder, 'node_modules'))
    const buildCache = path.join(folder, 'node_modules', '.cache')
    const build = (args, env) => execFileSync(process.execPath, [bin, 'build', ...args], {cwd: folder, env: {...process.env, DECKC_CODE_CACHE: '', ...env}, stdio: ['ignore', 'ignore', 'inherit']})
    for (const cache of caches) rmSync(cache, {force: true})

    build(['notes', '--out', 'pooled'], {DECKC_CODE_CACHE: 'write', DECKC_WORKERS: '2'})
    rmSync(path.join(notes, 'deckc.lock'))
    rmSync(buildCache, {recursive: true, force: true})

    const small = ['notes/L1-warm-up.md', 'notes/L2-warm-up.md', '--out', 'dist']
    build(small, {})
    rmSync(buildCache, {recursive: true, force: true})
    build(small, {DECKC_CODE_CACHE: 'write'})
    const edited = path.join(notes, 'L1-warm-up.md')
    const text = readFileSync(edited, 'utf8')
    if (!text.includes('\nCPU\n')) throw new Error('bundle: the answer to edit is not in code-cache/L1-warm-up.md')
    writeFileSync(edited, text.replace('\nCPU\n', '\nCPU time\n'))
    build(small, {DECKC_CODE_CACHE: 'write'})

    for (const cache of caches) if (!existsSync(cache)) throw new Error(`bundle: no code cache was written to ${cache}`)
  } finally {
    rmSync(folder, {recursive: true, force: true})
  }
}
