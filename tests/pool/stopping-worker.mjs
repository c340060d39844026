// A stand-in for a worker that stops without answering (as one whose script is missing does).
import {parentPort} from 'node:worker_threads'

parentPort.on('message', () => {
  process.exitCode = 2
  parentPort.close()
})
