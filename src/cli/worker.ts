/**
 * A worker thread of the pool (pool.ts): parses lectures, keeps their cards,
 * and later makes each kept lecture's collection from the identities the main
 * thread gives its cards, and packs it. Only what matching and identity read
 * of the cards, and the packages, cross between threads. Tasks run one at a
 * time, in the order they arrive.
 */
import {deserialize, serialize} from 'node:v8'
import {parentPort, workerData} from 'node:worker_threads'
import {pack} from '../anki/pack.js'
import {collect} from '../collect.js'
import {loadEngine} from '../engine.js'
import {identitiesFrom, notesOf} from '../identify.js'
import type {NoteCard} from '../identify.js'
import {parseLecture, toHeld} from '../parse.js'
import type {ParsedLecture} from '../parse.js'
import type {MediaFile} from '../types.js'
import {recordMedia} from './build-cache.js'
import {mediaReader} from './media-reader.js'
import type {KeptCards, Results, Task} from './pool.js'
import {openShelf} from './shelf.js'
import type {Shelf} from './shelf.js'

const port = parentPort
if (!port) throw new Error('deckc: the worker script runs in a worker thread')
const {number} = workerData as {number: number}

/** The cards of each lecture parsed here and not packed yet, by path, with what their notes take from the lecture. */
const kept = new Map<string, Kept>()

interface Kept {
  /** The cards' columns as bytes (read again from the shelf on each call, when set aside). */
  bytes: () => Uint8Array
  tags: string[]
  reverse: boolean
}

/** What is kept of a lecture's cards, a column a property (a few large objects to copy, rather than several a card). */
interface Columns {
  cloze: Array<number[] | undefined>
  front: string[]
  back: string[]
  reverse: boolean[]
  line: number[]
  media: MediaFile[]
}

/** Where cards are set aside in builds that spill (made with the first such lecture). */
let shelf: Shelf | undefined

// Tasks run one at a time, in the order they came (a package is made whole before the next); each
// answer carries its task's number.
let turn = Promise.resolve()
port.on('message', ({id, task}: {id: number; task: Task}) => {
  turn = turn.then(() =>
    answer(task).then(
      (result) => port.postMessage({id, result}, transferable(result)),
      (error: Error) => port.postMessage({id, error: error.stack ?? String(error)})
    )
  )
})

/**
 * A package's bytes, or cards given up, are handed over rather than copied
 * (a megabyte for a thousand cards, of no more use here), when they fill
 * their buffer (as `storedZip` makes a package).
 */
function transferable(result: Results[Task['kind']]): ArrayBuffer[] {
  const bytes = 'bytes' in result ? result.bytes : 'kept' in result ? result.kept.bytes : undefined
  if (!bytes) return []
  const {buffer, byteOffset, byteLength} = bytes
  return buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength ? [buffer] : []
}

async function answer(task: Task): Promise<Results[Task['kind']]> {
  if (task.kind === 'give') return {kept: take(task.path)}
  if (task.kind === 'pack') {
    const {bytes, tags, reverse} = task.kept ?? take(task.path)
    const {cards, media} = rows(deserialize(bytes) as Columns)
    const collection = collect(task.deck, notesOf(cards, identitiesFrom(task.identities), {tags, reverse, path: task.path}), media)
    return {bytes: await pack(collection), collection: task.collection ? collection : undefined}
  }
  await loadEngine()
  const media = recordMedia(mediaReader(new Map(task.roots), task.cwd))
  const parsed = parseLecture(task.lecture, {...task.options, readMedia: media.readMedia})
  // A lecture with errors gets no package: its cards are not kept.
  if (!parsed.file.messages.some((message) => message.fatal)) kept.set(task.lecture.path, keep(parsed, task.spill))
  return {data: toHeld(parsed), media: media.reads, holder: number}
}

/** A lecture's kept cards, no longer kept here (read back from the shelf when set aside). */
function take(path: string): KeptCards {
  const lecture = kept.get(path)
  if (!lecture) throw new Error(`deckc: no parsed cards of ${path} in worker ${number}`)
  kept.delete(path)
  return {bytes: lecture.bytes(), tags: lecture.tags, reverse: lecture.reverse}
}

/**
 * What notes read of a parsed lecture's cards, as bytes in memory or set
 * aside in a temporary file below `spill`. Held as objects, the cards took
 * much more memory (100,000 cards: 527-571 MB peak against 440-463 MB as
 * bytes, no faster); kept as columns, they are copied to and from bytes in
 * less time than as cards.
 */
function keep({cards, tags, reverse}: ParsedLecture, spill: string | undefined): Kept {
  const columns: Columns = {
    cloze: cards.map((card) => card.cloze),
    front: cards.map((card) => card.front),
    back: cards.map((card) => card.back),
    reverse: cards.map((card) => card.attributes.reverse),
    line: cards.map((card) => card.position.start.line),
    media: cards.flatMap((card) => card.media)
  }
  return {bytes: stored(serialize(columns), spill), tags, reverse}
}

/** The cards back from their columns. */
function rows({cloze, front, back, reverse, line, media}: Columns): {cards: NoteCard[]; media: MediaFile[]} {
  const cards = front.map((text, index): NoteCard => ({cloze: cloze[index], front: text, back: back[index] as string, attributes: {reverse: reverse[index] === true}, position: {start: {line: line[index] as number}}}))
  return {cards, media}
}

/**
 * Bytes kept, given back on each call. A function of its own: a closure that
 * keeps the bytes in memory shares its scope with the functions made beside
 * it, so kept in `keep`, set-aside bytes stayed in memory too.
 */
function stored(bytes: Uint8Array, spill: string | undefined): () => Uint8Array {
  if (spill === undefined) return () => bytes
  return (shelf ??= openShelf(spill)).put(bytes)
}
