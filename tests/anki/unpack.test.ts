import JSZip from 'jszip'
import {beforeAll, describe, expect, test} from 'vitest'
import {pack} from '../../src/anki/pack.js'
import {unpack} from '../../src/anki/unpack.js'
import {fixture} from './fixture.js'

let database: Uint8Array

beforeAll(async () => {
  const zip = await JSZip.loadAsync(await pack(fixture()))
  database = (await zip.file('collection.anki2')?.async('uint8array')) ?? new Uint8Array()
})

async function zipOf(entries: Record<string, Uint8Array | string>): Promise<Uint8Array> {
  const zip = new JSZip()
  for (const [name, data] of Object.entries(entries)) zip.file(name, data)
  return zip.generateAsync({type: 'uint8array'})
}

describe('unpack errors', () => {
  test('not a zip', async () => {
    await expect(unpack(new TextEncoder().encode('<!doctype html><html>…</html>'))).rejects.toThrow(/^Not a zip archive/)
  })

  test('no collection', async () => {
    await expect(unpack(await zipOf({media: '{}'}))).rejects.toThrow(/^No collection/)
  })

  test('not a SQLite database', async () => {
    await expect(unpack(await zipOf({'collection.anki2': 'hello', media: '{}'}))).rejects.toThrow(
      /^Not a SQLite database: collection\.anki2/
    )
  })

  test('the newer zstd format, by meta or by entry', async () => {
    const message = /newer Anki format.*Support older Anki versions/
    const meta3 = {meta: new Uint8Array([0x08, 0x03]), 'collection.anki21b': 'zstd', 'collection.anki2': database}
    await expect(unpack(await zipOf(meta3))).rejects.toThrow(message)
    await expect(unpack(await zipOf({'collection.anki21b': 'zstd', media: '{}'}))).rejects.toThrow(message)
  })

  test('meta version 0 (e.g. an empty meta) is refused, as Anki does', async () => {
    await expect(unpack(await zipOf({meta: new Uint8Array(), 'collection.anki2': database}))).rejects.toThrow(
      /meta version 0/
    )
  })
})

describe('choosing the collection (§1.2)', () => {
  test('meta version 1 picks collection.anki2 even next to collection.anki21', async () => {
    const pkg = await unpack(
      await zipOf({meta: new Uint8Array([0x08, 0x01]), 'collection.anki21': 'x', 'collection.anki2': database})
    )
    expect([pkg.metaVersion, pkg.collectionEntry]).toEqual([1, 'collection.anki2'])
  })

  test('without meta, collection.anki21 wins', async () => {
    const pkg = await unpack(await zipOf({'collection.anki2': 'x', 'collection.anki21': database, media: '{}'}))
    expect(pkg.collectionEntry).toBe('collection.anki21')
    expect(pkg.notes).toHaveLength(3)
  })

  test('meta naming a missing entry fails', async () => {
    await expect(unpack(await zipOf({meta: new Uint8Array([0x08, 0x02]), 'collection.anki2': database}))).rejects.toThrow(
      /^No collection: .*collection\.anki21/
    )
  })
})

describe('reading', () => {
  test('a WAL-mode header is reported, and the file still read', async () => {
    const wal = Uint8Array.from(database)
    wal[18] = 2
    wal[19] = 2
    const pkg = await unpack(await zipOf({'collection.anki2': wal, media: '{}'}))
    expect([pkg.sqlite.writeVersion, pkg.sqlite.readVersion]).toEqual([2, 2])
    expect(pkg.notes).toHaveLength(3)
  })

  test('a malformed media map is data, not an exception', async () => {
    const pkg = await unpack(await zipOf({'collection.anki2': database, media: '{"0": '}))
    expect(pkg.mediaMap?.ok).toBe(false)
  })

  test('deflated entries are listed with method 8', async () => {
    const zip = new JSZip()
    zip.file('collection.anki2', database, {compression: 'DEFLATE'})
    zip.file('media', '{}')
    const pkg = await unpack(await zip.generateAsync({type: 'uint8array'}))
    expect(pkg.entries.map((entry) => [entry.name, entry.method])).toEqual([['collection.anki2', 8], ['media', 0]])
  })
})
