/**
 * Bytes set aside in a temporary file until they are asked for. A large full
 * build puts each lecture's parsed cards here between parsing and packing, so
 * that it holds one deck's cards at a time rather than the whole corpus's
 * (matching needs every lecture parsed before the first deck is made), and
 * each deck's new state entries until the state file is written.
 */
import {closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface Shelf {
  /** Write bytes to the file; the function reads them back (or those from `from` to `to`), on each call. */
  put: (bytes: Uint8Array) => (from?: number, to?: number) => Uint8Array
  /** Close and remove the file (its bytes can no longer be read). */
  close: () => void
}

/** A shelf in a fresh folder of `under` (default: the system's temporary folder), made when the first bytes are put. */
export function openShelf(under: string = os.tmpdir()): Shelf {
  let folder: string | undefined
  let fd: number | undefined
  let end = 0
  return {
    put(bytes) {
      if (fd === undefined) {
        folder = mkdtempSync(path.join(under, 'deckc-'))
        fd = openSync(path.join(folder, 'cards'), 'w+')
      }
      const start = end
      const {length} = bytes
      let written = 0
      while (written < length) written += writeSync(fd, bytes, written, length - written, start + written)
      end += length
      const file = fd
      // Only where they are is kept, not the bytes.
      return (from = 0, to = length) => {
        // Not a descriptor number that may since have been given to another file.
        if (fd !== file) throw new Error('deckc: the temporary file of parsed cards is closed')
        const read = new Uint8Array(Math.max(0, Math.min(to, length) - Math.max(0, from)))
        let done = 0
        while (done < read.length) {
          const count = readSync(file, read, done, read.length - done, start + Math.max(0, from) + done)
          if (count === 0) throw new Error('deckc: the temporary file of parsed cards is shorter than written')
          done += count
        }
        return read
      }
    },
    close() {
      if (fd !== undefined) closeSync(fd)
      if (folder !== undefined) rmSync(folder, {recursive: true, force: true})
      fd = undefined
      folder = undefined
    }
  }
}
