import process from 'node:process'
import {main} from './main.js'

let stop: AbortController | undefined

// A closed pipe (`deckc check | head`) ends output quietly instead of with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(process.exitCode ?? 0)
  })
}

// The process edge: real arguments, working directory, environment, streams and signals. (No
// top-level await: the bundle is a CommonJS script, see scripts/bundle.js.)
void main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  terminal: process.stderr.isTTY === true,
  // Only a command that asks for it (watch mode) turns Ctrl-C into a clean stop.
  get signal() {
    if (!stop) {
      const controller = new AbortController()
      for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => controller.abort())
      stop = controller
    }
    return stop.signal
  }
}).then((code) => {
  process.exitCode = code
})
