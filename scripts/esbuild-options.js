// The esbuild options every bundle of deckc's CLI shares (scripts/bundle.js, bench/profile.js).
import {readFileSync} from 'node:fs'

const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

/** Node 20 ESM with the version compiled in, and what sql.js (CommonJS) expects: require() and __dirname. */
export const nodeBundle = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  define: {DECKC_VERSION: JSON.stringify(version)},
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
