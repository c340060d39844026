import {readFile} from 'node:fs/promises'
import path from 'node:path'
import v8 from 'node:v8'
import {VFile} from 'vfile'
import {NOTETYPES} from '../anki/format.js'
import {pack} from '../anki/pack.js'
import {bundle} from '../collect.js'
import {nextState} from '../state.js'
import type {StateEntry} from '../state.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {display} from './files.js'
import {compileNotes} from './notes.js'
import {printResult} from './output.js'
import {progress} from './progress.js'
import type {DeckOutcome} from './output.js'
import {stateFileText} from './state-file.js'
import type {StateFile} from './state-file.js'
import {writeAtomic} from './write.js'

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
  const notes = await compileNotes(invocation.paths, environment, bundling ? undefined : only)
  if (typeof notes === 'number') return notes
  const {sources, stateFiles, state, owner, decks, files, config} = notes

  const writing = invocation.command === 'build' && !invocation.check
  const outDir = invocation.command === 'build' ? path.resolve(cwd, invocation.out ?? config.out ?? 'dist') : undefined
  const outputs = new Map(sources.map((source) => [source.display, source.output]))
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
      await writeAtomic(target, bytes)
    } catch (error) {
      delete outcome.output
      fail(deck.file, `Cannot write the package ${display(cwd, target)}: ${(error as Error).message}; expected a writable output folder`, 'write-failed')
    }
  }

  bar.end()

  // One package with every deck, only when every lecture compiled.
  const bundleName = invocation.command === 'build' ? (invocation.bundle ?? config.bundle) : undefined
  const complete = !files.some((file) => file.messages.some((message) => message.fatal))
  if (bundleName !== undefined && outDir !== undefined && complete) {
    const collections = decks.flatMap((deck) => (deck.collection ? [deck.collection] : []))
    const bytes = await pack(bundle(collections))
    const target = path.join(outDir, `${bundleName.replace(/\.apkg$/i, '')}.apkg`)
    if (!writing) {
      if (!(await sameBytes(target, bytes))) stale.push(display(cwd, target))
    } else {
      try {
        await writeAtomic(target, bytes)
        bundled = {output: display(cwd, target), bytes: bytes.length, decks: collections.length}
      } catch (error) {
        const file = new VFile({path: display(cwd, target)})
        files.push(fail(file, `Cannot write the bundle: ${(error as Error).message}; expected a writable output folder`, 'write-failed'))
      }
    }
  }

  // The state files: every compiled lecture's cards replace its old entries.
  const notetypes = Object.fromEntries(NOTETYPES.map((notetype) => [String(notetype.id), notetype.flds.length]))
  const next = nextState(state, decks, notetypes)
  const lockOf = (entry: StateEntry) => owner.get(entry) ?? sources.find((source) => source.display === entry.file)?.stateFile
  for (const stateFile of stateFiles) {
    const entries = next.entries.filter((entry) => lockOf(entry) === stateFile.path)
    const text = stateFileText(stateFile.path, {notetypes, entries}, cwd)
    if (text === stateFile.text || (entries.length === 0 && stateFile.text === undefined)) continue
    if (invocation.command !== 'build') continue
    if (!writing) {
      stale.push(stateFile.file.path)
      continue
    }
    await writeAtomic(stateFile.path, new TextEncoder().encode(text)).catch((error: Error) => {
      stateFile.file.message(`Cannot write the state file: ${error.message}; the next build takes changed cards as new`, {place: {line: 1, column: 1}, ruleId: 'lock-not-written', source: 'deckc'})
    })
  }

  const notices = appendedFields(stateFiles, notetypes)
  const errors = files.some((file) => file.messages.some((message) => message.fatal))
  printResult(environment, {json: invocation.json, check: invocation.command === 'build' && invocation.check, outcomes, bundled, files, stale, notices})
  if (errors) return 1
  return stale.length > 0 ? 3 : 0
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

async function sameBytes(file: string, bytes: Uint8Array): Promise<boolean> {
  const existing = await readFile(file).catch(() => undefined)
  return existing !== undefined && Buffer.from(bytes).equals(existing)
}

function fail(file: VFile, reason: string, ruleId: string): VFile {
  file.message(reason, {place: {line: 1, column: 1}, ruleId, source: 'deckc'}).fatal = true
  return file
}

