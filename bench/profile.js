// Where the CLI's time goes: runs `node --cpu-prof` on the CLI building a
// benchmark corpus and summarises self and total time by package, module and
// function, the main thread and the worker threads added up (DECKC_WORKERS=0
// profiles one thread). build/ is minified, so by default an unminified copy
// of the CLI and its worker is bundled into bench/.profile/ first (same
// entries, define and banner as scripts/bundle.js); the `// node_modules/…`
// and `// src/…` comments esbuild writes before each module attribute bundled
// code to its source module.
//
//   node bench/profile.js [--cards 100000] [--top 25]    bundle, build the corpus, profile, summarise
//   node bench/profile.js --cli bin/deckc.js …           profile that entry instead (no module names if minified)
//   node bench/profile.js FILE.cpuprofile… [--top 25]    summarise existing profiles (one per thread)
//
// The corpus is built in a copy of bench/.corpus/<cards> (with its deckc.lock,
// the state file of the benchmark's earlier builds, when there is one).
import {execFileSync} from 'node:child_process'
import {cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {standardFiles, writeCorpus} from './corpus.js'

const repo = fileURLToPath(new URL('..', import.meta.url))
const {values, positionals} = parseArgs({
  allowPositionals: true,
  options: {
    cards: {type: 'string', default: '100000'},
    top: {type: 'string', default: '25'},
    interval: {type: 'string', default: '1000'},
    cli: {type: 'string'}
  }
})
const top = Number(values.top)

/** One file per thread: the main thread and each worker. */
let profileFiles = positionals
if (profileFiles.length === 0) {
  const cards = Number(values.cards)
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'deckc-profile-'))
  const corpus = path.join(repo, 'bench', '.corpus', String(cards))
  const notes = path.join(scratch, 'notes')
  if (existsSync(corpus)) cpSync(corpus, notes, {recursive: true})
  else writeCorpus({dir: notes, cards, files: standardFiles(cards)})
  rmSync(path.join(notes, 'manifest.json'), {force: true})

  let cli = values.cli ? path.resolve(values.cli) : undefined
  if (!cli) {
    const {build} = await import('esbuild')
    const {cliBundle} = await import('../scripts/esbuild-options.js')
    const outdir = path.join(repo, 'bench', '.profile')
    cli = path.join(outdir, 'bin', 'deckc.js')
    // The layout of bin/ and build/ (bin/deckc.js runs the CLI's script, and the worker's in the
    // workers), the scripts unminified and without code caches.
    rmSync(outdir, {recursive: true, force: true})
    await build({...cliBundle, entryPoints: {cli: path.join(repo, 'src', 'cli', 'run.ts'), worker: path.join(repo, 'src', 'cli', 'worker.ts')}, outdir: path.join(outdir, 'build'), outExtension: {'.js': '.cjs'}})
    cpSync(path.join(repo, 'bin'), path.join(outdir, 'bin'), {recursive: true})
    // The empty collection packages start from, as the real bundle ships it (else each package
    // would run the schema's statements, which the CLI does not).
    const shipped = path.join(repo, 'build', 'collection.anki2')
    if (existsSync(shipped)) cpSync(shipped, path.join(outdir, 'build', 'collection.anki2'))
    else process.stderr.write('profile: build/collection.anki2 is missing (run `npm run prepare`); packages will run the schema statements\n')
  }
  const started = process.hrtime.bigint()
  execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${scratch}`, `--cpu-prof-interval=${values.interval}`, cli, 'build', notes, '--out', path.join(scratch, 'dist')], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'inherit']
  })
  process.stdout.write(`profiled build of ${cards} cards: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(2)} s wall (with profiler overhead)\n`)
  profileFiles = readdirSync(scratch).filter((name) => name.endsWith('.cpuprofile')).sort().map((name) => path.join(scratch, name))
  process.on('exit', () => process.stdout.write(`profiles: ${scratch} (remove it when done)\n`))
}

/** url → sorted [line, module] from esbuild's module comments. */
const moduleMaps = new Map()
function moduleOf(url, line) {
  if (!url) return '(native)'
  if (url.startsWith('node:')) return 'node internals'
  if (url.startsWith('wasm://')) return 'sql.js (wasm)'
  if (!url.startsWith('file://')) return url
  const file = fileURLToPath(url)
  if (!moduleMaps.has(url)) {
    const marks = []
    if (existsSync(file)) {
      readFileSync(file, 'utf8').split('\n').forEach((text, number) => {
        const match = /^\/\/ ((?:node_modules|src)\/\S+)$/.exec(text)
        if (match) marks.push([number, match[1]])
      })
    }
    moduleMaps.set(url, marks)
  }
  const marks = moduleMaps.get(url)
  let found
  for (const [start, name] of marks) {
    if (start > line) break
    found = name
  }
  const source = found ?? path.relative(repo, file)
  return source
}

function packageOf(module) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)
  return match ? match[1] : module
}

const byFunction = new Map()
const byPackage = new Map()
const byModule = new Map()
const inclusive = new Map()
const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value)
let total = 0

for (const file of profileFiles) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  total += profile.endTime - profile.startTime

  // Self time per node from samples and time deltas (µs).
  const self = new Map()
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0))
  }

  for (const node of profile.nodes) {
    const time = self.get(node.id) ?? 0
    if (time === 0) continue
    const {url, lineNumber} = node.callFrame
    const module = moduleOf(url, lineNumber)
    add(byFunction, label(node), time)
    add(byPackage, packageOf(module), time)
    add(byModule, module, time)
  }

  // Inclusive ("total") time per function: each sample counts once per distinct function on its stack.
  const parent = new Map()
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const stackCache = new Map()
  const stackOf = (id) => {
    let stack = stackCache.get(id)
    if (!stack) {
      stack = new Set()
      for (let at = id; at !== undefined; at = parent.get(at)) stack.add(label(byId.get(at)))
      stackCache.set(id, stack)
    }
    return stack
  }
  for (const [id, time] of self) for (const name of stackOf(id)) add(inclusive, name, time)
}

function label(node) {
  const {functionName, url, lineNumber} = node.callFrame
  return `${functionName || '(anonymous)'}  [${moduleOf(url, lineNumber)}:${lineNumber + 1}]`
}

const show = (title, map) => {
  process.stdout.write(`\n${title}\n`)
  for (const [name, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${(time / 1e6).toFixed(2).padStart(8)} s ${((time / total) * 100).toFixed(1).padStart(5)} %  ${name}\n`)
  }
}

process.stdout.write(`${profileFiles.map((file) => path.basename(file)).join(', ')}: ${(total / 1e6).toFixed(2)} s sampled (threads added up)\n`)
show('self time by package (src/ files by file)', byPackage)
show('self time by module', byModule)
show('self time by function', byFunction)
show('total (inclusive) time by function', inclusive)
