// Bundle the CLI, its worker thread and the library into build/, so a cold
// start loads a few modules instead of hundreds; code only some commands or
// lectures need (the Markdown engine, preview, inspect) is in chunks loaded on
// demand. Runs on `npm ci` (prepare) and before tests.
import {rmSync, writeFileSync} from 'node:fs'
import {build} from 'esbuild'
import {nodeBundle} from './esbuild-options.js'

// Chunk names carry content hashes: chunks of an earlier bundle would pile up.
rmSync('build', {recursive: true, force: true})

// The CLI on its own, split where it loads code on demand. The worker and the library are one file
// each: bundled with the CLI, the code the three share was cut into more chunks, and a cold start
// loaded 22 files instead of 17 (seed lecture: medians 231 and 226 ms against 205 and 217 ms in two
// sets of 20 alternating runs).
await build({
  ...nodeBundle,
  entryPoints: {cli: 'src/cli/run.ts'},
  outdir: 'build',
  splitting: true,
  // In one folder with the entry: the pool finds worker.js next to whichever chunk it is in.
  chunkNames: '[name]-[hash]',
  minify: true
})
await build({...nodeBundle, entryPoints: {index: 'src/index.ts', worker: 'src/cli/worker.ts'}, outdir: 'build', minify: true})

// The empty collection every package starts from (src/anki/pack.ts), made once here by the same
// code that would otherwise make it in every build, through a module bundled for the purpose.
const maker = 'build/.make-collection.mjs'
await build({...nodeBundle, stdin: {contents: "export {emptyCollection} from './src/anki/pack.ts'", resolveDir: '.', loader: 'ts'}, outfile: maker})
const {emptyCollection} = await import(new URL(`../${maker}`, import.meta.url).href)
writeFileSync('build/collection.anki2', await emptyCollection())
rmSync(maker)
