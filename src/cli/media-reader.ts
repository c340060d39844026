import {readFileSync, realpathSync, statSync} from 'node:fs'
import path from 'node:path'
import type {MediaResult, ReadMedia} from '../media.js'
import {display} from './files.js'

/** Media files larger than this are a `too-large` error. */
export const defaultMediaLimit = 10_000_000

/**
 * A media reader for lectures on disk. A reference is resolved against the
 * lecture's folder and must stay inside the lecture's notes root, both as
 * written (`../`, absolute paths) and after following symbolic links; only
 * then is the file read.
 *
 * @param roots
 *   The notes root (absolute folder) of each lecture, by `Lecture.path`.
 */
export function mediaReader(roots: Map<string, string>, cwd: string, limit = defaultMediaLimit): ReadMedia {
  return (lecture, reference): MediaResult => {
    const root = roots.get(lecture)
    if (root === undefined) return {error: {ruleId: 'missing-media', reason: `No notes root is known for ${lecture}`}}
    if (path.isAbsolute(reference) || /^[a-z]:[\\/]/i.test(reference)) {
      return {error: {ruleId: 'unsafe-path', reason: `Media path \`${reference}\` is absolute; expected a path relative to the lecture, inside ${display(cwd, root)}`}}
    }
    const target = path.resolve(cwd, path.dirname(lecture), reference)
    if (!inside(root, target)) {
      return {error: {ruleId: 'unsafe-path', reason: `Media path \`${reference}\` leads outside the notes folder; expected a file inside ${display(cwd, root)}`}}
    }
    let real: string
    try {
      real = realpathSync(target)
    } catch {
      return {error: {ruleId: 'missing-media', reason: `Media file \`${reference}\` not found (looked for ${display(cwd, target)}); expected a file next to the notes`}}
    }
    if (!inside(realpathSync(root), real)) {
      return {error: {ruleId: 'unsafe-path', reason: `Media path \`${reference}\` is a symbolic link leading outside the notes folder; expected a file inside ${display(cwd, root)}`}}
    }
    const info = statSync(real)
    if (!info.isFile()) return {error: {ruleId: 'missing-media', reason: `Media path \`${reference}\` is not a file; expected an image or sound file`}}
    if (info.size > limit) {
      return {error: {ruleId: 'too-large', reason: `Media file \`${reference}\` is ${(info.size / 1e6).toFixed(1)} MB; expected at most ${(limit / 1e6).toFixed(1)} MB`}}
    }
    try {
      return {data: readFileSync(real)}
    } catch (error) {
      return {error: {ruleId: 'missing-media', reason: `Media file \`${reference}\` cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`}}
    }
  }
}

function inside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}
