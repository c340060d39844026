// Bundle the CLI and the library into build/ (one file each), so a cold start
// loads one module instead of hundreds. Runs on `npm ci` (prepare) and before tests.
import {rmSync} from 'node:fs'
import {build} from 'esbuild'
import {nodeBundle} from './esbuild-options.js'

// Chunk names carry content hashes: chunks of an earlier bundle would pile up.
rmSync('build', {recursive: true, force: true})

await build({
  ...nodeBundle,
  entryPoints: {cli: 'src/cli/run.ts', index: 'src/index.ts'},
  outdir: 'build',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: true
})
