// The esbuild options every bundle of deckc's CLI shares (scripts/bundle.js, bench/profile.js).
import {createHash} from 'node:crypto'
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const {version} = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))

/**
 * Which deckc this is, for the build cache: a hash of the sources, the build
 * scripts and the locked dependencies (the version alone stays the same
 * across commits).
 */
function buildId() {
  const hash = createHash('sha256')
  const files = ['package.json', 'package-lock.json']
  for (const folder of ['src', 'scripts']) {
    for (const entry of readdirSync(path.join(root, folder), {recursive: true, withFileTypes: true})) {
      if (entry.isFile()) files.push(path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    }
  }
  for (const file of files.sort()) hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update('\0')
  return hash.digest('hex').slice(0, 32)
}

/** Node 20 ESM with the version compiled in, and what sql.js (CommonJS) expects: require() and __dirname. */
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  // jszip's own choice for bundles (its package.json "browser" field): Node's stream instead of a copy of it.
  alias: {'readable-stream': 'stream'},
  define: {DECKC_VERSION: JSON.stringify(version), DECKC_BUILD_ID: JSON.stringify(`${version}+${buildId()}`)},
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
}

/**
 * The CLI and its worker thread: each one CommonJS script, which bin/deckc.js
 * compiles with V8's code cache (scripts/code-cache.js); Node 20 has no code
 * cache for ES modules. `import.meta.url` is the script's own URL, as in a
 * module.
 */
export const cliBundle = {
  ...nodeBundle,
  format: 'cjs',
  define: {...nodeBundle.define, 'import.meta.url': '__deckcUrl'},
  banner: {js: "const __deckcUrl = require('node:url').pathToFileURL(__filename).href;"}
}
