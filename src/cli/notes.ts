import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {VFile} from 'vfile'
import {assembleInTurn, entriesInMemory, matcher} from '../compile.js'
import type {Matched} from '../compile.js'
import {whenLoaded} from '../engine.js'
import type {CompiledDeck} from '../compile.js'
import type {Config} from '../config.js'
import {defaultLimits} from '../limits.js'
import {report} from '../report.js'
import type {State, StateEntry} from '../state.js'
import {cardCount, configuredOptions, parseLecture} from '../parse.js'
import type {HeldLecture, ParsedLecture} from '../parse.js'
import type {Lecture} from '../types.js'
import {lectureStamp} from './build-cache.js'
import type {Environment} from './environment.js'
import {usageError} from './environment.js'
import {findLectures, MissingPathError, readLecture, sizeOfLecture} from './files.js'
import type {Found} from './files.js'
import {mediaReader} from './media-reader.js'
import {nextTurn, parseInPool} from './parallel.js'
import type {Parallel} from './parallel.js'
import {progress} from './progress.js'
import {locateStateFile, parseStateSource, readStateSource} from './state-file.js'
import type {StateFile, StateSource} from './state-file.js'
import type {StoredState} from './stored-state.js'
import type {ReadMedia} from '../media.js'

/** A lecture file with its notes root (a folder) and the state file of that root. */
export interface Source extends Found {
  root: string
  stateFile: string
}

/** The lectures of a run, compiled against the state of the last build. */
export interface CompiledNotes {
  /** The roots built: PATHS, else the configuration's `notes`, else `notes`. */
  paths: string[]
  sources: Source[]
  config: Config
  stateFiles: StateFile[]
  /** The state files' entries together. */
  state: State
  /** Which state file each entry came from. */
  owner: (entry: StateEntry) => string | undefined
  decks: CompiledDeck[]
  /** Every file with messages: unreadable lectures, state files, lectures. */
  files: VFile[]
}

/** The inputs of a run, read but not compiled. */
export interface GatheredNotes {
  /** The roots built: PATHS, else the configuration's `notes`, else `notes`. */
  paths: string[]
  sources: Source[]
  config: Config
  /** `deckc.config.json` as read (`undefined`: none). */
  configText: string | undefined
  /** Build time in milliseconds. */
  clock: number
  /** Each root's state file, read but not parsed. */
  stateSources: StateSource[]
  lectures: Lecture[]
  /** Lectures that could not be read (each with its error). */
  failed: VFile[]
  /** Bytes of the lectures together (their sizes, when they are not read yet). */
  bytes: number
  /**
   * When the lectures were gathered without their bytes (`gatherNotes` with
   * `defer`): reads a lecture's; one that cannot be read now (it changed
   * since it was found) is a `LectureChanged` thrown.
   */
  load: ((lecture: Lecture) => Promise<void>) | undefined
  /** Each lecture read, by path: its file just before it was read (`lectureStamp`), unless changed too recently. */
  stamps: Map<string, string>
  /** How many lecture files have been read so far. */
  filesRead: () => number
  /** Reads media below each lecture's root. */
  readMedia: ReadMedia
}

/**
 * Find, read and compile the lectures below PATHS, as `build`, `check` and
 * `preview` do: configuration from `deckc.config.json`, state from each
 * root's `deckc.lock`, media read from below each root, the clock from
 * `SOURCE_DATE_EPOCH`.
 *
 * @param given
 *   The PATH arguments (none: the configured or default notes folder).
 * @param only
 *   Absolute paths of the lectures to compile (default: all found); the others are left alone.
 * @returns
 *   The compiled notes, or the exit code of a usage or configuration error
 *   (already printed).
 */
export async function compileNotes(given: string[], environment: Environment, only?: Set<string>): Promise<CompiledNotes | number> {
  const gathered = await gatherNotes(given, environment, only)
  if (typeof gathered === 'number') return gathered
  const notes = await compileGathered(gathered, environment)
  return {...notes, decks: notes.decks.map((deck) => deck())}
}

/** Compiled notes whose decks are made one at a time, in order (`assembleInTurn`). */
export interface AssembledNotes extends Omit<CompiledNotes, 'decks'> {
  decks: Array<() => CompiledDeck>
  /** Cards of the lectures, before reversed and cloze cards are counted. */
  cards: number
  /** The state file, when it is read from disk as needed (`Parallel.stateOnDisk`); `state` then has no entries. */
  stored: StoredState | undefined
}

/**
 * Find and read everything a run depends on (`compileNotes` without compiling).
 *
 * @param defer
 *   Whether lectures of this many bytes together are gathered without their
 *   bytes, each read when it is needed (`GatheredNotes.load`).
 */
export async function gatherNotes(given: string[], environment: Environment, only?: Set<string>, defer?: (bytes: number) => boolean): Promise<GatheredNotes | number> {
  const {cwd} = environment
  const clock = buildClock(environment.env)
  if (clock === undefined) return usageError(environment, 'SOURCE_DATE_EPOCH must be a whole number of seconds')

  const config = await loadConfig(cwd)
  if (!config.ok) {
    environment.stderr(`${report([config.file])}\n`)
    return 2
  }

  const paths = given.length > 0 ? given : (config.value.notes ?? ['notes'])
  let sources: Source[]
  try {
    sources = await findSources(paths, cwd)
    if (only) sources = sources.filter((source) => only.has(source.absolute))
  } catch (error) {
    if (error instanceof MissingPathError) return usageError(environment, error.message)
    throw error
  }
  if (sources.length === 0 && !only) return usageError(environment, `No lecture files (*.md) found in ${paths.join(', ')}`)

  // The state files are read while the lectures are read and compiled (a 100,000-card one is over 20 MB).
  const stateSources = [...new Set(sources.map((source) => source.stateFile))].map((file) => readStateSource(file, cwd))
  const {limits} = configuredOptions(config.value)
  const {lectures, failed, bytes, load, stamps, filesRead} = await readLectures(sources, limits.fileBytes, defer)
  const readMedia = mediaReader(new Map(sources.map((source) => [source.display, source.root])), cwd)
  return {paths, sources, config: config.value, configText: config.text, clock, stateSources, lectures, failed, bytes, load, stamps, filesRead, readMedia}
}

/** Compile gathered notes against their state files. */
export async function compileGathered(gathered: GatheredNotes, environment: Environment, parallel?: Parallel): Promise<AssembledNotes> {
  const {paths, sources, config, clock, lectures, failed, readMedia} = gathered
  const bar = progress(environment)
  const onProgress = (done: number) => bar.update('compiling', done, lectures.length)
  // With workers, each lecture is matched as soon as it and those before it are parsed and the state
  // is read, one at a time, letting the workers' answers in between (they wait for their next lecture).
  let arrived: HeldLecture[] = []
  let wake: (() => void) | undefined
  const onParsed = (parsed: HeldLecture[]) => {
    arrived = parsed
    wake?.()
  }
  const matchInTurn = async (match: (entry: HeldLecture) => Matched) => {
    const matched: Matched[] = []
    for (let index = 0; index < lectures.length; index++) {
      while (!arrived[index]) await new Promise<void>((resolve) => (wake = resolve))
      matched.push(match(arrived[index] as HeldLecture))
      await nextTurn()
    }
    return matched
  }
  const parsing = parallel ? parseInPool(gathered, parallel, environment.cwd, onProgress, onParsed) : undefined
  // The state files are read while workers parse (in turns: the workers are handed lectures in between).
  await stateRead(gathered)
  const [single] = gathered.stateSources
  const stored = parallel?.stateOnDisk && single?.present && gathered.stateSources.length === 1 ? await (await import('./stored-state.js')).storeState(single, environment.cwd, nextTurn) : undefined
  const stateFiles = stored && single ? [{path: stored.path, file: single.file, digest: stored.digest, state: {notetypes: stored.notetypes, entries: []}, canonical: false}] : await Promise.all(gathered.stateSources.map((source) => parseStateSource(source, environment.cwd, nextTurn)))
  const {state, owner} = mergeStates(stateFiles)
  const previous = stored?.previous ?? entriesInMemory(state.entries)
  const matching = parallel && matchInTurn(matcher(previous, new Set(lectures.map((lecture) => lecture.path))))
  const parsed =
    (await parsing) ??
    (await whenLoaded(() => {
      const options = {...configuredOptions(config), readMedia}
      return lectures.map((lecture, index) => {
        const result = parseLecture(lecture, options)
        onProgress(index + 1)
        return result
      })
    }))
  const decks = assembleInTurn(parsed, {clock, state, previous, matched: matching ? await matching : undefined})
  bar.end()
  const files = [...failed, ...stateFiles.map((stateFile) => stateFile.file), ...parsed.map((entry) => entry.file)]
  const cards = parsed.reduce((sum, entry) => sum + cardCount(entry), 0)
  return {paths, sources, config, stateFiles, state, owner, decks, files, cards, stored}
}

/** Once the state files are read (`readStateSource`): their bytes, or their warnings. */
export async function stateRead(gathered: Pick<GatheredNotes, 'stateSources'>): Promise<void> {
  await Promise.all(gathered.stateSources.map((source) => source.read))
}

/** Find the lectures of each PATH, each with the state file of its root; a file named twice counts once. */
async function findSources(paths: string[], cwd: string): Promise<Source[]> {
  const sources = new Map<string, Source>()
  for (const given of paths) {
    const found = await findLectures([given], cwd)
    const absolute = path.resolve(cwd, given)
    const stateFile = await locateStateFile(absolute, cwd)
    // A file PATH is its own root: its media must be in its folder or below.
    const root = found.length === 1 && found[0]?.absolute === absolute ? path.dirname(absolute) : absolute
    for (const entry of found) if (!sources.has(entry.absolute)) sources.set(entry.absolute, {...entry, root, stateFile})
  }
  return [...sources.values()].sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0))
}

/** One state for the whole build, remembering which state file each entry came from. */
function mergeStates(stateFiles: StateFile[]): {state: State; owner: (entry: StateEntry) => string | undefined} {
  const [only] = stateFiles
  if (only && stateFiles.length === 1) return {state: only.state, owner: () => only.path}
  const owners = new Map<StateEntry, string>()
  const entries: StateEntry[] = []
  for (const stateFile of stateFiles) {
    for (const entry of stateFile.state.entries) {
      owners.set(entry, stateFile.path)
      entries.push(entry)
    }
  }
  const owner = (entry: StateEntry) => owners.get(entry)
  return {state: {notetypes: Object.assign({}, ...stateFiles.map((stateFile) => stateFile.state.notetypes)) as State['notetypes'], entries}, owner}
}

/**
 * Read each found file (a few at a time); unsafe or unreadable ones become
 * files with an error. With `defer`, their sizes come first: when `defer`
 * says so of them together, the files are only opened (and their first byte
 * read, to report one that cannot be read), each read by `load` when it is
 * needed.
 */
async function readLectures(sources: Source[], fileBytes: number | undefined, defer?: (bytes: number) => boolean): Promise<Pick<GatheredNotes, 'lectures' | 'failed' | 'bytes' | 'load' | 'stamps' | 'filesRead'>> {
  const limit = fileBytes ?? defaultLimits.fileBytes
  const stamps = new Map<string, string>()
  let read = 0
  const filesRead = () => read
  /** A lecture's bytes, its file's stamp taken first. */
  const readStamped = (display: string, absolute: string) => {
    const stamp = lectureStamp(absolute)
    if (stamp !== undefined) stamps.set(display, stamp)
    read++
    return readLecture(absolute, limit)
  }
  const gather = async (open: (source: Source) => Promise<Uint8Array | number>) => {
    const results: Array<Lecture | VFile> = []
    let bytes = 0
    const one = async (source: Source): Promise<Lecture | VFile> => {
      if (source.unsafe) return fail(new VFile({path: source.display}), source.unsafe, 'unsafe-path')
      try {
        const relative = source.output.slice(0, -'.apkg'.length) + path.extname(source.absolute)
        const opened = await open(source)
        // No more than the largest lecture: a file over it is read that far, and reported.
        bytes += typeof opened === 'number' ? Math.min(opened, limit + 1) : opened.length
        return {path: source.display, relative, value: typeof opened === 'number' ? new Uint8Array(0) : opened}
      } catch (error) {
        return unreadable(source.display, error, 'expected a readable text file')
      }
    }
    for (let start = 0; start < sources.length; start += 16) results.push(...(await Promise.all(sources.slice(start, start + 16).map(one))))
    return {
      lectures: results.filter((result): result is Lecture => !(result instanceof VFile)),
      failed: results.filter((result): result is VFile => result instanceof VFile),
      bytes
    }
  }
  const readSource = (source: Source) => readStamped(source.display, source.absolute)
  // Sizes first, as the folder has them (most builds read every file right after).
  if (defer && defer(await sizeOfAll(sources, limit))) {
    const sized = await gather((source) => sizeOfLecture(source.absolute))
    const absolute = new Map(sources.map((source) => [source.display, source.absolute]))
    const loaded = new Set<Lecture>()
    // Each lecture once, however often asked for.
    const load = async (lecture: Lecture) => {
      if (loaded.has(lecture)) return
      loaded.add(lecture)
      lecture.value = await readStamped(lecture.path, absolute.get(lecture.path) as string).catch((error: unknown) => {
        throw new LectureChanged(unreadable(lecture.path, error, 'it changed during the build, which wrote nothing (build again)'))
      })
    }
    return {...sized, load, stamps, filesRead}
  }
  return {...(await gather(readSource)), load: undefined, stamps, filesRead}
}

/** The sizes of lecture files together, each counted up to one byte over the largest lecture (a file that cannot be read: 0). */
async function sizeOfAll(sources: Source[], limit: number): Promise<number> {
  let bytes = 0
  for (let start = 0; start < sources.length; start += 64) {
    const sizes = await Promise.all(sources.slice(start, start + 64).map((source) => stat(source.absolute).then((info) => info.size, () => 0)))
    for (const size of sizes) bytes += Math.min(size, limit + 1)
  }
  return bytes
}

/** A lecture gathered without its bytes could not be read when it was needed: `file` has the error, the message is its report. */
export class LectureChanged extends Error {
  constructor(readonly file: VFile) {
    super(report([file]))
  }
}

/** A lecture file that could not be read, as a file with the error. */
function unreadable(display: string, error: unknown, expected: string): VFile {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
  return fail(new VFile({path: display}), `Cannot read the file: ${code}; ${expected}`, 'unreadable')
}

/** The name of the configuration file, looked for in the working directory. */
export const configFileName = 'deckc.config.json'

/** The optional `deckc.config.json` of the working directory. */
export async function loadConfig(cwd: string): Promise<{ok: true; value: Config; text: string | undefined} | {ok: false; file: VFile}> {
  const text = await readFile(path.join(cwd, configFileName), 'utf8').catch(() => undefined)
  if (text === undefined) return {ok: true, value: {}, text}
  // Loaded only when there is a file: reading it needs the YAML parser.
  const {readConfig} = await import('../config.js')
  const file = new VFile({path: configFileName})
  const value = readConfig(text, file)
  return value ? {ok: true, value, text} : {ok: false, file}
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
