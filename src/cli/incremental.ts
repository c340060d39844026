/**
 * Incremental builds: compile only the lectures that differ from the last
 * build's record (build-cache.ts) and keep the rest as that build left them.
 *
 * The result is the full build's, byte for byte, because of what the record's
 * key guarantees: the state files are exactly as the last build wrote them,
 * and every lecture whose bytes, media and package are unchanged is a fixed
 * point of that build (all its cards match their entries, none is new or
 * changed). A changed lecture then depends on the others only through the
 * note ids and guids they hold and through deck names; its earlier cards are
 * the state entries of its file. Where that is not enough to know — its deck
 * name changed, it had a duplicate deck, entries of a removed lecture share
 * its title, a bundle is written — this returns `undefined` and the build is
 * a full one.
 */
import {Buffer} from 'node:buffer'
import {assemble} from '../compile.js'
import type {CompiledDeck} from '../compile.js'
import {whenLoaded} from '../engine.js'
import {titleKey} from '../match.js'
import {configuredOptions, parseLecture} from '../parse.js'
import {findGuid, lineText, linesWith, sameParts, scanLock, splice} from '../lock-lines.js'
import type {Cut, LockLines, Span} from '../lock-lines.js'
import {entryLine, parseEntryLine} from '../state.js'
import type {StateEntry} from '../state.js'
import {contentHash, currentLectureStamp, deckKey, fileStamp, sameMedia} from './build-cache.js'
import type {BuildCache, BuildRecord, LectureRecord} from './build-cache.js'
import {fromStateFile, inStateFile} from './state-file.js'
import {stateRead} from './notes.js'
import type {GatheredNotes} from './notes.js'

/**
 * Each lecture of the build in order: compiled in this build (its deck made
 * on first call, in order: see `assembleInTurn`), or kept as the record has it.
 */
export type Step = {compiled: () => CompiledDeck} | {kept: LectureRecord}

export interface IncrementalBuild {
  steps: Step[]
  /** The new bytes of each state file that changes. */
  stateTexts: () => Map<string, Uint8Array | Uint8Array[]>
}

/** Where an incremental build stands. */
export interface IncrementalOptions {
  cache: BuildCache
  /** Absolute package path of each lecture, by `Lecture.path`. */
  packages: Map<string, string>
  /** Whether the build writes a bundle (it needs every deck). */
  bundle: boolean
  cwd: string
}

/**
 * Plan a build from the record of the last one: the lectures to compile
 * (compiled and assembled here) and the ones to keep.
 *
 * @returns
 *   The build, or `undefined` when it has to be a full one.
 */
export async function incremental(gathered: GatheredNotes, record: BuildRecord, {cache, packages, bundle, cwd}: IncrementalOptions): Promise<IncrementalBuild | undefined> {
  const previous = new Map(record.lectures.map((lecture) => [lecture.path, lecture]))
  if (previous.size !== gathered.lectures.length) return undefined
  const kept = new Map<string, LectureRecord>()
  // Every package's stamp at once: one after the other, they took 20-30 ms of a rebuild of 100 lectures (at once, about 10).
  const stamps = await Promise.all(gathered.lectures.map((lecture) => {
    const target = packages.get(lecture.path)
    return target === undefined ? undefined : fileStamp(target)
  }))
  const absolute = new Map(gathered.sources.map((source) => [source.display, source.absolute]))
  for (const [index, lecture] of gathered.lectures.entries()) {
    const old = previous.get(lecture.path)
    const stamp = stamps[index]
    if (!old || stamp === undefined) return undefined
    // A lecture file as the record knows it is not read: its bytes are the ones the record hashed.
    const known = old.source !== null && old.source === currentLectureStamp(absolute.get(lecture.path) as string)
    if (!known) await gathered.load?.(lecture)
    if ((known || old.hash === contentHash(lecture.value)) && old.output === stamp && sameMedia(old.media, gathered.readMedia)) {
      kept.set(lecture.path, known ? old : {...old, source: gathered.stamps.get(lecture.path) ?? null})
    }
  }
  const changed = gathered.lectures.filter((lecture) => !kept.has(lecture.path))
  if (changed.length === 0) return {steps: gathered.lectures.map((lecture) => ({kept: kept.get(lecture.path) as LectureRecord})), stateTexts: () => new Map()}
  if (bundle) return undefined
  for (const lecture of changed) await gathered.load?.(lecture)

  const options = {...configuredOptions(gathered.config), readMedia: cache.readMedia}
  const parsed = await whenLoaded(() => changed.map((lecture) => parseLecture(lecture, options)))
  const orphans = new Set(record.orphanTitles)
  for (const lecture of parsed) {
    const old = previous.get(lecture.lecture.path)
    if (!old || deckKey(lecture) !== old.deckKey || orphans.has(titleKey(lecture.title)) || old.messages.some((message) => message.ruleId === 'duplicate-deck')) return undefined
  }

  await stateRead(gathered)
  const lock = scanStateFiles(gathered, changed.map((lecture) => lecture.path), cwd)
  if (!lock) return undefined
  try {
    const decks = assemble(parsed, {clock: gathered.clock, state: {notetypes: {}, entries: lock.entries}, inUse: lock.inUse})
    const compiled = new Map(decks.map((deck) => [deck.lecture.path, deck]))
    const steps = gathered.lectures.map((lecture): Step => {
      const deck = compiled.get(lecture.path)
      return deck ? {compiled: () => deck} : {kept: kept.get(lecture.path) as LectureRecord}
    })
    const texts = lock.rewrite(decks)
    return {steps, stateTexts: () => texts}
  } catch (error) {
    if (error instanceof NotIncremental) return undefined
    throw error
  }
}



/**
 * What an incremental build needs from the state files, reading as little as
 * it can: the entries of the changed lectures (found by their file name),
 * and — only when new notes need ids or guids — the ids and guids of every
 * line. `undefined` when a file is missing.
 */
function scanStateFiles(gathered: GatheredNotes, changed: string[], cwd: string) {
  const entries: StateEntry[] = []
  const files: Array<{path: string; bytes: Buffer; lectures: Map<string, string>; spans: Map<string, Span>; index: () => LockLines | undefined}> = []
  const stateFileOf = new Map(gathered.sources.map((source) => [source.display, source.stateFile]))

  for (const source of gathered.stateSources) {
    if (!source.bytes) return undefined
    const bytes = Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength)
    // The changed lectures of this state file, by how their path is written in it.
    const toFile = inStateFile(source.path, cwd)
    const toCwd = fromStateFile(source.path, cwd)
    const lectures = new Map(changed.filter((lecture) => stateFileOf.get(lecture) === source.path).map((lecture) => [lecture, toFile(lecture)]))
    const spans = new Map<string, Span>()
    for (const inFile of lectures.values()) {
      for (const span of linesWith(bytes, `,"file":${JSON.stringify(inFile)},"deck":`)) {
        const entry = parseEntryLine(lineText(bytes, span))
        if (entry?.file !== inFile) continue
        entries.push({...entry, file: toCwd(entry.file)})
        spans.set(entry.guid, span)
      }
    }
    let index: LockLines | undefined | null = null
    files.push({path: source.path, bytes, lectures, spans, index: () => (index === null ? (index = scanLock(bytes)) : index)})
  }

  /** Every line's note id and guid, read on first need; a file not as deckc writes it ends the incremental build. */
  const indexed = () => {
    const locks = files.map((file) => file.index())
    if (locks.some((lock) => !lock)) throw new NotIncremental()
    return locks as LockLines[]
  }
  const inUse = {
    notes: () => {
      const locks = indexed()
      return locks.length === 1 ? (locks[0] as LockLines).notes : Float64Array.from(locks.flatMap((lock) => [...lock.notes]))
    },
    hasGuid: (guid: string) => indexed().some((lock) => findGuid(lock, guid).found)
  }

  /** The state files after the build: each compiled lecture's entries replace its old ones. */
  const rewrite = (decks: CompiledDeck[]): Map<string, Uint8Array | Uint8Array[]> => {
    const texts = new Map<string, Uint8Array | Uint8Array[]>()
    for (const file of files) {
      if (file.lectures.size === 0) continue
      const cuts: Cut[] = []
      const added: StateEntry[] = []
      for (const deck of decks) {
        const inFile = file.lectures.get(deck.lecture.path)
        if (inFile === undefined || !deck.entries) continue
        // A card whose line comes out as it was stays where it is: neither cut nor written anew.
        const same = new Set<string>()
        for (const entry of deck.entries) {
          const span = file.spans.get(entry.guid)
          if (span && lineText(file.bytes, span) === entryLine(entry, inFile)) same.add(entry.guid)
        }
        for (const entry of deck.replaced) {
          const span = file.spans.get(entry.guid)
          if (span && !same.has(entry.guid)) cuts.push({at: span.start, skip: span.end + 1 - span.start})
        }
        for (const entry of deck.entries) if (!same.has(entry.guid)) added.push({...entry, file: inFile})
      }
      // A new line goes where its guid sorts: in place of a line it replaces, else found in the index.
      added.sort((a, b) => (a.guid < b.guid ? -1 : a.guid > b.guid ? 1 : 0))
      for (const entry of added) {
        const span = file.spans.get(entry.guid)
        let at = span?.start
        if (at === undefined) {
          const lock = file.index()
          if (!lock) throw new NotIncremental()
          at = lock.starts[findGuid(lock, entry.guid).index] as number
        }
        cuts.push({at, skip: 0, insert: entryLine(entry)})
      }
      if (cuts.length === 0) continue
      const parts = splice(file.bytes, cuts)
      // A few parts are written as they are; many small ones (a lecture's lines are spread over
      // the file) as one buffer, as a write each would cost more than the copy.
      if (!sameParts(parts, file.bytes)) texts.set(file.path, parts.length > 64 ? Buffer.concat(parts) : parts)
    }
    return texts
  }

  return {entries, inUse, rewrite}
}

/** Thrown when a state file turns out not to be as deckc writes it: the build is a full one. */
class NotIncremental extends Error {}
