#!/usr/bin/env node
// deckc's command-line entry: runs the bundle that `npm ci` builds
// (scripts/bundle.js), one CommonJS script, compiled with the V8 code cache
// made for it there (scripts/code-cache.js): the functions a build runs,
// already compiled, so that a start does not parse and compile them again.
// V8 ignores a cache made by another Node or under other V8 flags, but it
// trusts the bytes: the file holds CRC-32s of the script and of the cache,
// and one that does not match them is not used. Without a usable cache the
// script is compiled from its source; it runs the same either way.
//
// DECKC_CODE_CACHE=write writes the cache as this run leaves it (at exit);
// DECKC_CODE_CACHE=report says on stderr whether it was used.
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import {crc32} from 'node:zlib'

const bundle = fileURLToPath(new URL('../build/cli.cjs', import.meta.url))
const cacheFile = fileURLToPath(new URL('../build/cli.cache', import.meta.url))

if (existsSync(bundle)) {
  // SQLite's WebAssembly runs on V8's baseline compiler unless a large build asks otherwise
  // (src/cli/build.ts). Set before compiling: V8 uses a code cache only under the flags it was made with.
  v8.setFlagsFromString('--liftoff-only')
  const source = readFileSync(bundle)
  const sourceSum = crc32(source)
  const cache = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined
  const cachedData = cache && cache.length > 8 && cache.readUInt32LE(0) === sourceSum && cache.readUInt32LE(4) === crc32(cache.subarray(8)) ? cache.subarray(8) : undefined
  // The wrapper Node gives a CommonJS module, on the script's first line (its line numbers stay).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source.toString('utf8')}\n})`, {filename: bundle, cachedData})
  const mode = process.env.DECKC_CODE_CACHE
  if (mode === 'report') process.stderr.write(`deckc: code cache ${cache === undefined ? 'missing' : cachedData === undefined || script.cachedDataRejected ? 'rejected' : 'used'}\n`)
  if (mode === 'write') {
    process.once('exit', () => {
      const data = script.createCachedData()
      const header = Buffer.alloc(8)
      header.writeUInt32LE(sourceSum, 0)
      header.writeUInt32LE(crc32(data), 4)
      writeFileSync(cacheFile, Buffer.concat([header, data]))
    })
  }
  const module = {exports: {}}
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle))
} else {
  process.stderr.write("deckc: build/cli.cjs is missing; run 'npm ci' (or 'npm run prepare') in the deckc folder first\n")
  process.exitCode = 2
}
