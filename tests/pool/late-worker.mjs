// A stand-in for worker.js: answers each task after the delay it asks for,
// so a later task can be answered first.
import {parentPort} from 'node:worker_threads'

parentPort.on('message', ({id, task}) => {
  setTimeout(() => parentPort.postMessage({id, result: {value: task.value}}), task.delay)
})
