/**
 * A worker thread of the pool (pool.ts): parses lectures and packs packages
 * as the main thread would. A task starts when it arrives; one that waits
 * (packing zips asynchronously) lets the next run, so answers can come back
 * out of order.
 */
import {parentPort} from 'node:worker_threads'
import {pack} from '../anki/pack.js'
import {loadEngine} from '../engine.js'
import {parseLecture, toHeld} from '../parse.js'
import {recordMedia} from './build-cache.js'
import {mediaReader} from './media-reader.js'
import type {Results, Task} from './pool.js'

const port = parentPort
if (!port) throw new Error('deckc: worker.js runs as a worker thread')

// Each answer carries its task's number.
port.on('message', ({id, task}: {id: number; task: Task}) => {
  answer(task).then(
    (result) => port.postMessage({id, result}),
    (error: Error) => port.postMessage({id, error: error.stack ?? String(error)})
  )
})

async function answer(task: Task): Promise<Results[Task['kind']]> {
  if (task.kind === 'pack') return {bytes: await pack(task.collection)}
  await loadEngine()
  const media = recordMedia(mediaReader(new Map(task.roots), task.cwd))
  // The cards go back as bytes, made into objects only when their deck is (HeldLecture).
  return {data: toHeld(parseLecture(task.lecture, {...task.options, readMedia: media.readMedia})), media: media.reads}
}
