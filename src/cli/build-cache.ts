/**
 * The build cache, in `node_modules/.cache/deckc` (safe to delete).
 *
 * A build that ran to the end leaves behind exactly what the next build would
 * produce from the same notes: its packages and the state file it wrote. So
 * when a build finds the same lectures, media, configuration and state files
 * as that build left them, and its packages untouched, compiling again would
 * write the same bytes: it reprints the report instead (every card up to
 * date) and writes nothing. Anything else — one changed byte, a package
 * touched or removed, another deckc — is a full build.
 */
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {VFile} from 'vfile'
import type {MediaResult, ReadMedia} from '../media.js'
import type {GatheredNotes} from './notes.js'
import type {DeckOutcome} from './output.js'
import {writeAtomic} from './write.js'

/** Set by the bundler: a hash of deckc's sources and locked dependencies. */
declare const DECKC_BUILD_ID: string | undefined

/** Bumped when the record's layout changes. */
const recordFormat = 1

/** What a build reported, in the form the next identical build reprints. */
export interface BuildRecord {
  format: number
  build: string
  key: string
  /** Every media reference the build resolved, with a fingerprint of what it found. */
  media: MediaRead[]
  exitCode: number
  outcomes: DeckOutcome[]
  bundled: {output: string; bytes: number; decks: number} | undefined
  files: Array<{path: string; messages: StoredMessage[]}>
}

interface MediaRead {
  lecture: string
  reference: string
  found: string
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
  const media: MediaRead[] = []
  return {
    file: path.join(root, 'builds', `${name}.json`),
    media,
    readMedia: (lecture, reference) => {
      const result = readMedia(lecture, reference)
      media.push({lecture, reference, found: fingerprint(result)})
      return result
    }
  }
}

/**
 * The key of a build's inputs: deckc itself, the configuration, every
 * lecture's bytes, every state file's bytes, and the size, time and inode of
 * every package the build would write. The clock is left out on purpose:
 * with nothing changed since the last build, no card is new or changed, and
 * the clock is only ever the time of new and changed cards.
 */
export async function buildKey(gathered: GatheredNotes, outputs: string[]): Promise<string> {
  const hash = createHash('sha256')
  const add = (value: unknown) => hash.update(`${JSON.stringify(value)}\n`)
  add([recordFormat, buildId(), gathered.paths, gathered.configText ?? null])
  for (const source of gathered.sources) add([source.display, source.output, source.unsafe ?? null])
  for (const lecture of gathered.lectures) {
    add([lecture.path, lecture.relative ?? null])
    hash.update(lecture.value)
  }
  for (const file of gathered.failed) add([file.path, file.messages.map(String)])
  for (const source of gathered.stateSources) {
    add([source.path, source.bytes?.length ?? null, source.file.messages.map(String)])
    if (source.bytes) hash.update(source.bytes)
  }
  for (const output of outputs) {
    const info = await stat(output, {bigint: true}).catch(() => undefined)
    add([output, info ? [String(info.size), String(info.mtimeNs), String(info.ino)] : null])
  }
  return hash.digest('hex')
}

/** The record of the last build with this key, if every media file it read is still the same. */
export async function lookup(cache: BuildCache, key: string, readMedia: ReadMedia): Promise<BuildRecord | undefined> {
  let record: BuildRecord
  try {
    record = JSON.parse(await readFile(cache.file, 'utf8')) as BuildRecord
  } catch {
    return undefined
  }
  if (record.format !== recordFormat || record.build !== buildId() || record.key !== key || !Array.isArray(record.media)) return undefined
  for (const read of record.media) {
    if (fingerprint(readMedia(read.lecture, read.reference)) !== read.found) return undefined
  }
  return record
}

/** Keep this build's report for the next build with the same inputs (best effort: a failure only costs speed). */
export async function store(cache: BuildCache, record: Omit<BuildRecord, 'format' | 'build' | 'media'>): Promise<void> {
  const media = [...new Map(cache.media.map((read) => [`${read.lecture}\u0000${read.reference}`, read])).values()]
  const full: BuildRecord = {format: recordFormat, build: buildId() ?? '', ...record, media}
  await writeAtomic(cache.file, new TextEncoder().encode(JSON.stringify(full))).catch(() => undefined)
}

/** A file's messages in the form `store` keeps. */
export function storedFile(file: VFile): {path: string; messages: StoredMessage[]} {
  return {
    path: file.path,
    messages: file.messages.map((message) => ({reason: message.reason, line: message.line ?? 1, column: message.column ?? 1, fatal: message.fatal === true, ruleId: message.ruleId}))
  }
}

/** A stored file back as a VFile with its messages. */
export function restoredFile(stored: {path: string; messages: StoredMessage[]}): VFile {
  const file = new VFile({path: stored.path})
  for (const message of stored.messages) {
    const restored = file.message(message.reason, {place: {line: message.line, column: message.column}, ...(message.ruleId === undefined ? {} : {ruleId: message.ruleId}), source: 'deckc'})
    if (message.fatal) restored.fatal = true
  }
  return file
}

function fingerprint(result: MediaResult): string {
  return 'data' in result ? `data ${createHash('sha256').update(result.data).digest('hex')}` : `error ${result.error.ruleId} ${result.error.reason}`
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
