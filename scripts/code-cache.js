// Makes build/cli.cache, the V8 code cache bin/deckc.js compiles the CLI's
// script with: the script is run on a small lecture (code-cache/) as a
// student's build runs it, cold, with its state file and the build cache's
// folder present, and the cache is written as that run leaves it, with the
// functions it compiled. Two builds: the first writes the state file, the
// second (cold again) writes the cache. Called by scripts/bundle.js.
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const bin = fileURLToPath(new URL('../bin/deckc.js', import.meta.url))
const lectures = fileURLToPath(new URL('code-cache/', import.meta.url))
const cache = fileURLToPath(new URL('../build/cli.cache', import.meta.url))

export function makeCodeCache() {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'deckc-code-cache-'))
  try {
    cpSync(lectures, path.join(folder, 'notes'), {recursive: true})
    mkdirSync(path.join(folder, 'node_modules'))
    const build = (env) => {
      rmSync(path.join(folder, 'node_modules', '.cache'), {recursive: true, force: true})
      execFileSync(process.execPath, [bin, 'build'], {cwd: folder, env: {...process.env, ...env}, stdio: ['ignore', 'ignore', 'inherit']})
    }
    rmSync(cache, {force: true})
    build({DECKC_CODE_CACHE: ''})
    build({DECKC_CODE_CACHE: 'write'})
    if (!existsSync(cache)) throw new Error('bundle: the CLI wrote no code cache')
  } finally {
    rmSync(folder, {recursive: true, force: true})
  }
}
