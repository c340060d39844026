// Cold start, broken down: where a fresh process spends its time building one
// 20-card lecture. Each probe runs in its own fresh process, ROUNDS times
// (default 7), and the medians are printed (milliseconds since the process
// started, as performance.now() counts them, and each phase's own duration).
//
//   node bench/coldstart.js [--rounds 7] [--lecture FILE]
//
// Probes:
//   pipeline  import build/index.js → compile → pack (first: sql.js init) →
//             first event-loop turn → write → pack again (warm)
//   sqljs     import sql.js, init (wasm), first SQL, first event-loop turn
//   jszip     import jszip, zip a 64 kB buffer with STORE
//   storezip  the same zip written by hand with zlib.crc32 (no library)
//   cli       the real CLI (`node bin/deckc.js build`), total wall only
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {performance} from 'node:perf_hooks'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

const repo = fileURLToPath(new URL('..', import.meta.url))
const self = fileURLToPath(import.meta.url)
const {values} = parseArgs({
  options: {
    rounds: {type: 'string', default: '7'},
    lecture: {type: 'string'},
    probe: {type: 'string'},
    out: {type: 'string'}
  }
})

const now = () => performance.now()

// ---------------------------------------------------------------------------
// Probes (run in the child)

async function probe(name) {
  const marks = {start: now()}
  const mark = (label) => (marks[label] = now())
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  if (name === 'pipeline') {
    const api = await import(pathToFileURL(path.join(repo, 'build', 'index.js')).href)
    mark('import')
    const value = readFileSync(values.lecture)
    mark('read')
    const [deck] = api.compile([{path: 'lecture.md', value}], {clock: 1_700_000_000_000})
    if (!deck?.collection) throw new Error('coldstart: the lecture has errors')
    mark('compile')
    const bytes = await api.pack(deck.collection)
    mark('pack (first, with sql.js init)')
    await turn()
    mark('first event-loop turn')
    writeFileSync(path.join(values.out, 'lecture.apkg'), bytes)
    mark('write')
    await api.pack(deck.collection)
    mark('pack (again, warm)')
  } else if (name === 'sqljs') {
    const {default: initSqlJs} = await import('sql.js')
    mark('import sql.js')
    const SQL = await initSqlJs()
    mark('init (wasm)')
    const db = new SQL.Database()
    db.run('create table t (a integer)')
    db.run('insert into t values (1)')
    db.export()
    db.close()
    mark('first SQL + export')
    await turn()
    mark('first event-loop turn')
  } else if (name === 'jszip' || name === 'storezip') {
    const data = new Uint8Array(64 * 1024).map((_, index) => index & 0xff)
    if (name === 'jszip') {
      const {default: JSZip} = await import('jszip')
      mark('import jszip')
      const zip = new JSZip()
      zip.file('collection.anki2', data, {binary: true, date: new Date(Date.UTC(1980, 0, 1))})
      zip.file('media', '{}')
      await zip.generateAsync({type: 'uint8array', compression: 'STORE'})
      mark('zip 64 kB (STORE)')
    } else {
      const zlib = await import('node:zlib')
      mark('import node:zlib')
      storeZip(zlib.crc32, [['collection.anki2', data], ['media', new TextEncoder().encode('{}')]])
      mark('zip 64 kB (STORE)')
    }
  }
  return marks
}

/** A STORE-only zip (local headers, data, central directory), DOS date 1980-01-01. */
function storeZip(crc32, entries) {
  const parts = []
  const central = []
  let offset = 0
  for (const [name, data] of entries) {
    const nameBytes = new TextEncoder().encode(name)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(10, 4)
    local.writeUInt16LE(0x21, 12) // DOS date: 1980-01-01
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(10, 6)
    entry.writeUInt16LE(0x21, 14)
    entry.writeUInt32LE(crc, 16)
    entry.writeUInt32LE(data.length, 20)
    entry.writeUInt32LE(data.length, 24)
    entry.writeUInt16LE(nameBytes.length, 28)
    entry.writeUInt32LE(offset, 42)
    parts.push(local, nameBytes, data)
    central.push(entry, nameBytes)
    offset += 30 + nameBytes.length + data.length
  }
  const size = central.reduce((sum, part) => sum + part.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(size, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...parts, ...central, end])
}

if (values.probe) {
  const marks = await probe(values.probe)
  process.stdout.write(JSON.stringify(marks))
} else {
  // -------------------------------------------------------------------------
  // Parent: run each probe in fresh processes, interleaved, and summarise.
  const rounds = Number(values.rounds)
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'deckc-coldstart-'))
  let lecture = values.lecture
  if (!lecture) {
    const {generateLecture} = await import('./corpus.js')
    const generated = generateLecture({seed: 'deckc', index: 1, cards: 20})
    lecture = path.join(scratch, generated.name)
    writeFileSync(lecture, generated.text)
  }
  const probes = ['pipeline', 'sqljs', 'jszip', 'storezip']
  const samples = Object.fromEntries([...probes, 'cli', 'node -e 0'].map((name) => [name, []]))
  const wall = (argv) => {
    const start = now()
    const result = spawnSync(process.execPath, argv, {cwd: repo, encoding: 'utf8'})
    if (result.status !== 0) throw new Error(`coldstart: ${argv.join(' ')}: ${result.stderr}`)
    return {wall: now() - start, stdout: result.stdout}
  }
  for (let round = 0; round < rounds; round++) {
    samples['node -e 0'].push({wall: wall(['-e', '0']).wall})
    samples.cli.push({wall: wall([path.join(repo, 'bin', 'deckc.js'), 'build', lecture, '--out', path.join(scratch, 'dist')]).wall})
    for (const name of probes) {
      const result = wall([self, '--probe', name, '--lecture', lecture, '--out', scratch])
      samples[name].push({wall: result.wall, ...JSON.parse(result.stdout)})
    }
  }
  rmSync(scratch, {recursive: true, force: true})
  const median = (list) => {
    const sorted = [...list].sort((a, b) => a - b)
    const middle = sorted.length >> 1
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
  const report = {}
  for (const [name, list] of Object.entries(samples)) {
    const keys = Object.keys(list[0])
    process.stdout.write(`\n${name}  (median of ${list.length} fresh processes)\n`)
    process.stdout.write(`  ${'wall, spawn to exit'.padEnd(34)} ${median(list.map((sample) => sample.wall)).toFixed(1).padStart(7)} ms\n`)
    let previous = 0
    report[name] = {wall: median(list.map((sample) => sample.wall))}
    for (const key of keys.filter((key) => key !== 'wall')) {
      const at = median(list.map((sample) => sample[key]))
      const phase = median(list.map((sample) => sample[key] - (key === 'start' ? 0 : sample[keys[keys.indexOf(key) - 1]] ?? 0)))
      report[name][key] = {at, phase}
      process.stdout.write(`  ${(key === 'start' ? 'process start → script runs' : key).padEnd(34)} ${phase.toFixed(1).padStart(7)} ms   (at ${at.toFixed(1)} ms)\n`)
      previous = at
    }
    void previous
  }
  if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`)
  void execFileSync
}
