/**
 * The zip container of a package, written directly: entries in the order
 * given, stored (not compressed), no data descriptors, no extra fields, the
 * earliest DOS date (1980-01-01 00:00) — the layout of §1.5 and §8.2, byte
 * for byte what JSZip writes for the same entries with `compression:
 * 'STORE'`, `platform: 'DOS'` (tests/anki/zip.test.ts compares the two).
 * JSZip costs a small build about 15 ms to load and run; this costs nothing.
 */
import {Buffer} from 'node:buffer'
import {crc32} from 'node:zlib'

/** One file of the zip. */
export interface ZipEntry {
  /** ASCII: packages name their entries `collection.anki2`, `media`, `0`, `1`, … */
  name: string
  data: Uint8Array
}

const localHeader = 0x04034b50
const centralHeader = 0x02014b50
const directoryEnd = 0x06054b50
/** Version needed to extract: 1.0, stored files. */
const versionNeeded = 10
/** Version made by: DOS, 2.0 (JSZip's `platform: 'DOS'`). */
const versionMadeBy = 0x0014
/** 1980-01-01 as a DOS date: (year − 1980) << 9 | month << 5 | day. */
const dosDate = (1 << 5) | 1

/**
 * The bytes of a stored zip of `entries`, in their order.
 *
 * @throws
 *   When a name is not ASCII or the zip would need Zip64 (65,535 entries or
 *   4 GiB), neither of which a package needs.
 */
export function storedZip(entries: ZipEntry[]): Uint8Array {
  if (entries.length > 0xffff) throw new Error(`zip: ${entries.length} entries need Zip64`)
  let size = 22
  for (const {name, data} of entries) {
    // A non-ASCII name would need the UTF-8 flag and a Unicode path field.
    if (!/^[\x20-\x7e]+$/.test(name)) throw new Error(`zip: entry name ${JSON.stringify(name)} is not ASCII`)
    size += 30 + name.length + data.length + 46 + name.length
  }
  if (size > 0xffffffff) throw new Error('zip: 4 GiB or more needs Zip64')

  const out = Buffer.alloc(size)
  const records: Array<{name: string; crc: number; size: number; offset: number}> = []
  let at = 0
  for (const {name, data} of entries) {
    const record = {name, crc: crc32(data), size: data.length, offset: at}
    records.push(record)
    at = out.writeUInt32LE(localHeader, at)
    at = writeHeader(out, at, record)
    at += out.write(name, at, 'latin1')
    out.set(data, at)
    at += data.length
  }
  const directory = at
  for (const record of records) {
    at = out.writeUInt32LE(centralHeader, at)
    at = out.writeUInt16LE(versionMadeBy, at)
    at = writeHeader(out, at, record)
    // Comment length, disk number, internal and external attributes (all 0), local header offset.
    at = out.writeUInt16LE(0, at)
    at = out.writeUInt16LE(0, at)
    at = out.writeUInt16LE(0, at)
    at = out.writeUInt32LE(0, at)
    at = out.writeUInt32LE(record.offset, at)
    at += out.write(record.name, at, 'latin1')
  }
  const end = at
  at = out.writeUInt32LE(directoryEnd, at)
  at = out.writeUInt16LE(0, at)
  at = out.writeUInt16LE(0, at)
  at = out.writeUInt16LE(records.length, at)
  at = out.writeUInt16LE(records.length, at)
  at = out.writeUInt32LE(end - directory, at)
  at = out.writeUInt32LE(directory, at)
  out.writeUInt16LE(0, at)
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** The fields local and central headers share, from "version needed" to "extra field length". */
function writeHeader(out: Buffer, at: number, record: {name: string; crc: number; size: number}): number {
  at = out.writeUInt16LE(versionNeeded, at)
  // Flags: none (no data descriptor, ASCII name); method 0, stored; time 00:00:00; date 1980-01-01.
  at = out.writeUInt16LE(0, at)
  at = out.writeUInt16LE(0, at)
  at = out.writeUInt16LE(0, at)
  at = out.writeUInt16LE(dosDate, at)
  at = out.writeUInt32LE(record.crc, at)
  at = out.writeUInt32LE(record.size, at)
  at = out.writeUInt32LE(record.size, at)
  at = out.writeUInt16LE(record.name.length, at)
  return out.writeUInt16LE(0, at)
}
