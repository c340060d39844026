import {randomBytes} from 'node:crypto'
import {mkdir, open, rename, rm} from 'node:fs/promises'
import path from 'node:path'

/**
 * Write a file atomically: into a temporary file in the same folder, flushed
 * to disk, then renamed over the target. Readers see the old file or the new
 * one, never a part; on failure the temporary file is removed and the old
 * file stays as it was.
 *
 * @param target
 *   Absolute path of the file to write; missing folders are created.
 * @param data
 *   The new contents.
 */
export async function writeAtomic(target: string, data: Uint8Array): Promise<void> {
  await mkdir(path.dirname(target), {recursive: true})
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temporary, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temporary, target)
  } catch (error) {
    await rm(temporary, {force: true})
    throw error
  }
}
