import {Buffer} from 'node:buffer'
import {hash} from 'node:crypto'
import {stat} from 'node:fs/promises'
import path from 'node:path'
import {VFile} from 'vfile'
import {emptyState, parseStateInTurns, stateLines} from '../state.js'
import type {State} from '../state.js'
import {display, readWhole} from './files.js'

/** The name of the state file, kept at the root of the notes. */
export const stateFileName = 'deckc.lock'

/** A state file as read, with its entries' paths made relative to the working directory. */
export interface StateFile {
  /** Absolute path of `deckc.lock`. */
  path: string
  /** Receives `bad-lock` warnings; its path is the state file's display path. */
  file: VFile
  /** SHA-256 of the bytes as read (`undefined`: no file yet): whether a build changes the file. */
  digest: string | undefined
  /** The state, with `file` of each entry relative to the working directory. */
  state: State
  /**
   * Whether the file is exactly what `stateFileBytes` makes of `state` (see
   * `readState`; and each `file` written again as it was): then the same
   * state needs no bytes worked out to know the file is up to date.
   */
  canonical: boolean
}

/**
 * Where the state file of a build root lives: the nearest `deckc.lock` in the
 * root's folder (a file root: its folder) or a folder above it, up to the
 * working directory; else a new one in the root's folder. So building one
 * lecture of `notes/` uses `notes/deckc.lock`.
 *
 * @param root
 *   Absolute path of a PATH argument.
 */
export async function locateStateFile(root: string, cwd: string): Promise<string> {
  const info = await stat(root)
  const start = info.isDirectory() ? root : path.dirname(root)
  const inside = !path.relative(cwd, start).startsWith('..')
  for (let folder = start; ; folder = path.dirname(folder)) {
    const candidate = path.join(folder, stateFileName)
    if (await stat(candidate).then((found) => found.isFile(), () => false)) return candidate
    if (!inside || folder === cwd || path.dirname(folder) === folder) break
  }
  return path.join(start, stateFileName)
}

/** A state file's bytes as read, before parsing. */
export interface StateSource {
  path: string
  file: VFile
  /** Whether there was a file to read (once `read` has settled: and it could be read). */
  present: boolean
  /** The bytes as read (`undefined`: no file yet, or unreadable; not yet read; or let go once parsed, see `parseStateSource`). */
  bytes: Uint8Array | undefined
  /** Settles once `bytes` are read, or the file was found unreadable (a `bad-lock` warning on `file`). */
  read: Promise<void>
}

/**
 * Start reading a state file's bytes; an unreadable one is a `bad-lock`
 * warning (and an empty state). The read goes on while the lectures are read
 * and compiled (`readWhole`): await `read` before using `bytes`.
 */
export function readStateSource(absolute: string, cwd: string): StateSource {
  const file = new VFile({path: display(cwd, absolute)})
  const unreadable = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') {
      file.message(`Cannot read the state file: ${error.code ?? error.message}; every card is taken as new`, {place: {line: 1, column: 1}, ruleId: 'bad-lock', source: 'deckc'})
    }
  }
  let reading: Promise<Buffer>
  try {
    reading = readWhole(absolute)
  } catch (error) {
    unreadable(error as NodeJS.ErrnoException)
    return {path: absolute, file, present: false, bytes: undefined, read: Promise.resolve()}
  }
  const source: StateSource = {path: absolute, file, present: true, bytes: undefined, read: Promise.resolve()}
  source.read = reading.then(
    (bytes) => {
      source.bytes = bytes
    },
    (error: NodeJS.ErrnoException) => {
      unreadable(error)
      source.present = false
    }
  )
  return source
}

/**
 * Parse a state file read by `readStateSource`; a missing one is an empty
 * state. The source lets go of its bytes: a full build needs only the
 * entries and the digest, and a million cards' state file is over 200 MB.
 */
export async function parseStateSource(source: StateSource, cwd: string, pause: () => Promise<void>): Promise<StateFile> {
  await source.read
  const {bytes} = source
  source.bytes = undefined
  // In turns, awaiting `pause` between them (workers' answers come in while they parse lectures).
  const {state, canonical} = bytes === undefined ? {state: emptyState, canonical: false} : await parseStateInTurns(bytes, source.file, pause)
  const digest = bytes === undefined ? undefined : hash('sha256', bytes)
  // In place, and once per file name: a state file has many entries and few files.
  const toCwd = fromStateFile(source.path, cwd)
  const back = inStateFile(source.path, cwd)
  let sameFiles = true
  for (const entry of state.entries) {
    const written = entry.file
    entry.file = toCwd(written)
    if (sameFiles && back(entry.file) !== written) sameFiles = false
  }
  return {path: source.path, file: source.file, digest, state, canonical: canonical && sameFiles}
}

/** A lecture path as a state file at `absolute` has it, made relative to the working directory (each name computed once). */
export function fromStateFile(absolute: string, cwd: string): (file: string) => string {
  const folder = path.dirname(absolute)
  return memoize((file) => display(cwd, path.resolve(folder, file)))
}

/** A lecture path relative to the working directory, as a state file at `absolute` writes it (each name computed once). */
export function inStateFile(absolute: string, cwd: string): (file: string) => string {
  const folder = path.dirname(absolute)
  return memoize((file) => path.relative(folder, path.resolve(cwd, file)).split(path.sep).join('/'))
}

/**
 * The bytes of a state file for a state whose paths are relative to the
 * working directory, made ten thousand lines at a time as they are asked
 * for: a state file of a million cards is written (or compared) without ever
 * being in memory whole.
 */
export function stateFileBytes(absolute: string, state: State, cwd: string): Generator<Buffer> {
  return inParts(stateLines(state, inStateFile(absolute, cwd)))
}

/** Lines (without line endings) as the bytes of a file, ten thousand lines a part. */
export function* inParts(lines: Iterable<string>): Generator<Buffer> {
  let part: string[] = []
  for (const line of lines) {
    part.push(line)
    if (part.length === 10_000) {
      yield Buffer.from(`${part.join('\n')}\n`)
      part = []
    }
  }
  if (part.length > 0) yield Buffer.from(`${part.join('\n')}\n`)
}

/** A function of a string that computes each value once. */
function memoize(compute: (key: string) => string): (key: string) => string {
  const known = new Map<string, string>()
  return (key) => {
    let value = known.get(key)
    if (value === undefined) {
      value = compute(key)
      known.set(key, value)
    }
    return value
  }
}
