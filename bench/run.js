// `npm run bench`: times the real CLI against two references, in one run,
// paired and interleaved (A B C A B C …), each command a fresh process:
//
//   A  node bin/deckc.js build <corpus> --out <tmp>   (the real CLI, cold: no build cache)
//   B  node -e 0                                      (the cost of starting Node at all)
//   C  node bench/floor.js <cards> <files> <tmp>      (sql.js + jszip writing the same rows, nothing else)
//
// Wall time is measured around the spawn (performance.now()); peak RSS is the
// child's ru_maxrss, reported by GNU time (`/usr/bin/time -f %M`), or, when
// that is missing, by a preloaded hook that writes process.resourceUsage().maxRSS
// at exit (bench/maxrss.js). Both count worker threads (one process).
//
// Options:
//   --lecture FILE|none            the cold-start lecture, built alone (default: notes/L9-systems-for-ml.md,
//                                  the user's seed lecture, with the notes folder's state file)
//   --sizes 20,1000,10000,100000   card counts (files per size: see bench/corpus.js)
//   --rounds N                     timed rounds per size (default 5); one untimed warm-up round first
//   --warmup N                     untimed rounds before the timed ones (default 1)
//   --scale                        add 1,000,000 cards in 1,000 files: --scale-warmup (default 1: the
//                                  first build writes the state file) then --scale-rounds (default 1)
//   --incremental SIZE|none        corpus for the rebuild scenarios (default: 100000 when measured)
//   --out FILE                     results JSON (default bench/results.json)
//   --no-bundle                    do not run scripts/bundle.js first (default: rebundle build/;
//                                  when that fails, e.g. src/ is mid-edit, the existing build/ is used)
//   --no-snapshot                  run bin/deckc.js in place (default: a copy of bin/, build/ and
//                                  package.json taken at the start, so a rebundle during the run
//                                  cannot mix versions; node_modules is linked, not copied)
//   --keep                         keep the temporary output folders
//   --report FILE                  print the table of an earlier results JSON and exit
import {execFileSync, spawn} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'
import {CORPUS_VERSION, standardFiles, writeCorpus} from './corpus.js'

const repo = fileURLToPath(new URL('..', import.meta.url))
const here = fileURLToPath(new URL('.', import.meta.url))
const node = process.execPath
let cli = path.join(repo, 'bin', 'deckc.js')
const floor = path.join(here, 'floor.js')
/** deckc's build cache (README: Build cache and incremental builds): removed before every cold run. */
const cacheDir = path.join(repo, 'node_modules', '.cache', 'deckc')

const {values} = parseArgs({
  allowNegative: true,
  options: {
    lecture: {type: 'string', default: path.join(repo, 'notes', 'L9-systems-for-ml.md')},
    sizes: {type: 'string', default: '20,1000,10000,100000'},
    rounds: {type: 'string', default: '5'},
    warmup: {type: 'string', default: '1'},
    scale: {type: 'boolean', default: false},
    'scale-rounds': {type: 'string', default: '1'},
    'scale-warmup': {type: 'string', default: '1'},
    incremental: {type: 'string'},
    out: {type: 'string', default: path.join(here, 'results.json')},
    corpus: {type: 'string', default: path.join(here, '.corpus')},
    seed: {type: 'string', default: 'deckc'},
    bundle: {type: 'boolean', default: true},
    snapshot: {type: 'boolean', default: true},
    keep: {type: 'boolean', default: false},
    report: {type: 'string'}
  }
})

if (values.report) {
  // Print the table of an earlier run again (recomputing ratios and targets).
  const earlier = JSON.parse(readFileSync(values.report, 'utf8'))
  finish(earlier)
  printReport(earlier)
  process.exit(0)
}

const rounds = positive(values.rounds, '--rounds')
const warmup = Number(values.warmup)
const sizes = values.sizes.split(',').filter(Boolean).map((size) => positive(size, '--sizes'))
if (values.scale && !sizes.includes(1_000_000)) sizes.push(1_000_000)
const scaleRounds = positive(values['scale-rounds'], '--scale-rounds')
const incrementalSize =
  values.incremental === 'none' ? undefined : values.incremental ? positive(values.incremental, '--incremental') : sizes.includes(100_000) ? 100_000 : undefined

function positive(text, what) {
  const number = Number(text)
  if (!Number.isSafeInteger(number) || number < 1) {
    process.stderr.write(`bench: ${what} needs positive whole numbers, got '${text}'\n`)
    process.exit(2)
  }
  return number
}

const log = (text) => process.stderr.write(`${text}\n`)

// ---------------------------------------------------------------------------
// Measuring one process

const gnuTime = ['/usr/bin/time', '/bin/time'].find((file) => existsSync(file) && isGnuTime(file))
const rssMethod = gnuTime ? `GNU time (${gnuTime} -f %M): ru_maxrss of the child` : 'bench/maxrss.js preloaded with --import: process.resourceUsage().maxRSS at exit'

function isGnuTime(file) {
  try {
    return execFileSync(file, ['--version'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']}).includes('GNU')
  } catch (error) {
    return String(error.stderr ?? '').includes('GNU')
  }
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'deckc-bench-'))
const childEnv = {...process.env}
// Nothing may change how the children start (npm sets no NODE_OPTIONS, a user's shell might).
delete childEnv.NODE_OPTIONS
let measured = 0

/**
 * Run `argv` (argv[0] is node) as a fresh process in the repository folder.
 *
 * @returns {Promise<{seconds: number, rssMB: number, code: number | null, signal: string | null, stdout: string, stderr: string}>}
 */
function measure(argv) {
  const rssFile = path.join(scratch, `rss-${measured++}`)
  let command
  let args
  if (gnuTime) {
    command = gnuTime
    args = ['-f', '%M', '-o', rssFile, ...argv]
  } else {
    command = argv[0]
    args = ['--import', pathToFileURL(path.join(here, 'maxrss.js')).href, ...argv.slice(1)]
  }
  const env = gnuTime ? childEnv : {...childEnv, DECKC_BENCH_RSS_FILE: rssFile}
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(command, args, {cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe']})
    const stdout = []
    const stderr = []
    child.stdout.on('data', (chunk) => stdout.push(chunk))
    child.stderr.on('data', (chunk) => stderr.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      const seconds = (performance.now() - start) / 1000
      let rssKB = Number.NaN
      try {
        const text = readFileSync(rssFile, 'utf8').trim()
        // GNU time writes "Command exited with non-zero status N" before the figure.
        rssKB = Number(text.split('\n').at(-1))
        rmSync(rssFile, {force: true})
      } catch {}
      resolve({seconds, rssMB: rssKB / 1024, code, signal, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString()})
    })
  })
}

// ---------------------------------------------------------------------------
// Corpora

function ensureCorpus(cards) {
  const files = standardFiles(cards)
  const dir = path.join(values.corpus, String(cards))
  const manifestFile = path.join(dir, 'manifest.json')
  const wanted = {version: CORPUS_VERSION, seed: values.seed, cards, files}
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
    if (Object.keys(wanted).every((key) => manifest[key] === wanted[key])) return {dir, ...manifest}
  } catch {}
  log(`generating ${cards.toLocaleString('en')} cards in ${files} files → ${path.relative(repo, dir)}`)
  const result = writeCorpus({dir, cards, files, seed: values.seed})
  const manifest = {...wanted, bytes: result.bytes}
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
  return {dir, ...manifest}
}

/** Cards the CLI reports on stdout (`path → out  N cards  S kB`). */
function reportedCards(stdout) {
  let total = 0
  for (const match of stdout.matchAll(/ (\d+) cards?\b/g)) total += Number(match[1])
  return total
}

// ---------------------------------------------------------------------------
// Scenarios

/** A command of a paired run: what to spawn, what to do first (untimed), how to check it. */
function cliCommand(name, corpusDir, outDir, cards, {cold = true} = {}) {
  return {
    name,
    argv: [node, cli, 'build', corpusDir, '--out', outDir],
    before: () => {
      if (cold) rmSync(cacheDir, {recursive: true, force: true})
    },
    check: (result) => {
      if (result.code !== 0) return `exit ${result.code ?? result.signal}: ${result.stderr.slice(0, 2000)}`
      const reported = reportedCards(result.stdout)
      if (cards !== undefined && reported !== cards) return `reported ${reported} cards, expected ${cards}`
      if (result.stderr.trim() !== '') return `unexpected messages on stderr: ${result.stderr.slice(0, 2000)}`
      return undefined
    }
  }
}

const nodeE0 = {name: 'node -e 0', argv: [node, '-e', '0']}

function floorCommand(cards, files, outDir) {
  return {
    name: 'floor (sql.js + jszip)',
    argv: [node, floor, String(cards), String(files), outDir],
    check: (result) => (result.code === 0 ? undefined : `exit ${result.code ?? result.signal}: ${result.stderr.slice(0, 2000)}`)
  }
}

/**
 * Run commands interleaved: `warmup` untimed rounds, then `count` timed ones.
 * A failed check stops the scenario (recorded, and fatal unless `tolerant`).
 */
async function paired(label, commands, count, warm, {tolerant = false} = {}) {
  const samples = commands.map(() => [])
  const warmups = commands.map(() => [])
  let failure
  outer: for (let round = -warm; round < count; round++) {
    for (const [index, command] of commands.entries()) {
      await command.before?.(round)
      const result = await measure(command.argv)
      const problem = command.check?.(result)
      if (problem) {
        failure = `${command.name}: ${problem.trim()} (after ${result.seconds.toFixed(1)} s, ${result.rssMB.toFixed(0)} MB)`
        log(`  ${label}: ${failure}`)
        if (!tolerant) throw new Error(`bench: ${label}: ${failure}`)
        break outer
      }
      ;(round >= 0 ? samples : warmups)[index].push(result)
      log(`  ${label} ${round < 0 ? 'warm-up' : `round ${round + 1}/${count}`}  ${command.name.padEnd(34)} ${result.seconds.toFixed(3)} s  ${result.rssMB.toFixed(0)} MB`)
    }
  }
  return {
    failure,
    commands: commands.map((command, index) => ({
      name: command.name,
      argv: command.argv.map((part) => (part === node ? 'node' : part === cli ? 'bin/deckc.js' : path.isAbsolute(part) ? path.relative(repo, part) || '.' : part)),
      ...summary(samples[index]),
      warmupSeconds: warmups[index].map((result) => result.seconds),
      warmupRssMB: warmups[index].map((result) => Math.round(result.rssMB * 10) / 10)
    }))
  }
}

function summary(results) {
  const seconds = results.map((result) => result.seconds)
  const rss = results.map((result) => result.rssMB)
  return {
    runs: results.length,
    seconds,
    rssMB: rss.map((value) => Math.round(value * 10) / 10),
    median: median(seconds),
    min: Math.min(...seconds),
    max: Math.max(...seconds),
    rssMedianMB: median(rss),
    rssMaxMB: Math.max(...rss)
  }
}

function pairedRatio(a, b) {
  return median(a.seconds.map((seconds, round) => seconds / (b.seconds[round] ?? Number.NaN)))
}

function median(list) {
  if (list.length === 0) return Number.NaN
  const sorted = [...list].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Make one card's answer different from every earlier version (a new bullet text). */
function editCard(file, tag) {
  const lines = readFileSync(file, 'utf8').split('\n')
  // The first bullet after the tenth line: always an answer line (list items are never questions).
  const index = lines.findIndex((line, number) => number > 10 && line.startsWith('- '))
  if (index < 0) throw new Error(`bench: no bullet to edit in ${file}`)
  lines[index] = `- edited answer ${tag}`
  writeFileSync(file, lines.join('\n'))
}

// ---------------------------------------------------------------------------

let bundled = 'not run (--no-bundle)'
if (values.bundle) {
  log('bundling the CLI (node scripts/bundle.js)')
  try {
    execFileSync(node, [path.join(repo, 'scripts', 'bundle.js')], {cwd: repo, stdio: ['ignore', 'inherit', 'inherit']})
    bundled = 'fresh'
  } catch {
    bundled = 'FAILED: measuring the existing build/'
    log('bench: bundling failed; measuring the existing build/ instead')
  }
}
const bundleTime = existsSync(path.join(repo, 'build', 'cli.cjs')) ? statSync(path.join(repo, 'build', 'cli.cjs')).mtime.toISOString() : 'missing'
if (values.snapshot) {
  const copy = path.join(scratch, 'deckc')
  for (const part of ['bin', 'build', 'package.json']) cpSync(path.join(repo, part), path.join(copy, part), {recursive: true})
  symlinkSync(path.join(repo, 'node_modules'), path.join(copy, 'node_modules'), 'dir')
  cli = path.join(copy, 'bin', 'deckc.js')
}

const started = new Date()
const results = {
  date: started.toISOString(),
  commit: git(['rev-parse', 'HEAD']),
  dirty: git(['status', '--porcelain', '--', 'src', 'scripts', 'bin', 'package.json']) !== '',
  bundle: bundled,
  bundleTime,
  snapshot: values.snapshot,
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? '',
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  loadBefore: os.loadavg(),
  rounds,
  warmup,
  rss: rssMethod,
  sizes: [],
  incremental: undefined,
  targets: undefined
}

function git(args) {
  try {
    return execFileSync('git', args, {cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim()
  } catch {
    return ''
  }
}

try {
  if (values.lecture !== 'none') {
    // Target 1 is about the user's own lecture: built alone, cold, with the state file of its folder.
    const dir = path.join(scratch, 'lecture', 'notes')
    const out = path.join(scratch, 'lecture', 'dist')
    mkdirSync(dir, {recursive: true})
    const file = path.resolve(values.lecture)
    cpSync(file, path.join(dir, path.basename(file)))
    const lock = path.join(path.dirname(file), 'deckc.lock')
    if (existsSync(lock)) cpSync(lock, path.join(dir, 'deckc.lock'))
    const probe = await measure(cliCommand('', dir, out, undefined).argv)
    if (probe.code !== 0) throw new Error(`bench: the lecture ${values.lecture} does not build: ${probe.stderr}`)
    const cards = reportedCards(probe.stdout)
    log(`the lecture ${path.relative(repo, file)} (${cards} cards): ${rounds} rounds`)
    const run = await paired('lecture', [cliCommand('deckc build (cold)', dir, out, cards), nodeE0, floorCommand(cards, 1, path.join(scratch, 'lecture', 'floor'))], rounds, warmup)
    results.sizes.push({cards, files: 1, lecture: path.relative(repo, file), corpusBytes: statSync(file).size, failure: run.failure, commands: run.commands})
  }

  for (const cards of sizes) {
    const corpus = ensureCorpus(cards)
    const scale = cards >= 1_000_000
    const count = scale ? Math.min(scaleRounds, rounds) : rounds
    const outCli = path.join(scratch, `cli-${cards}`)
    const outFloor = path.join(scratch, `floor-${cards}`)
    log(`${cards.toLocaleString('en')} cards in ${corpus.files} files (${(corpus.bytes / 1e6).toFixed(2)} MB): ${count} rounds`)
    const run = await paired(
      `${cards}`,
      [cliCommand('deckc build (cold)', corpus.dir, outCli, cards), nodeE0, floorCommand(cards, corpus.files, outFloor)],
      count,
      scale ? Number(values['scale-warmup']) : warmup,
      {tolerant: scale}
    )
    results.sizes.push({
      cards,
      files: corpus.files,
      corpusBytes: corpus.bytes,
      failure: run.failure,
      commands: run.commands
    })
    rmSync(outCli, {recursive: true, force: true})
    rmSync(outFloor, {recursive: true, force: true})
  }

  if (incrementalSize !== undefined) {
    const corpus = ensureCorpus(incrementalSize)
    const dir = path.join(scratch, 'incremental', 'notes')
    const out = path.join(scratch, 'incremental', 'dist')
    const singleDir = path.join(scratch, 'single', 'notes')
    const singleOut = path.join(scratch, 'single', 'dist')
    cpSync(corpus.dir, dir, {recursive: true})
    rmSync(path.join(dir, 'manifest.json'))
    const lectures = readdirSync(dir).filter((name) => name.endsWith('.md')).sort()
    const edited = lectures[Math.floor(lectures.length / 2)]
    const perLecture = Math.floor(incrementalSize / corpus.files)
    mkdirSync(singleDir, {recursive: true})

    log(`rebuilds of the ${incrementalSize.toLocaleString('en')}-card corpus (${corpus.files} files; editing ${edited}): ${rounds} rounds`)
    rmSync(cacheDir, {recursive: true, force: true})
    const prime = await measure(cliCommand('', dir, out, incrementalSize).argv)
    if (prime.code !== 0) throw new Error(`bench: priming build failed: ${prime.stderr}`)
    log(`  first build (fills the cache, untimed in the table) ${prime.seconds.toFixed(3)} s`)

    const run = await paired(
      'rebuild',
      [
        {...cliCommand('rebuild, nothing changed', dir, out, incrementalSize, {cold: false})},
        nodeE0,
        {
          ...cliCommand('rebuild, one card edited', dir, out, incrementalSize, {cold: false}),
          before: (round) => editCard(path.join(dir, edited), `in round ${round} of the corpus`)
        },
        {
          // Cold without clearing the cache (which would also drop the corpus's entries):
          // the copy carries an edit never built before, so nothing of it can be cached.
          ...cliCommand('that lecture alone, cold', singleDir, singleOut, undefined, {cold: false}),
          before: (round) => {
            cpSync(path.join(dir, edited), path.join(singleDir, edited))
            editCard(path.join(singleDir, edited), `in round ${round} alone`)
          },
          check: (result) => (result.code === 0 && reportedCards(result.stdout) === perLecture ? undefined : `exit ${result.code}, ${reportedCards(result.stdout)} cards: ${result.stderr.slice(0, 2000)}`)
        }
      ],
      rounds,
      warmup
    )
    results.incremental = {
      cards: incrementalSize,
      files: corpus.files,
      editedLecture: edited,
      firstBuildSeconds: prime.seconds,
      commands: run.commands
    }
  }
} finally {
  if (!values.keep) rmSync(scratch, {recursive: true, force: true})
  else log(`kept ${scratch}`)
}

// ---------------------------------------------------------------------------
// Targets (README: Performance) and report

results.loadAfter = os.loadavg()
results.seconds = (Date.now() - started.getTime()) / 1000
finish(results)
mkdirSync(path.dirname(path.resolve(values.out)), {recursive: true})
writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`)
printReport(results)
process.stdout.write(`\nresults: ${path.relative(process.cwd(), path.resolve(values.out))}\n`)

/** Ratios (medians, and the median of per-round ratios) and the issue's targets. */
function finish(results) {
  for (const size of results.sizes) {
    const [cliRun, nodeRun, floorRun] = size.commands
    size.ratios = {
      cliOverNode: cliRun.median / nodeRun.median,
      cliOverFloor: cliRun.median / floorRun.median,
      // Per round (the three ran back to back), then the median: robust to load drifting during the run.
      cliOverNodePaired: pairedRatio(cliRun, nodeRun),
      cliOverFloorPaired: pairedRatio(cliRun, floorRun)
    }
  }
  if (results.incremental) {
    const [noop, nodeRun, edit, alone] = results.incremental.commands
    results.incremental.ratios = {
      noopOverNode: noop.median / nodeRun.median,
      editOverAlone: edit.median / alone.median,
      editOverAlonePaired: pairedRatio(edit, alone)
    }
  }

  const bySize = (cards) => results.sizes.find((entry) => entry.cards === cards && !entry.lecture)
  const targets = []
  const lecture = results.sizes.find((entry) => entry.lecture)
  if (lecture) targets.push({target: `cold start: CLI on ${lecture.lecture} ≤ 3 × node -e 0`, value: lecture.ratios.cliOverNode, limit: 3, unit: '×'})
  const small = bySize(20)
  if (small) targets.push({target: 'cold start: CLI at 20 cards (generated, with code and math) ≤ 3 × node -e 0', value: small.ratios.cliOverNode, limit: 3, unit: '×'})
  const large = bySize(100_000)
  if (large) {
    targets.push({target: 'throughput: CLI at 100,000 cards ≤ 1.8 × floor', value: large.ratios.cliOverFloor, limit: 1.8, unit: '×'})
    targets.push({target: 'memory: CLI at 100,000 cards peak RSS ≤ 600 MB', value: large.commands[0].rssMaxMB, limit: 600, unit: 'MB'})
  }
  if (results.incremental) {
    const {cards, commands, ratios} = results.incremental
    targets.push({target: `incremental: rebuild of ${cards.toLocaleString('en')} cards, nothing changed ≤ 0.5 s`, value: commands[0].median, limit: 0.5, unit: 's'})
    targets.push({target: 'incremental: one card edited ≤ 1.3 × that lecture alone', value: ratios.editOverAlone, limit: 1.3, unit: '×'})
  }
  const huge = bySize(1_000_000)
  if (huge && large && !huge.failure && huge.commands[0].runs > 0) {
    targets.push({target: 'scale: 1,000,000 cards ≤ 12 × the 100,000-card build', value: huge.commands[0].median / large.commands[0].median, limit: 12, unit: '×'})
    targets.push({target: 'scale: 1,000,000 cards, peak RSS (bounded by the largest lecture; compare with 100,000)', value: huge.commands[0].rssMaxMB, limit: Infinity, unit: 'MB'})
  }
  for (const entry of targets) entry.met = entry.value <= entry.limit
  results.targets = targets
}

function printReport(results) {
  const rows = [['cards', 'files', 'command', 'median s', 'min–max s', 'peak RSS MB (median / max)']]
  const row = (cards, files, command) => [
    cards,
    files,
    command.name,
    command.median.toFixed(3),
    `${command.min.toFixed(3)}–${command.max.toFixed(3)}`,
    `${command.rssMedianMB.toFixed(0)} / ${command.rssMaxMB.toFixed(0)}`
  ]
  for (const size of results.sizes) {
    for (const command of size.commands) {
      if (command.runs > 0) rows.push(row(size.lecture ? `${size.cards} (seed)` : size.cards.toLocaleString('en'), String(size.files), command))
      else if (command.warmupSeconds?.length > 0) {
        // Only the warm-up ran (a failed scale run): show it, marked.
        const seconds = command.warmupSeconds
        const rss = command.warmupRssMB
        rows.push(row(size.cards.toLocaleString('en'), String(size.files), {name: `${command.name} [warm-up]`, median: median(seconds), min: Math.min(...seconds), max: Math.max(...seconds), rssMedianMB: median(rss), rssMaxMB: Math.max(...rss)}))
      }
    }
    const kind = size.cards <= 100 ? 'cold start ' : ''
    const {cliOverNode, cliOverNodePaired, cliOverFloor, cliOverFloorPaired} = size.ratios
    rows.push(['', '', `${kind}CLI / node -e 0 = ${cliOverNode.toFixed(2)}× (paired ${cliOverNodePaired.toFixed(2)}×);  CLI / floor = ${cliOverFloor.toFixed(2)}× (paired ${cliOverFloorPaired.toFixed(2)}×)${size.failure ? `  (FAILED: ${size.failure.slice(0, 80)})` : ''}`, '', '', ''])
  }
  if (results.incremental) {
    const {cards, files, commands, ratios} = results.incremental
    for (const command of commands) rows.push(row(cards.toLocaleString('en'), command.name.includes('alone') ? '1' : String(files), command))
    rows.push(['', '', `rebuild unchanged / node -e 0 = ${ratios.noopOverNode.toFixed(2)}×;  one edit / lecture alone = ${ratios.editOverAlone.toFixed(2)}× (paired ${ratios.editOverAlonePaired.toFixed(2)}×)`, '', '', ''])
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.filter((cells) => cells[3] !== '').map((cells) => String(cells[column]).length)))
  const lines = rows.map((cells) =>
    cells[3] === '' ? `${' '.repeat(widths[0] + widths[1] + 4)}${cells[2]}` : cells.map((cell, column) => (column < 3 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ')
  )
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '))
  const load = results.loadBefore && results.loadAfter ? `; load average ${results.loadBefore[0].toFixed(1)} before, ${results.loadAfter[0].toFixed(1)} after` : ''
  process.stdout.write(`\ndeckc benchmark — ${results.date}, commit ${String(results.commit).slice(0, 7)}${results.dirty ? ' + uncommitted src' : ''}, node ${results.node}, ${results.cpus} × ${results.cpu}; ${results.rounds} rounds, interleaved; peak RSS: ${results.rss}${load}\n\n${lines.join('\n')}\n\n`)
  for (const entry of results.targets) {
    const value = entry.unit === 'MB' ? entry.value.toFixed(0) : entry.value.toFixed(2)
    const verdict = entry.limit === Infinity ? 'info   ' : entry.met ? 'met    ' : 'NOT met'
    process.stdout.write(`${verdict}  ${entry.target}: ${value} ${entry.unit}\n`)
  }
}
