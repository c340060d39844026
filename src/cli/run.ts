import process from 'node:process'
import {main} from './main.js'

// The process edge: real arguments, working directory, environment and streams.
process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text)
})
