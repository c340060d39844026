// The shelf of a large build: parsed cards written to a temporary file and
// read back when their decks are made.
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {openShelf} from '../src/cli/shelf.js'

const before = process.env['TMPDIR']
const folders: string[] = []

/** A fresh folder made the system's temporary folder (where shelves go). */
function temporaryFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'deckc-shelf-test-'))
  folders.push(folder)
  process.env['TMPDIR'] = folder
  return folder
}

afterEach(() => {
  if (before === undefined) delete process.env['TMPDIR']
  else process.env['TMPDIR'] = before
  for (const folder of folders.splice(0)) rmSync(folder, {recursive: true, force: true})
})

describe('a shelf', () => {
  it('gives back each set of bytes as put, in any order and as often as asked, and removes its file', () => {
    const folder = temporaryFolder()
    const shelf = openShelf()
    const sets = [Uint8Array.from([1, 2, 3]), new Uint8Array(0), Uint8Array.from({length: 70_000}, (_, index) => index % 251), Uint8Array.from([255])]
    const taken = sets.map((bytes) => shelf.put(bytes))
    expect(readdirSync(folder)).toHaveLength(1)
    for (const index of [3, 0, 2, 1, 2, 0]) expect(taken[index]?.()).toEqual(sets[index])
    // A fresh copy each time: changing one does not change the next.
    const first = taken[0]?.() ?? new Uint8Array(0)
    first[0] = 9
    expect(taken[0]?.()).toEqual(sets[0])
    shelf.close()
    expect(readdirSync(folder)).toEqual([])
    expect(() => taken[0]?.()).toThrow()
  })

  it('makes no file until bytes are put, and can be closed twice', () => {
    const folder = temporaryFolder()
    const shelf = openShelf()
    shelf.close()
    shelf.close()
    expect(readdirSync(folder)).toEqual([])
  })
})
