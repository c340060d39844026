import {createHash} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import {VFile} from 'vfile'
import {NOTETYPES} from '../anki/format.js'
import {bundle} from '../collect.js'
import {rowsOf} from '../compile.js'
import type {CompiledDeck} from '../compile.js'
import type {Changes} from '../identify.js'
import {titleKey} from '../match.js'
import {headerLine, nextState, sameState} from '../state.js'
import type {StateEntry} from '../state.js'
import type {Collection, Lecture} from '../types.js'
import type {Invocation} from './args.js'
import {baseKey, cacheAvailable, contentHash, deckKey, fileStamp, mediaOf, openBuildCache, readRecord, restoredFile, storedMessages, storeRecord} from './build-cache.js'
import type {BuildCache, BuildRecord, LectureRecord} from './build-cache.js'
import type {Environment} from './environment.js'
import {display} from './files.js'
import type {Step} from './incremental.js'
import {compileGathered, gatherNotes, LectureChanged, stateRead} from './notes.js'
import type {AssembledNotes, GatheredNotes} from './notes.js'
import {inHand, packInOrder, spills, workerScript, workersFor} from './parallel.js'
import type {Parallel} from './parallel.js'
import type {Pool} from './pool.js'
import {printResult} from './output.js'
import type {DeckOutcome} from './output.js'
import {progress} from './progress.js'
import {stateFileBytes} from './state-file.js'
import type {StateFile, StateSource} from './state-file.js'
import type {Shelf} from './shelf.js'
import type {Run, StoredState} from './stored-state.js'
import {removeStaleTemporaries, writeAtomic} from './write.js'

type BuildInvocation = Extract<Invocation, {command: 'build' | 'check'}>

/** What a build was asked to write, and where. */
interface Targets {
  /** `build` (not `--check`, not `check`): packages and state files are written. */
  writing: boolean
  /** Absolute package path of each lecture, by `Lecture.path`. */
  packages: Map<string, string>
  /** Absolute path of the `--bundle` package. */
  bundle: string | undefined
}

/** How a build goes on once its lectures are compiled or kept. */
interface Plan {
  steps: Step[]
  /** The new bytes of each state file that changes, whole or in parts (asked for once the packages are written). */
  stateTexts: () => Map<string, Uint8Array | Iterable<Uint8Array>>
  /** State files as parsed (full builds), for their messages and notices. */
  stateFiles: StateFile[]
  /** Own deck names of state entries whose lecture is not in the build (asked for at the end). */
  orphanTitles: () => string[]
  /** Cards to pack, about (for tuning SQLite). */
  cards: number
  /** The bundle as the record has it (incremental builds without changes). */
  bundled: BuildRecord['bundled']
  /** Let go of what the plan holds open (a state file read from disk). */
  close?: () => void
}

/**
 * `deckc build` and `deckc check`: find the lectures, compile them against the
 * state of the last build, write a package for each lecture without errors
 * and the updated state file (build), and report.
 *
 * @param only
 *   Absolute paths of the lectures to rebuild (watch mode); default all.
 * @returns
 *   0 success; 1 a lecture has errors or a package could not be written; 2 a
 *   usage error; 3 (`build --check`) packages or state file out of date.
 */
export async function build(invocation: BuildInvocation, environment: Environment, only?: Set<string>): Promise<number> {
  const {cwd} = environment
  // A bundle holds every deck: it needs them all.
  const bundling = invocation.command === 'build' && invocation.bundle !== undefined
  const started = performance.now()
  // A build of all the notes that writes them starts from the record of the last one, when it has one (build-cache.ts).
  const cached = invocation.command === 'build' && invocation.cache && !invocation.check && !only && cacheAvailable(cwd)
  // Lectures enough to be parsed with their cards set aside (below) are read one at a time, when
  // parsed; so are those of a build with a record (a lecture the record knows by its file's stamp is
  // not read at all).
  const gathered = await gatherNotes(invocation.paths, environment, bundling ? undefined : only, (bytes) => cached || spills(bytes, environment.env))
  const read = performance.now()
  if (typeof gathered === 'number') return gathered

  const outDir = invocation.command === 'build' ? path.resolve(cwd, invocation.out ?? gathered.config.out ?? 'dist') : undefined
  const bundleName = invocation.command === 'build' ? (invocation.bundle ?? gathered.config.bundle) : undefined
  const targets: Targets = {
    writing: invocation.command === 'build' && !invocation.check,
    packages: new Map(outDir === undefined ? [] : gathered.sources.map((source) => [source.display, path.join(outDir, source.output)])),
    bundle: outDir !== undefined && bundleName !== undefined ? path.join(outDir, `${bundleName.replace(/\.apkg$/i, '')}.apkg`) : undefined
  }

  const cache = cached && outDir !== undefined ? openBuildCache(cwd, {paths: gathered.paths, outDir, bundle: bundleName}, gathered.readMedia) : undefined
  let plan: Plan | undefined
  if (cache) {
    const record = await readRecord(cache)
    if (record && record.base === (await baseKey(gathered, targets.bundle))) {
      const {incremental} = await import('./incremental.js')
      let planned: Awaited<ReturnType<typeof incremental>>
      try {
        // It reads the lectures it needs to (`gathered.load`).
        planned = await incremental(gathered, record, {cache, packages: targets.packages, bundle: targets.bundle !== undefined, cwd})
      } catch (error) {
        return changedDuring(error, environment)
      }
      if (planned) {
        const cards = planned.steps.reduce((sum, step) => sum + ('compiled' in step ? rowsOf(step.compiled()) : 0), 0)
        plan = {...planned, cards, stateFiles: [], orphanTitles: () => record.orphanTitles, bundled: planned.steps.every((step) => 'kept' in step) ? record.bundled : undefined}
      }
    }
    gathered.readMedia = cache.readMedia
  }
  const how = plan ? `incremental: ${plan.steps.filter((step) => 'compiled' in step).length} compiled, ${plan.steps.filter((step) => 'kept' in step).length} kept` : 'full'
  // A full build of many lectures parses and packs them on every core: the workers keep the cards
  // they parse until they pack their decks.
  const notesBytes = gathered.bytes
  const workers = plan ? 0 : workersFor(gathered.lectures.length, notesBytes, environment.env)
  const pool = workers > 0 ? (await import('./pool.js')).startPool(workers, workerScript, inHand) : undefined
  // A very large one sets the parsed cards aside on disk until their decks are made (the workers'
  // files and this thread's, for the new state lines, in one folder made here), and lets go of each
  // lecture's bytes once it is parsed, keeping its hash for the record.
  const spilling = pool !== undefined && spills(notesBytes, environment.env)
  const spill = spilling ? mkdtempSync(path.join(tmpdir(), 'deckc-')) : undefined
  const shelf = spill === undefined ? undefined : (await import('./shelf.js')).openShelf(spill)
  if (shelf) tightenHeap()
  const hashes = new Map<string, string>()
  const release = (lecture: Lecture) => {
    if (cache) hashes.set(lecture.path, contentHash(lecture.value))
    lecture.value = new Uint8Array(0)
  }
  // A full build reads its lectures now, if `gatherNotes` did not (an incremental one read those it
  // needed), unless it sets its cards aside: then each is read just before it is parsed. Read at the
  // start and let go one by one over the whole parse, among other buffers, much of the memory they
  // were in stayed with the process (1,000,000 cards: 577-598 MB peak; let go all at once before
  // parsing and read again, 527 and 540 MB; read only when parsed, 488 MB).
  let compiled = 0
  let code: number
  try {
    if (!plan && !shelf) await loadAll(gathered)
    plan ??= await fullBuild(gathered, environment, invocation.command === 'build', pool && {pool, workers, onMedia: (reads) => cache?.media.push(...reads), spill, release: shelf && release, load: gathered.load, stateOnDisk: shelf})
    compiled = performance.now()
    // Its warnings, in a build that did not need its bytes.
    await stateRead(gathered)
    code = await finish(plan, {invocation, environment, gathered, targets, cache, pool, workers, spilling, hashes})
  } catch (error) {
    return changedDuring(error, environment)
  } finally {
    plan?.close?.()
    shelf?.close()
    await pool?.close()
    if (spill !== undefined) rmSync(spill, {recursive: true, force: true})
  }
  // `DECKC_TRACE=1`: say how the build went (to see what the cache saves), after the report.
  if (environment.env['DECKC_TRACE']) {
    const seconds = (from: number, to: number) => ((to - from) / 1000).toFixed(3)
    environment.stderr(`deckc: ${how} build${workers > 0 ? ` on ${workers} workers` : ''}${shelf ? `, parsed cards${plan?.close ? ' and state file' : ''} on disk` : ''}; read ${seconds(started, read)} s, compile ${seconds(read, compiled)} s, write ${seconds(compiled, performance.now())} s; ${gathered.filesRead()} of ${gathered.lectures.length} lecture files read\n`)
  }
  return code
}

/** A lecture removed or made unreadable while the build ran (`LectureChanged`): said as a diagnostic, nothing written, exit code 1. Any other error is thrown on. */
function changedDuring(error: unknown, environment: Environment): number {
  if (!(error instanceof LectureChanged)) throw error
  environment.stderr(`${error.message}\n`)
  return 1
}

/** Read the lectures gathered without their bytes, if they were (a few at a time). */
async function loadAll(gathered: GatheredNotes): Promise<void> {
  const {load, lectures} = gathered
  if (!load) return
  for (let start = 0; start < lectures.length; start += 16) await Promise.all(lectures.slice(start, start + 16).map(load))
  gathered.load = undefined
}

/** Compile every lecture, and the state files that result. */
async function fullBuild(gathered: GatheredNotes, environment: Environment, building: boolean, parallel: Parallel | undefined): Promise<Plan> {
  const compiled = await compileGathered(gathered, environment, parallel)
  if (compiled.stored && parallel?.stateOnDisk) {
    const paths = new Set(gathered.lectures.map((lecture) => lecture.path))
    return storedBuild(compiled, {stored: compiled.stored, shelf: parallel.stateOnDisk, paths, cwd: environment.cwd, building}, await import('./stored-state.js'))
  }
  const {sources, stateFiles, state, owner, decks, cards} = compiled
  const made = decks.map(once)
  const notetypes = currentNotetypes()
  // Once every deck is made and written: each compiled lecture's cards replace its old entries.
  const next = once(() => nextState(state, made.map((deck) => deck()), notetypes))
  const stateFileOf = new Map(sources.map((source) => [source.display, source.stateFile]))
  const lockOf = (entry: StateEntry) => owner(entry) ?? stateFileOf.get(entry.file)
  const paths = new Set(gathered.lectures.map((lecture) => lecture.path))
  const stateTexts = () => {
    const texts = new Map<string, Iterable<Uint8Array>>()
    for (const stateFile of stateFiles) {
      const entries = next().entries.filter((entry) => lockOf(entry) === stateFile.path)
      // Made once to compare, again to write when it changed: never held whole.
      const bytes = {[Symbol.iterator]: () => stateFileBytes(stateFile.path, {notetypes, entries}, environment.cwd)}
      const same =
        stateFile.digest === undefined ? entries.length === 0 : (stateFile.canonical && sameState(stateFile.state, {notetypes, entries})) || digestOf(bytes) === stateFile.digest
      if (building && !same) texts.set(stateFile.path, bytes)
    }
    return texts
  }
  const orphanTitles = () => [...new Set(next().entries.filter((entry) => !paths.has(entry.file)).map((entry) => titleKey(entry.deck)))].sort()
  return {steps: made.map((deck) => ({compiled: deck})), cards, stateTexts, stateFiles, orphanTitles, bundled: undefined}
}

/**
 * `fullBuild` with the state file on disk (stored-state.ts): as each deck is
 * made, the entries it replaces are marked and its new entries set aside on
 * the shelf, and let go; the new state file is merged from those and the old
 * file's other lines.
 */
function storedBuild(
  compiled: AssembledNotes,
  {stored, shelf, paths, cwd, building}: {stored: StoredState; shelf: Shelf; paths: Set<string>; cwd: string; building: boolean},
  {mergedStateBytes, putRun}: typeof import('./stored-state.js')
): Plan {
  const dropped = new Uint8Array(stored.previous.length)
  const runs: Run[] = []
  const made = compiled.decks.map((deck) =>
    once(() => {
      const made = deck()
      if (made.entries) {
        // A deck whose entries are the ones it replaces keeps their lines (`kept` writes each as deckc would).
        if (!keepsEntries(made)) {
          for (const at of made.replacedAt) dropped[at] = 1
          const run = putRun(made.entries, stored.path, cwd, shelf)
          if (run) runs.push(run)
        }
        // Kept on the shelf and in `dropped`, or in the file, now.
        made.entries = []
        made.replaced = []
      }
      return made
    })
  )
  const notetypes = currentNotetypes()
  const stateTexts = () => {
    if (!building) return new Map()
    // Nothing replaced in a file as deckc writes it: merging would give its bytes again.
    if (stored.canonical && runs.length === 0 && !dropped.includes(1) && headerLine(notetypes) === headerLine(stored.notetypes)) return new Map()
    const bytes = {[Symbol.iterator]: () => mergedStateBytes(notetypes, stored.kept(dropped), runs)}
    return digestOf(bytes) !== stored.digest ? new Map([[stored.path, bytes]]) : new Map()
  }
  return {steps: made.map((deck) => ({compiled: deck})), cards: compiled.cards, stateTexts, stateFiles: compiled.stateFiles, orphanTitles: () => stored.orphanTitles(dropped, paths), bundled: undefined, close: stored.close}
}

/** Whether a deck's new entries are exactly the ones it replaces: the same objects (an unchanged card keeps its entry, see `identities`). */
function keepsEntries(deck: CompiledDeck): boolean {
  const {entries, replaced} = deck
  if (!entries || entries.length !== replaced.length) return false
  const before = new Set(replaced)
  return entries.every((entry) => before.has(entry))
}

/** SHA-256 of bytes given in parts. */
function digestOf(parts: Iterable<Uint8Array>): string {
  const digest = createHash('sha256')
  for (const part of parts) digest.update(part)
  return digest.digest('hex')
}

/** A function that computes its value on the first call only. */
function once<T>(make: () => T): () => T {
  let made: {value: T} | undefined
  return () => (made ??= {value: make()}).value
}

interface Context {
  invocation: BuildInvocation
  environment: Environment
  gathered: GatheredNotes
  targets: Targets
  cache: BuildCache | undefined
  pool: Pool | undefined
  workers: number
  /** Whether the workers set their parsed cards aside on disk (a very large build). */
  spilling: boolean
  /** Content hashes of lectures whose bytes were let go (see `build`). */
  hashes: Map<string, string>
}

/** Write the packages of compiled lectures, the bundle and the state files; report; keep the record. */
async function finish(plan: Plan, context: Context): Promise<number> {
  const {invocation, environment, gathered, targets, cache, pool, workers, spilling, hashes} = context
  const {cwd} = environment
  const {writing} = targets
  const outcomes: DeckOutcome[] = []
  const records: LectureRecord[] = []
  const lectureFiles: VFile[] = []
  const stale: string[] = []
  let complete = true
  let bundled = plan.bundled

  const compiled = plan.steps.flatMap((step) => ('compiled' in step ? [step.compiled] : []))
  tuneWasm(plan.cards, pool !== undefined)
  const bytesOf = new Map(gathered.lectures.map((lecture) => [lecture.path, lecture.value]))
  const pack = compiled.length > 0 ? (await import('../anki/pack.js')).pack : undefined
  // Made decks hold only their cards' identities, so all are made and handed to the workers at once
  // (the state file's new bytes are then worked out while they pack), unless cards are set aside.
  const packages = pack && packInOrder(compiled, pack, pool && {pool, ahead: spilling ? 4 * workers : Infinity, workers}, targets.bundle !== undefined)
  // The collections of every deck, for the bundle.
  const collections: Collection[] = []
  // Worked out once every deck is made (with workers, while they pack), and written from then on,
  // while the packages are packed and written (a large state file takes a while to reach the disk).
  let stateTexts: ReturnType<Plan['stateTexts']> | undefined
  let stateWrites: Map<string, Promise<Error | undefined>> | undefined
  const writeStateFiles = () => {
    if (stateWrites) return
    stateTexts ??= plan.stateTexts()
    stateWrites = new Map()
    if (!writing) return
    for (const [target, bytes] of stateTexts) {
      stateWrites.set(target, writeAtomic(target, bytes).then(() => undefined, (error: Error) => error))
    }
  }
  let made = 0
  const bar = progress(environment)
  // The workers are ended once the last package is in: while it and the state file are written.
  let closing: Promise<void> | undefined
  for (const [index, step] of plan.steps.entries()) {
    bar.update('writing', index + 1, plan.steps.length)
    if ('kept' in step) {
      const {kept} = step
      if (kept.outcome) outcomes.push({...kept.outcome, changes: upToDate(kept.outcome.changes)})
      lectureFiles.push(restoredFile(kept.path, kept.messages))
      records.push(kept)
      continue
    }
    const deck = step.compiled()
    if (!pool && ++made === compiled.length) writeStateFiles()
    lectureFiles.push(deck.file)
    const target = targets.packages.get(deck.lecture.path)
    let outcome: DeckOutcome | undefined
    const packed = (deck.collection || deck.held) && packages ? await packages.next(step.compiled) : undefined
    if (pool && packages?.packedAll()) closing ??= pool.close()
    if (packed?.collection && targets.bundle !== undefined) collections.push(packed.collection)
    const bytes = packed?.bytes
    if (deck.changes && bytes) {
      outcome = {path: deck.lecture.path, deck: deck.deck, cards: rowsOf(deck), changes: deck.changes}
      outcomes.push(outcome)
      if (target !== undefined) {
        outcome.output = display(cwd, target)
        outcome.bytes = bytes.length
        if (!writing) {
          if (!(await sameBytes(target, bytes))) stale.push(outcome.output)
        } else {
          try {
            // A package that is already as built stays untouched (its time too, so the record still knows it).
            await writeChanged(target, bytes)
          } catch (error) {
            complete = false
            delete outcome.output
            fail(deck.file, `Cannot write the package ${display(cwd, target)}: ${(error as Error).message}; expected a writable output folder`, 'write-failed')
          }
        }
      }
    }
    if (cache && target !== undefined) {
      records.push({
        path: deck.lecture.path,
        hash: hashes.get(deck.lecture.path) ?? contentHash(bytesOf.get(deck.lecture.path) ?? ''),
        source: gathered.stamps.get(deck.lecture.path) ?? null,
        deckKey: deckKey(deck),
        output: await fileStamp(target),
        media: mediaOf(cache, deck.lecture.path),
        outcome,
        messages: storedMessages(deck.file)
      })
    }
    // A deck's notes are done with once its package is written (a bundle has its collection).
    deck.collection = undefined
    deck.held = undefined
    if (pool && packages?.madeAll()) writeStateFiles()
  }
  bar.end()
  await (closing ?? pool?.close())

  const files = [...gathered.failed, ...(plan.stateFiles.length > 0 ? plan.stateFiles.map((stateFile) => stateFile.file) : gathered.stateSources.map((source) => source.file)), ...lectureFiles]

  // One package with every deck, only when every lecture compiled.
  const allCompiled = !files.some((file) => file.messages.some((message) => message.fatal))
  if (targets.bundle !== undefined && allCompiled && compiled.length === plan.steps.length && pack) {
    const bytes = await pack(bundle(collections))
    const target = targets.bundle
    if (!writing) {
      if (!(await sameBytes(target, bytes))) stale.push(display(cwd, target))
    } else {
      try {
        await writeChanged(target, bytes)
        bundled = {output: display(cwd, target), bytes: bytes.length, decks: collections.length}
      } catch (error) {
        complete = false
        files.push(fail(new VFile({path: display(cwd, target)}), `Cannot write the bundle: ${(error as Error).message}; expected a writable output folder`, 'write-failed'))
      }
    }
  }

  // The state files, as they are once this build is done (for the record's key).
  const written: StateSource[] = gathered.stateSources.map((source) => ({path: source.path, file: new VFile({path: source.file.path}), present: source.present, bytes: undefined, read: Promise.resolve()}))
  writeStateFiles()
  for (const [index, source] of gathered.stateSources.entries()) {
    if (!stateTexts?.has(source.path)) continue
    if (!writing) {
      stale.push(source.file.path)
      continue
    }
    const error = await stateWrites?.get(source.path)
    if (error) {
      complete = false
      source.file.message(`Cannot write the state file: ${error.message}; the next build takes changed cards as new`, {place: {line: 1, column: 1}, ruleId: 'lock-not-written', source: 'deckc'})
    } else {
      const after = written[index]
      if (after) after.present = true
    }
  }

  const notices = appendedFields(plan.stateFiles, currentNotetypes())
  const errors = files.some((file) => file.messages.some((message) => message.fatal))
  printResult(environment, {json: invocation.json, check: invocation.command === 'build' && invocation.check, outcomes, bundled, files, stale, notices})

  // Only a build that wrote everything, from state files without problems, leaves inputs the next build can start from.
  const stateProblems = gathered.stateSources.some((source) => source.file.messages.length > 0)
  if (cache && complete && !stateProblems) {
    await storeRecord(cache, {
      base: await baseKey({...gathered, stateSources: written}, targets.bundle),
      orphanTitles: plan.orphanTitles(),
      failed: gathered.failed.map((file) => ({path: file.path, messages: storedMessages(file)})),
      lectures: records,
      bundled
    })
  }
  return errors ? 1 : stale.length > 0 ? 3 : 0
}

/** The changes a rebuild reports when nothing changed since a build that made `changes`. */
function upToDate(changes: Changes): Changes {
  return {added: 0, updated: 0, unchanged: changes.added + changes.updated + changes.unchanged, moved: [], removed: []}
}

/** Field count of each current note type, as the state file records it. */
function currentNotetypes(): Record<string, number> {
  return Object.fromEntries(NOTETYPES.map((notetype) => [String(notetype.id), notetype.flds.length]))
}

/** Note types that gained fields since the last build: Anki needs "Merge note types" to accept them. */
function appendedFields(stateFiles: StateFile[], notetypes: Record<string, number>): string[] {
  const notices: string[] = []
  for (const notetype of NOTETYPES) {
    const before = Math.max(0, ...stateFiles.map((stateFile) => stateFile.state.notetypes[String(notetype.id)] ?? 0))
    const now = notetypes[String(notetype.id)] ?? 0
    if (before > 0 && now > before) {
      notices.push(
        `Note type "${notetype.name}" has ${now - before} new field(s) since the last build. When importing, tick "Merge note types" in Anki's import options, or Anki imports the changed notes under a copy of the note type.`
      )
    }
  }
  return notices
}

/**
 * Small builds, and builds whose workers pack, run SQLite's WebAssembly on
 * V8's baseline compiler only. Otherwise V8 recompiles its busiest functions
 * with its optimising compiler in the background once SQL has run: a small
 * build waits for that at the next event-loop turn (about 0.2 s, more than it
 * takes), and workers, which keep every core busy, each pay for it in time
 * taken from parsing and packing (100,000 cards: 3.50 against 3.71 s, user
 * CPU 5.99 against 6.38 s, medians of six alternating builds; 1,000,000
 * cards: 32.9 and 34.3 s against 39.1 and 33.4 s). A large build on this
 * thread alone (one lecture) keeps the optimised code, compiled on a core
 * it leaves free, which inserts rows faster. bin/deckc.js starts on the
 * baseline compiler only (its code cache is made under that setting); set
 * here either way, for runs that do not start there (the tests call
 * `main`). Must run before sql.js loads, here and in the workers (they load
 * it when they first pack, after this).
 */
function tuneWasm(cards: number, pooled: boolean): void {
  v8.setFlagsFromString(cards < 20_000 || pooled ? '--liftoff-only' : '--no-liftoff-only')
}

/**
 * Very large builds let V8's heap grow only 60 % past what was live at the
 * last full collection before collecting again (by default it may grow a few
 * times over). At 1,000,000 cards: peak RSS 1.01–1.02 GB instead of
 * 1.22–1.36 GB, in 55.6 and 65.5 s against 60.6 and 57.4 s (alternating
 * runs); at 10 %, 0.95 GB but 81 s. Applies to this thread and to workers
 * started after.
 */
function tightenHeap(): void {
  v8.setFlagsFromString('--heap-growing-percent=60')
}

/** Write a package unless it already holds these bytes (then only the temporary files of killed builds are removed). */
async function writeChanged(target: string, bytes: Uint8Array): Promise<void> {
  if (await sameBytes(target, bytes)) await removeStaleTemporaries(target)
  else await writeAtomic(target, bytes)
}

async function sameBytes(file: string, bytes: Uint8Array): Promise<boolean> {
  const info = await stat(file).catch(() => undefined)
  if (info?.size !== bytes.length) return false
  const existing = await readFile(file).catch(() => undefined)
  return existing !== undefined && Buffer.from(bytes).equals(existing)
}

function fail(file: VFile, reason: string, ruleId: string): VFile {
  file.message(reason, {place: {line: 1, column: 1}, ruleId, source: 'deckc'}).fatal = true
  return file
}
