import {hash} from 'node:crypto'
import type {Image, Link, Nodes, Parents, Text} from 'mdast'
import {visit} from 'unist-util-visit'
import type {VFile} from 'vfile'
import type {MediaFile, Point} from './types.js'

/** What reading a referenced media file gave: its bytes, or why it cannot be used. */
export type MediaResult = {data: Uint8Array} | {error: {ruleId: 'missing-media' | 'unsafe-path' | 'too-large'; reason: string}}

/**
 * Reads a media file referenced from a lecture, e.g. `![](img/plot.png)`: the
 * edge of the pipeline that touches the disk. It must refuse paths that leave
 * the notes root (`unsafe-path`) before reading anything.
 *
 * @param lecture
 *   The referencing lecture's path, as in `Lecture.path`.
 * @param reference
 *   The percent-decoded path as written, relative to the lecture's folder.
 */
export type ReadMedia = (lecture: string, reference: string) => MediaResult

/** How media references of one field are resolved. */
export interface MediaContext {
  lecture: string
  read: ReadMedia | undefined
  file: VFile
  /** Map a point of the field's Markdown to the lecture file. */
  place: (point: Point) => Point
  /** Receives every media file the field uses. */
  files: MediaFile[]
}

const audio = new Set(['.mp3', '.ogg', '.oga', '.wav', '.m4a', '.flac'])
const scheme = /^[a-z][a-z\d+.-]*:/i

/**
 * Bundle the images and sounds a field references: each local `![alt](path)`
 * is read (through `read`) and renamed after its content (`img-<hash>.png`),
 * so equal names in two folders never clash; an audio file becomes
 * `[sound:…]`. Remote images stay links, with a `remote-media` warning.
 * Changes `tree` in place.
 */
export function resolveMedia(tree: Nodes, context: MediaContext): void {
  visit(tree, 'image', (node: Image, index, parent: Parents | undefined) => {
    if (parent === undefined || index === undefined) return
    const place = node.position ? context.place(node.position.start) : {line: 1, column: 1}
    const replace = (replacement: Image | Link | Text) => {
      parent.children.splice(index, 1, replacement as never)
    }

    if (scheme.test(node.url)) {
      if (/^https?:/i.test(node.url)) {
        context.file.message(`Remote image \`${node.url}\` is not bundled (no network at build time); kept as a link; expected a file next to the notes`, {
          place,
          ruleId: 'remote-media',
          source: 'deckc'
        })
        replace({type: 'link', url: node.url, children: [{type: 'text', value: node.alt || node.url}]})
      }
      // Other schemes (`data:`, `javascript:`) are left to the sanitizer, which removes them with a warning.
      return
    }

    const reference = decodePath(node.url.split(/[?#]/)[0] ?? '')
    const result = context.read ? context.read(context.lecture, reference) : {error: {ruleId: 'missing-media' as const, reason: 'Media files cannot be read in this build'}}
    if ('error' in result) {
      context.file.message(result.error.reason, {place, ruleId: result.error.ruleId, source: 'deckc'}).fatal = true
      return
    }
    const extension = extensionOf(reference)
    const isAudio = audio.has(extension)
    const name = `${isAudio ? 'snd' : 'img'}-${hash('sha256', result.data, 'hex').slice(0, 16)}${extension}`
    if (!context.files.some((media) => media.name === name)) context.files.push({name, data: result.data})
    replace(isAudio ? {type: 'text', value: `[sound:${name}]`} : {...node, url: name})
  })
}

/** `%20` and friends decoded; a malformed escape is kept as written. */
function decodePath(url: string): string {
  try {
    return decodeURIComponent(url)
  } catch {
    return url
  }
}

/** The extension, lower-cased and limited to safe characters (Anki media names must be plain). */
function extensionOf(reference: string): string {
  const match = /\.([a-z\d]{1,8})$/i.exec(reference)
  return match?.[1] ? `.${match[1].toLowerCase()}` : ''
}
