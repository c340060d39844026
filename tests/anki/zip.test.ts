// The package's zip container is written directly; it must be, byte for byte,
// what JSZip (the zip library of deckc's design) writes for the same entries
// as stored, DOS, dated 1980-01-01 — and read back by JSZip.
import fc from 'fast-check'
import JSZip from 'jszip'
import {describe, expect, test} from 'vitest'
import {storedZip} from '../../src/anki/zip.js'
import type {ZipEntry} from '../../src/anki/zip.js'

/** The zip JSZip writes for the entries, in their order. */
async function jszipBytes(entries: ZipEntry[]): Promise<Uint8Array> {
  const options = {date: new Date(Date.UTC(1980, 0, 1)), compression: 'STORE', createFolders: false, binary: true} as const
  const zip = new JSZip()
  for (const {name, data} of entries) zip.file(name, data, options)
  // JSZip enumerates integer-like names first; list them in the given order instead.
  zip.forEach = (callback) => {
    for (const {name} of entries) callback(name, zip.file(name) as JSZip.JSZipObject)
  }
  return zip.generateAsync({type: 'uint8array', compression: 'STORE', platform: 'DOS', streamFiles: false})
}

const name = fc.stringMatching(/^[\x20-\x7e]{1,12}$/)
const entries = fc.uniqueArray(fc.record({name, data: fc.uint8Array({maxLength: 300})}), {selector: (entry) => entry.name, maxLength: 6})

describe('the zip container', () => {
  test('is the zip JSZip writes, for any entries', async () => {
    await fc.assert(
      fc.asyncProperty(entries, async (given) => {
        expect(Buffer.from(storedZip(given)).equals(Buffer.from(await jszipBytes(given)))).toBe(true)
      }),
      {numRuns: 200}
    )
  })

  test('holds a package layout that JSZip reads back', async () => {
    const database = new Uint8Array(70_000).map((_, index) => (index * 7) % 256)
    const given = [
      {name: 'collection.anki2', data: database},
      {name: 'media', data: Buffer.from('{"0":"a.png","1":"b.mp3"}')},
      {name: '0', data: new Uint8Array([137, 80, 78, 71])},
      {name: '1', data: new Uint8Array([])}
    ]
    const bytes = storedZip(given)
    expect(Buffer.from(bytes).equals(Buffer.from(await jszipBytes(given)))).toBe(true)
    const zip = await JSZip.loadAsync(bytes)
    expect(Object.keys(zip.files).sort()).toEqual(['0', '1', 'collection.anki2', 'media'])
    expect(await zip.file('collection.anki2')?.async('uint8array')).toEqual(database)
    expect(await zip.file('media')?.async('string')).toBe('{"0":"a.png","1":"b.mp3"}')
  })

  test('refuses what would need more than a plain zip', () => {
    expect(() => storedZip([{name: 'média', data: new Uint8Array()}])).toThrow(/not ASCII/)
  })
})
