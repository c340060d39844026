#!/usr/bin/env node
// deckc's command-line entry: runs the bundle that `npm ci` builds
// (scripts/bundle.js): the CLI's script (build/cli.cjs) on the main thread,
// the worker's (build/worker.cjs) in the threads a large build starts with
// this file. Each is one CommonJS script, compiled with the V8 code cache
// made for it there (scripts/code-cache.js): the functions a build runs,
// already compiled, so that a start does not parse and compile them again.
// V8 ignores a cache made by another Node or under other V8 flags, but it
// trusts the bytes: the file holds CRC-32s of the script and of the cache,
// and one that does not match them is not used. Without a usable cache the
// script is compiled from its source; it runs the same either way.
//
// DECKC_CODE_CACHE=write writes the caches as this run leaves them: the
// CLI's at exit, the worker's before each answer it sends (a worker is
// stopped, not left to exit); DECKC_CODE_CACHE=report says on stderr
// whether each was used.
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import {isMainThread, parentPort, threadId} from 'node:worker_threads'
import {crc32} from 'node:zlib'

const name = isMainThread ? 'cli' : 'worker'
const bundle = fileURLToPath(new URL(`../build/${name}.cjs`, import.meta.url))
const cacheFile = fileURLToPath(new URL(`../build/${name}.cache`, import.meta.url))

if (existsSync(bundle)) {
  // SQLite's WebAssembly runs on V8's baseline compiler unless a large build asks otherwise
  // (src/cli/build.ts). The optimising compiler inlines functions of up to 100 bytes of bytecode
  // (V8's default is 460): in a large build it compiles the same hot functions in every thread,
  // on the cores the build needs, and smaller inlining makes that cheaper than the code it gives up.
  // Set before compiling: V8 uses a code cache only under the flags it was made with. (The flags
  // are the process's: its workers start with them.)
  if (isMainThread) v8.setFlagsFromString('--liftoff-only --max-inlined-bytecode-size=100')
  const source = readFileSync(bundle)
  const sourceSum = crc32(source)
  const cache = readCache()
  const cachedData = cache && cache.length > 8 && cache.readUInt32LE(0) === sourceSum && cache.readUInt32LE(4) === crc32(cache.subarray(8)) ? cache.subarray(8) : undefined
  // The wrapper Node gives a CommonJS module, on the script's first line (its line numbers stay).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source.toString('utf8')}\n})`, {filename: bundle, cachedData})
  const mode = process.env.DECKC_CODE_CACHE
  if (mode === 'report') process.stderr.write(`deckc: ${name} code cache ${cache === undefined ? 'missing' : cachedData === undefined || script.cachedDataRejected ? 'rejected' : 'used'}\n`)
  if (mode === 'write') {
    // Written whole under another name first: the threads of a build may write at once.
    const write = () => {
      const data = script.createCachedData()
      const header = Buffer.alloc(8)
      header.writeUInt32LE(sourceSum, 0)
      header.writeUInt32LE(crc32(data), 4)
      writeFileSync(`${cacheFile}.${threadId}`, Buffer.concat([header, data]))
      renameSync(`${cacheFile}.${threadId}`, cacheFile)
    }
    if (parentPort) {
      const post = parentPort.postMessage.bind(parentPort)
      parentPort.postMessage = (value, transfer) => {
        write()
        post(value, transfer)
      }
    } else {
      process.once('exit', write)
    }
  }
  const module = {exports: {}}
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle))
} else {
  process.stderr.write(`deckc: build/${name}.cjs is missing; run 'npm ci' (or 'npm run prepare') in the deckc folder first\n`)
  process.exitCode = 2
}

/** The cache file's bytes; `undefined` when there is none, or it cannot be read (as if there were none). */
function readCache() {
  try {
    return readFileSync(cacheFile)
  } catch {
    return undefined
  }
}
