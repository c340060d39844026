/**
 * The build cache, in `node_modules/.cache/deckc` (safe to delete).
 *
 * A build that ran to the end leaves behind exactly what the next build would
 * produce from the same notes: its packages and the state file it wrote. Its
 * record keeps, per lecture, what that lecture's bytes, media and package
 * were and what the build reported for it, under a key of everything else
 * (deckc itself, the configuration, the lecture list, the state files as
 * written). A later build with the same key only needs to compile the
 * lectures that differ from the record (incremental.ts); with none, it
 * reprints the report. Anything else is a full build.
 */
import {createHash, hash} from 'node:crypto'
import {existsSync, statSync} from 'node:fs'
import type {BigIntStats} from 'node:fs'
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {VFile} from 'vfile'
import type {MediaResult, ReadMedia} from '../media.js'
import type {GatheredNotes} from './notes.js'
import type {DeckOutcome} from './output.js'
import {defaultWriteFs, writeAtomic} from './write.js'
import type {WriteFs} from './write.js'

/** Records are written atomically but not flushed to disk: one lost in a crash only costs the next build its speed. */
const unflushed: WriteFs = {
  ...defaultWriteFs,
  open: async (file, flags) => {
    const handle = await defaultWriteFs.open(file, flags)
    return {writeFile: (data) => handle.writeFile(data), sync: async () => undefined, close: () => handle.close()}
  }
}

/** Set by the bundler: a hash of deckc's sources and locked dependencies. */
declare const DECKC_BUILD_ID: string | undefined

/** Bumped when the record's layout changes. */
const recordFormat = 3

/** What a build left behind, for the next build. */
export interface BuildRecord {
  format: number
  build: string
  /** Key of the inputs besides the lectures' own bytes (`baseKey`), as the build left them. */
  base: string
  /** Own deck names (normalised) of state entries whose lecture is not in the build: a lecture with such a title may claim them. */
  orphanTitles: string[]
  /** Messages of files that could not be read as lectures. */
  failed: StoredFile[]
  lectures: LectureRecord[]
  bundled: {output: string; bytes: number; decks: number} | undefined
}

/** One lecture as the build found and left it. */
export interface LectureRecord {
  path: string
  /** SHA-256 of the lecture's bytes. */
  hash: string
  /**
   * The lecture file as it was just before those bytes were read
   * (`lectureStamp`; `null`: changed too recently to be known by it): a
   * file found so again is not read.
   */
  source: string | null
  /** The deck name as compared between lectures (NFC, lower case). */
  deckKey: string
  /** Its package: size, time and inode after the build (`null`: none on disk). */
  output: string | null
  media: MediaRead[]
  /** The report of a lecture that compiled. */
  outcome: DeckOutcome | undefined
  messages: StoredMessage[]
}

export interface MediaRead {
  lecture: string
  reference: string
  found: string
}

export interface StoredFile {
  path: string
  messages: StoredMessage[]
}

interface StoredMessage {
  reason: string
  line: number
  column: number
  fatal: boolean
  ruleId: string | undefined
}

/** The cache of one invocation (its roots, output folder and bundle). */
export interface BuildCache {
  /** Where the record lives. */
  file: string
  /** Media references resolved during this build (filled through `readMedia`). */
  media: MediaRead[]
  /** The media reader, recording what it finds. */
  readMedia: ReadMedia
}

/**
 * The cache for this invocation, or `undefined` when there is no
 * `node_modules` folder in or above the working directory (or deckc runs
 * from its sources).
 */
export function openBuildCache(cwd: string, invocation: {paths: string[]; outDir: string; bundle: string | undefined}, readMedia: ReadMedia): BuildCache | undefined {
  const build = buildId()
  const root = findCacheRoot(cwd)
  if (build === undefined || root === undefined) return undefined
  const name = createHash('sha256')
    .update(JSON.stringify([cwd, invocation.paths.map((given) => path.resolve(cwd, given)), invocation.outDir, invocation.bundle ?? null]))
    .digest('hex')
    .slice(0, 32)
  const recorded = recordMedia(readMedia)
  return {file: path.join(root, 'builds', `${name}.json`), media: recorded.reads, readMedia: recorded.readMedia}
}

/** A media reader that also records what it finds (for a record's `media`). */
export function recordMedia(readMedia: ReadMedia): {readMedia: ReadMedia; reads: MediaRead[]} {
  const reads: MediaRead[] = []
  return {
    reads,
    readMedia: (lecture, reference) => {
      const result = readMedia(lecture, reference)
      reads.push({lecture, reference, found: fingerprint(result)})
      return result
    }
  }
}

/**
 * The key of a build's inputs besides each lecture's bytes, media and
 * package: deckc itself, the configuration, the lecture list, unreadable
 * files, every state file and the bundle on disk. The clock is left
 * out on purpose: it is only ever the time of new and changed cards, and
 * lectures whose inputs are as the last build left them have none.
 */
export async function baseKey(gathered: GatheredNotes, bundle: string | undefined): Promise<string> {
  const key = createHash('sha256')
  const add = (value: unknown) => key.update(`${JSON.stringify(value)}\n`)
  add([recordFormat, buildId(), gathered.paths, gathered.configText ?? null])
  for (const source of gathered.sources) add([source.display, source.output, source.root, source.stateFile, source.unsafe ?? null])
  for (const lecture of gathered.lectures) add([lecture.path, lecture.relative ?? null])
  for (const file of gathered.failed) add([file.path, file.messages.map(String)])
  // A state file is known by its size, time and inode, as packages are: hashing a large one would cost more than the rest.
  for (const source of gathered.stateSources) add([source.path, source.present ? await fileStamp(source.path) : null, source.file.messages.map(String)])
  add([bundle ?? null, bundle === undefined ? null : await fileStamp(bundle)])
  return key.digest('hex')
}

/** The deck name as lectures are compared (`duplicate-deck`): a record's `deckKey`. */
export function deckKey(lecture: {deck: string}): string {
  return lecture.deck.normalize('NFC').toLowerCase()
}

/** SHA-256 of bytes, hex. */
export function contentHash(bytes: Uint8Array | string): string {
  return hash('sha256', bytes, 'hex')
}

/** A file's size, modification time and inode (`null`: missing), to notice any change to it. */
export async function fileStamp(file: string): Promise<string | null> {
  // Called for every package of a build: synchronously, a stat takes microseconds instead of a
  // trip through libuv's thread pool and back.
  const info = bigStat(file)
  return info ? `${info.size} ${info.mtimeNs} ${info.ino}` : null
}

/**
 * A lecture file's size, modification and change times and inode, to know
 * it by without reading it (`LectureRecord.source`), or `undefined` when it
 * was changed in the last 2 seconds: a second change within the same tick of
 * the file system's clock would leave the times as they were. Taken just
 * before the file is read: a change during the read gives other times.
 * (A change always sets the change time, which no tool can set back.)
 */
export function lectureStamp(file: string, now: number = Date.now()): string | undefined {
  const info = bigStat(file)
  return info && Number(info.ctimeMs) < now - recentMs ? stampOf(info) : undefined
}

/** A lecture file's stamp as it is now, however recent (`null`: it cannot be read), to compare with a record's. */
export function currentLectureStamp(file: string): string | null {
  const info = bigStat(file)
  return info ? stampOf(info) : null
}

/** How long ago a file must have changed to be known by its stamp. */
const recentMs = 2000

function stampOf(info: BigIntStats): string {
  return `${info.size} ${info.mtimeNs} ${info.ctimeNs} ${info.dev} ${info.ino}`
}

function bigStat(file: string): BigIntStats | undefined {
  try {
    return statSync(file, {bigint: true, throwIfNoEntry: false})
  } catch {
    return undefined
  }
}

/** Whether a build of this invocation can have a record: deckc runs bundled, with a `node_modules` folder in or above `cwd`. */
export function cacheAvailable(cwd: string): boolean {
  return buildId() !== undefined && findCacheRoot(cwd) !== undefined
}

/** Whether every media reference still resolves to what it did. */
export function sameMedia(reads: MediaRead[], readMedia: ReadMedia): boolean {
  return reads.every((read) => fingerprint(readMedia(read.lecture, read.reference)) === read.found)
}

/** The record of the last build of this invocation, if it is one of this deckc. */
export async function readRecord(cache: BuildCache): Promise<BuildRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(cache.file, 'utf8')) as BuildRecord
    return record.format === recordFormat && record.build === buildId() && Array.isArray(record.lectures) ? record : undefined
  } catch {
    return undefined
  }
}

/** Keep a build's record (best effort: a failure only costs speed). */
export async function storeRecord(cache: BuildCache, record: Omit<BuildRecord, 'format' | 'build'>): Promise<void> {
  const full: BuildRecord = {format: recordFormat, build: buildId() ?? '', ...record}
  await writeAtomic(cache.file, new TextEncoder().encode(JSON.stringify(full)), unflushed).catch(() => undefined)
}

/** The media a lecture read in this build, each reference once. */
export function mediaOf(cache: BuildCache, lecture: string): MediaRead[] {
  const reads = cache.media.filter((read) => read.lecture === lecture)
  return [...new Map(reads.map((read) => [read.reference, read])).values()]
}

/** A file's messages in the form a record keeps. */
export function storedMessages(file: VFile): StoredMessage[] {
  return file.messages.map((message) => ({reason: message.reason, line: message.line ?? 1, column: message.column ?? 1, fatal: message.fatal === true, ruleId: message.ruleId}))
}

/** Stored messages back on a VFile. */
export function restoredFile(filePath: string, messages: StoredMessage[]): VFile {
  const file = new VFile({path: filePath})
  for (const message of messages) {
    const restored = file.message(message.reason, {place: {line: message.line, column: message.column}, ...(message.ruleId === undefined ? {} : {ruleId: message.ruleId}), source: 'deckc'})
    if (message.fatal) restored.fatal = true
  }
  return file
}

function fingerprint(result: MediaResult): string {
  return 'data' in result ? `data ${contentHash(result.data)}` : `error ${result.error.ruleId} ${result.error.reason}`
}

function buildId(): string | undefined {
  return typeof DECKC_BUILD_ID === 'string' ? DECKC_BUILD_ID : undefined
}

/** `node_modules/.cache/deckc` of the nearest folder at or above `cwd` that has `node_modules`. */
function findCacheRoot(cwd: string): string | undefined {
  for (let folder = cwd; ; folder = path.dirname(folder)) {
    if (existsSync(path.join(folder, 'node_modules'))) return path.join(folder, 'node_modules', '.cache', 'deckc')
    if (path.dirname(folder) === folder) return undefined
  }
}
