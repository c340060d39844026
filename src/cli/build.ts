import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import v8 from 'node:v8'
import {VFile} from 'vfile'
import {NOTETYPES} from '../anki/format.js'
import {bundle} from '../collect.js'
import {nextState} from '../state.js'
import type {StateEntry} from '../state.js'
import type {Changes} from '../identify.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {display} from './files.js'
import {buildKey, lookup, openBuildCache, restoredFile, store, storedFile} from './build-cache.js'
import {compileGathered, gatherNotes} from './notes.js'
import {printResult} from './output.js'
import {progress} from './progress.js'
import type {DeckOutcome} from './output.js'
import {stateFileText} from './state-file.js'
import type {StateFile} from './state-file.js'
import {removeStaleTemporaries, writeAtomic} from './write.js'

type BuildInvocation = Extract<Invocation, {command: 'build' | 'check'}>

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
  const gathered = await gatherNotes(invocation.paths, environment, bundling ? undefined : only)
  if (typeof gathered === 'number') return gathered

  const writing = invocation.command === 'build' && !invocation.check
  const outDir = invocation.command === 'build' ? path.resolve(cwd, invocation.out ?? gathered.config.out ?? 'dist') : undefined
  const bundleName = invocation.command === 'build' ? (invocation.bundle ?? gathered.config.bundle) : undefined
  const bundleTarget = outDir !== undefined && bundleName !== undefined ? path.join(outDir, `${bundleName.replace(/\.apkg$/i, '')}.apkg`) : undefined
  const targets = outDir === undefined ? [] : [...gathered.sources.map((source) => path.join(outDir, source.output)), ...(bundleTarget ? [bundleTarget] : [])]

  // A full build of the whole notes can be answered from the cache (build-cache.ts).
  const cache = invocation.command === 'build' && invocation.cache && writing && !only && outDir !== undefined ? openBuildCache(cwd, {paths: gathered.paths, outDir, bundle: bundleName}, gathered.readMedia) : undefined
  if (cache) {
    const record = await lookup(cache, await buildKey(gathered, targets), gathered.readMedia)
    if (record) {
      printResult(environment, {json: invocation.json, check: false, outcomes: record.outcomes, bundled: record.bundled, files: record.files.map(restoredFile), stale: [], notices: []})
      return record.exitCode
    }
    gathered.readMedia = cache.readMedia
  }

  const {sources, stateFiles, state, owner, decks, files} = await compileGathered(gathered, environment)
  const {pack} = await import('../anki/pack.js')
  const outputs = new Map(sources.map((source) => [source.display, source.output]))
  let complete = true
  const outcomes: DeckOutcome[] = []
  let bundled: {output: string; bytes: number; decks: number} | undefined
  const stale: string[] = []

  tuneWasm(decks.reduce((sum, deck) => sum + (deck.collection?.cards.length ?? 0), 0))
  const bar = progress(environment)
  for (const [index, deck] of decks.entries()) {
    bar.update('writing', index + 1, decks.length)
    if (!deck.collection || !deck.changes) continue
    const bytes = await pack(deck.collection)
    const outcome: DeckOutcome = {path: deck.lecture.path, deck: deck.deck, cards: deck.collection.cards.length, changes: deck.changes}
    outcomes.push(outcome)
    if (outDir === undefined) continue
    const target = path.join(outDir, outputs.get(deck.lecture.path) ?? '')
    outcome.output = display(cwd, target)
    outcome.bytes = bytes.length
    if (!writing) {
      if (!(await sameBytes(target, bytes))) stale.push(outcome.output)
      continue
    }
    try {
      // A package that is already as built stays untouched (its time too, so the build cache still knows it).
      await writeChanged(target, bytes)
    } catch (error) {
      complete = false
      delete outcome.output
      fail(deck.file, `Cannot write the package ${display(cwd, target)}: ${(error as Error).message}; expected a writable output folder`, 'write-failed')
    }
  }

  bar.end()

  // One package with every deck, only when every lecture compiled.
  const compiled = !files.some((file) => file.messages.some((message) => message.fatal))
  if (bundleTarget !== undefined && compiled) {
    const collections = decks.flatMap((deck) => (deck.collection ? [deck.collection] : []))
    const bytes = await pack(bundle(collections))
    const target = bundleTarget
    if (!writing) {
      if (!(await sameBytes(target, bytes))) stale.push(display(cwd, target))
    } else {
      try {
        await writeChanged(target, bytes)
        bundled = {output: display(cwd, target), bytes: bytes.length, decks: collections.length}
      } catch (error) {
        complete = false
        const file = new VFile({path: display(cwd, target)})
        files.push(fail(file, `Cannot write the bundle: ${(error as Error).message}; expected a writable output folder`, 'write-failed'))
      }
    }
  }

  // The state files: every compiled lecture's cards replace its old entries.
  const notetypes = Object.fromEntries(NOTETYPES.map((notetype) => [String(notetype.id), notetype.flds.length]))
  const next = nextState(state, decks, notetypes)
  const lockOf = (entry: StateEntry) => owner.get(entry) ?? sources.find((source) => source.display === entry.file)?.stateFile
  /** Each state file's bytes once this build is done (for the cache key). */
  const written = gathered.stateSources.map((source) => ({path: source.path, file: new VFile({path: source.file.path}), bytes: source.bytes}))
  for (const [index, stateFile] of stateFiles.entries()) {
    const entries = next.entries.filter((entry) => lockOf(entry) === stateFile.path)
    const text = stateFileText(stateFile.path, {notetypes, entries}, cwd)
    if (text === stateFile.text || (entries.length === 0 && stateFile.text === undefined)) continue
    if (invocation.command !== 'build') continue
    if (!writing) {
      stale.push(stateFile.file.path)
      continue
    }
    const bytes = new TextEncoder().encode(text)
    await writeAtomic(stateFile.path, bytes).then(
      () => {
        const after = written[index]
        if (after) after.bytes = bytes
      },
      (error: Error) => {
        complete = false
        stateFile.file.message(`Cannot write the state file: ${error.message}; the next build takes changed cards as new`, {place: {line: 1, column: 1}, ruleId: 'lock-not-written', source: 'deckc'})
      }
    )
  }

  const notices = appendedFields(stateFiles, notetypes)
  const errors = files.some((file) => file.messages.some((message) => message.fatal))
  printResult(environment, {json: invocation.json, check: invocation.command === 'build' && invocation.check, outcomes, bundled, files, stale, notices})
  const exitCode = errors ? 1 : stale.length > 0 ? 3 : 0

  // What the next build with these inputs would report: every card up to date, the same messages.
  // Only a build that wrote everything, from state files without problems, leaves such inputs behind.
  const stateProblems = stateFiles.some((stateFile) => stateFile.file.messages.length > 0)
  if (cache && complete && !stateProblems) {
    const ofStateFiles = new Set(stateFiles.map((stateFile) => stateFile.file))
    await store(cache, {
      key: await buildKey({...gathered, stateSources: written}, targets),
      exitCode,
      outcomes: outcomes.map((outcome) => ({...outcome, changes: upToDate(outcome.changes)})),
      bundled,
      files: files.filter((file) => !ofStateFiles.has(file)).map(storedFile)
    })
  }
  return exitCode
}

/** The changes a rebuild reports when nothing changed since a build that made `changes`. */
function upToDate(changes: Changes): Changes {
  return {added: 0, updated: 0, unchanged: changes.added + changes.updated + changes.unchanged, moved: [], removed: []}
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
 * Small builds run SQLite's WebAssembly on V8's baseline compiler only.
 * Otherwise V8 recompiles the whole module with its optimising compiler in the
 * background once SQL has run, and Node waits for that at the next event-loop
 * turn: about 0.2 s, more than a small build takes. Large builds keep the
 * optimised code, which inserts rows faster. Must run before sql.js loads.
 */
function tuneWasm(cards: number): void {
  if (cards < 20_000) v8.setFlagsFromString('--liftoff-only')
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

