// Bundle the CLI and the library into build/ (one file each), so a cold start
// loads one module instead of hundreds. Runs on `npm ci` (prepare) and before tests.
import {readFileSync} from 'node:fs'
import {build} from 'esbuild'

const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

await build({
  entryPoints: {cli: 'src/cli/run.ts', index: 'src/index.ts'},
  outdir: 'build',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
  define: {DECKC_VERSION: JSON.stringify(version)},
  // sql.js is CommonJS: it calls require() for Node built-ins and reads __dirname.
  banner: {
    js: [
      "import {createRequire as __deckcRequire} from 'node:module'",
      "import {dirname as __deckcDirname} from 'node:path'",
      "import {fileURLToPath as __deckcPath} from 'node:url'",
      'const require = __deckcRequire(import.meta.url)',
      'const __filename = __deckcPath(import.meta.url)',
      'const __dirname = __deckcDirname(__filename)'
    ].join('; ')
  }
})
