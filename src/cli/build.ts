import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {VFile} from 'vfile'
import {NOTETYPES} from '../anki/format.js'
import {pack} from '../anki/pack.js'
import {compile} from '../compile.js'
import {nextState} from '../state.js'
import type {State, StateEntry} from '../state.js'
import type {Lecture} from '../types.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {usageError} from './environment.js'
import {display, findLectures, MissingPathError} from './files.js'
import type {Found} from './files.js'
import {printResult} from './output.js'
import type {DeckOutcome} from './output.js'
import {locateStateFile, readStateFile, stateFileText} from './state-file.js'
import type {StateFile} from './state-file.js'
import {writeAtomic} from './write.js'

type BuildInvocation = Extract<Invocation, {command: 'build' | 'check'}>

/** A lecture file with the state file of its root. */
interface Source extends Found {
  stateFile: string
}

/**
 * `deckc build` and `deckc check`: find the lectures, compile them against the
 * state of the last build, write a package for each lecture without errors
 * and the updated state file (build), and report.
 *
 * @returns
 *   0 success; 1 a lecture has errors or a package could not be written; 2 a
 *   usage error; 3 (`build --check`) packages or state file out of date.
 */
export async function build(invocation: BuildInvocation, environment: Environment): Promise<number> {
  const {cwd} = environment
  const clock = buildClock(environment.env)
  if (clock === undefined) return usageError(environment, 'SOURCE_DATE_EPOCH must be a whole number of seconds')

  let sources: Source[]
  try {
    sources = await findSources(invocation.paths, cwd)
  } catch (error) {
    if (error instanceof MissingPathError) return usageError(environment, error.message)
    throw error
  }
  if (sources.length === 0) return usageError(environment, `No lecture files (*.md) found in ${invocation.paths.join(', ')}`)

  const stateFiles = await Promise.all([...new Set(sources.map((source) => source.stateFile))].map((file) => readStateFile(file, cwd)))
  const {state, owner} = mergeStates(stateFiles)
  const {lectures, failed} = await readLectures(sources)
  const decks = compile(lectures, {clock, state})
  const files = [...failed, ...stateFiles.map((stateFile) => stateFile.file), ...decks.map((deck) => deck.file)]

  const writing = invocation.command === 'build' && !invocation.check
  const outDir = invocation.command === 'build' ? path.resolve(cwd, invocation.out) : undefined
  const outputs = new Map(sources.map((source) => [source.display, source.output]))
  const outcomes: DeckOutcome[] = []
  const stale: string[] = []

  for (const deck of decks) {
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
  printResult(environment, {json: invocation.json, check: invocation.command === 'build' && invocation.check, outcomes, files, stale, notices})
  if (errors) return 1
  return stale.length > 0 ? 3 : 0
}

/** Find the lectures of each PATH, each with the state file of its root; a file named twice counts once. */
async function findSources(paths: string[], cwd: string): Promise<Source[]> {
  const sources = new Map<string, Source>()
  for (const given of paths) {
    const found = await findLectures([given], cwd)
    const stateFile = await locateStateFile(path.resolve(cwd, given), cwd)
    for (const entry of found) if (!sources.has(entry.absolute)) sources.set(entry.absolute, {...entry, stateFile})
  }
  return [...sources.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
}

/** One state for the whole build, remembering which state file each entry came from. */
function mergeStates(stateFiles: StateFile[]): {state: State; owner: Map<StateEntry, string>} {
  const owner = new Map<StateEntry, string>()
  const entries: StateEntry[] = []
  for (const stateFile of stateFiles) {
    for (const entry of stateFile.state.entries) {
      owner.set(entry, stateFile.path)
      entries.push(entry)
    }
  }
  return {state: {notetypes: Object.assign({}, ...stateFiles.map((stateFile) => stateFile.state.notetypes)) as State['notetypes'], entries}, owner}
}

/** Read each found file; unsafe or unreadable ones become files with an error. */
async function readLectures(sources: Source[]): Promise<{lectures: Lecture[]; failed: VFile[]}> {
  const lectures: Lecture[] = []
  const failed: VFile[] = []
  for (const source of sources) {
    if (source.unsafe) {
      failed.push(fail(new VFile({path: source.display}), source.unsafe, 'unsafe-path'))
      continue
    }
    try {
      lectures.push({path: source.display, value: await readFile(source.absolute)})
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      failed.push(fail(new VFile({path: source.display}), `Cannot read the file: ${code}; expected a readable text file`, 'unreadable'))
    }
  }
  return {lectures, failed}
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

async function sameBytes(file: string, bytes: Uint8Array): Promise<boolean> {
  const existing = await readFile(file).catch(() => undefined)
  return existing !== undefined && Buffer.from(bytes).equals(existing)
}

function fail(file: VFile, reason: string, ruleId: string): VFile {
  file.message(reason, {place: {line: 1, column: 1}, ruleId, source: 'deckc'}).fatal = true
  return file
}

/** The build time in milliseconds: `SOURCE_DATE_EPOCH` when set, else now. */
function buildClock(env: Environment['env']): number | undefined {
  const epoch = env['SOURCE_DATE_EPOCH']
  if (epoch === undefined || epoch === '') return Date.now()
  return /^\d{1,12}$/.test(epoch) ? Number(epoch) * 1000 : undefined
}
