// A stand-in for the worker script (src/cli/worker.ts): answers each task after the delay it asks for,
// so a later task can be answered first, naming the worker that answered.
import {parentPort, workerData} from 'node:worker_threads'

parentPort.on('message', ({id, task}) => {
  setTimeout(() => parentPort.postMessage({id, result: {value: task.value, worker: workerData.number}}), task.delay)
})
