// Bundle the CLI, its worker thread and the library into build/, so a cold
// start loads one script instead of hundreds of modules, and make the two
// scripts' code caches. Runs on `npm ci` (prepare) and before tests.
import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import {build} from 'esbuild'
import {makeCodeCache} from './code-cache.js'
import {cliBundle, nodeBundle} from './esbuild-options.js'

// A fresh folder: nothing of an earlier bundle (its code cache least of all) may stay.
rmSync('build', {recursive: true, force: true})

// The CLI, and the worker thread large builds start, one script each (bin/deckc.js runs them with
// the code caches made below). Code only some commands or lectures need (the Markdown engine,
// preview, inspect) is in the CLI's, but runs only when asked for. The library is an ES module.
await build({...cliBundle, entryPoints: {cli: 'src/cli/run.ts', worker: 'src/cli/worker.ts'}, outdir: 'build', outExtension: {'.js': '.cjs'}, minify: true})
// bin/deckc.js runs the scripts with node:vm, which loads no modules: they may only require().
for (const script of ['build/cli.cjs', 'build/worker.cjs']) {
  const dynamic = readFileSync(script, 'utf8').match(/\bimport\(\s*["'`][^"'`]*/)
  if (dynamic) throw new Error(`bundle: ${script} imports a module at run time (${dynamic[0]}); import it statically`)
}
await build({...nodeBundle, entryPoints: {index: 'src/index.ts'}, outdir: 'build', minify: true})

// The empty collection every package starts from (src/anki/pack.ts), made once here by the same
// code that would otherwise make it in every build, through a module bundled for the purpose.
const maker = 'build/.make-collection.mjs'
await build({...nodeBundle, stdin: {contents: "export {emptyCollection} from './src/anki/pack.ts'", resolveDir: '.', loader: 'ts'}, outfile: maker})
const {emptyCollection} = await import(new URL(`../${maker}`, import.meta.url).href)
writeFileSync('build/collection.anki2', await emptyCollection())
rmSync(maker)

await makeCodeCache()
