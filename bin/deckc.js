#!/usr/bin/env node
// deckc's command-line entry: runs the bundle that `npm ci` builds (scripts/bundle.js).
import {existsSync} from 'node:fs'

const bundle = new URL('../build/cli.js', import.meta.url)
if (existsSync(bundle)) {
  await import(bundle.href)
} else {
  process.stderr.write("deckc: build/cli.js is missing; run 'npm ci' (or 'npm run prepare') in the deckc folder first\n")
  process.exitCode = 2
}
