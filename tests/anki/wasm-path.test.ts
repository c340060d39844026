/**
 * sql.js initialises once per process, so the wasm override gets a test file
 * (and therefore a process) of its own.
 */
import {createRequire} from 'node:module'
import {pathToFileURL} from 'node:url'
import {expect, test} from 'vitest'
import {lint} from '../../src/anki/lint.js'
import {pack, setSqlWasmPath} from '../../src/anki/pack.js'
import {unpack} from '../../src/anki/unpack.js'
import {fixture} from './fixture.js'

test('the wasm path override is used, a bad one can be corrected, and it is fixed once loaded', async () => {
  setSqlWasmPath('/nonexistent/deckc/sql-wasm.wasm')
  await expect(pack(fixture())).rejects.toThrow(/ENOENT.*nonexistent\/deckc\/sql-wasm\.wasm/)
  setSqlWasmPath(pathToFileURL(createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm')))
  expect(lint(await unpack(await pack(fixture())))).toEqual([])
  expect(() => setSqlWasmPath(undefined)).toThrow(/already loaded/)
})
