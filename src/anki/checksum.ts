/**
 * Anki's note field cache: the stripped sort field (`notes.sfld`) and the
 * first-field checksum (`notes.csum`), computed the way Anki computes them
 * (anki-apkg-format.md §5.6; ankitects/anki rslib/src/text.rs, notes/mod.rs).
 */
import {hash} from 'node:crypto'
import {characterEntitiesHtml4} from 'character-entities-html4'

/**
 * Anki's `HTML_MEDIA_TAGS` (rslib/src/text.rs) finds a media tag and the file
 * name in its `src=`/`data=` attribute:
 *
 *     <\b(?:img|audio|video|object|source)\b
 *     (?:[^>]|"[^"]+?"|'[^']+?')+?          ← the attributes before src/data
 *     \b(?:src|data)\b=
 *     (?:"([^"]+?)"[^>]*>|'([^']+?)'[^>]*>|([^>]+?)(?:\x20[^>]*>|>))
 *
 * (Anki writes the bare name as `[^ >]+?`, but Rust's verbose mode ignores
 * whitespace even inside a class, rust-lang/regex#660, so it is `[^>]+?`.)
 * Run by a backtracking engine, the overlapping middle alternatives take time
 * exponential in the number of quoted attributes of a tag without `src`
 * (20 attributes: seconds). So the middle part is evaluated here instead, with
 * the same preference order (leave the loop, else one more `[^>]`, else a
 * quoted string), memoised by position; the fixed parts stay regular expressions.
 */
const MEDIA_TAG_START = /<\b(?:img|audio|video|object|source)\b/giu
const SOURCE_ATTRIBUTE = /\b(?:src|data)\b=/iuy
const FILE_NAME = /"([^"]+?)"[^>]*>|'([^']+?)'[^>]*>|([^>]+?)(?: [^>]*>|>)/suy

/** A media tag found by {@link replaceMediaTags}: where it ends and the file it names. */
interface MediaTag {
  end: number
  name: string
}

/** Replaces each media tag by ` name ` (Anki's `strip_html_preserving_media_filenames`, first step). */
function replaceMediaTags(html: string): string {
  let attributes: Array<MediaTag | undefined> | undefined
  let out = ''
  let position = 0
  for (;;) {
    MEDIA_TAG_START.lastIndex = position
    const start = MEDIA_TAG_START.exec(html)
    if (!start) return out + html.slice(position)
    attributes ??= tagEnds(html)
    const tag = afterTagName(html, start.index + start[0].length, attributes)
    out += html.slice(position, tag ? start.index : start.index + 1) + (tag ? ` ${tag.name} ` : '')
    position = tag ? tag.end : start.index + 1
  }
}

/** The first match of the attribute loop started right after a tag name (one iteration is required). */
function afterTagName(html: string, at: number, ends: Array<MediaTag | undefined>): MediaTag | undefined {
  return (html[at] !== undefined && html[at] !== '>' ? ends[at + 1] : undefined) ?? afterQuoted(html, at, ends)
}

/**
 * For every position p, the first match of "the attribute loop has reached p":
 * `src=…` right here, else one more non-`>` character, else a quoted string.
 * Each depends only on later positions, so one pass from the end computes all.
 */
function tagEnds(html: string): Array<MediaTag | undefined> {
  const ends = new Array<MediaTag | undefined>(html.length + 1).fill(undefined)
  const lastClose = html.lastIndexOf('>')
  for (let at = html.length - 1; at >= 0; at--) {
    // Every way of ending the tag needs a `>` further on.
    const here = at < lastClose ? sourceAttribute(html, at) : undefined
    ends[at] = here ?? (html[at] !== '>' ? ends[at + 1] : undefined) ?? afterQuoted(html, at, ends)
  }
  return ends
}

/** After a `"…"` or `'…'` (at least one character inside) starting at `at`. */
function afterQuoted(html: string, at: number, ends: Array<MediaTag | undefined>): MediaTag | undefined {
  const quote = html[at]
  if (quote !== '"' && quote !== "'") return undefined
  const close = html.indexOf(quote, at + 1)
  return close > at + 1 ? ends[close + 1] : undefined
}

/** `src=`/`data=` and the file name, starting exactly at `at`. */
function sourceAttribute(html: string, at: number): MediaTag | undefined {
  SOURCE_ATTRIBUTE.lastIndex = at
  if (!SOURCE_ATTRIBUTE.test(html)) return undefined
  FILE_NAME.lastIndex = SOURCE_ATTRIBUTE.lastIndex
  const name = FILE_NAME.exec(html)
  return name ? {end: FILE_NAME.lastIndex, name: name[1] ?? name[2] ?? name[3] ?? ''} : undefined
}

/** Comments, style and script elements with their content, then any tag (Anki's `HTML`). */
const HTML = /<!--.*?-->|<style.*?>.*?<\/style>|<script.*?>.*?<\/script>|<.*?>/gisu

/**
 * Removes HTML the way Anki does before computing `sfld` and `csum`: media
 * tags become ` name `, comments, `<style>` and `<script>` elements and every
 * other tag are deleted, then entities are decoded (only when the text has an
 * `&`, and NBSP then becomes a space). Nothing is trimmed.
 *
 * @param html A field value (HTML).
 * @returns The field as plain text.
 */
export function stripHtml(html: string): string {
  return decodeEntities(replaceMediaTags(html).replace(HTML, ''))
}

/**
 * The value Anki stores in `notes.sfld`: the sort field, stripped.
 *
 * @param html The value of the note type's sort field (`sortf`; field 0 for deckc).
 */
export function sortField(html: string): string {
  return stripHtml(html)
}

/**
 * The value Anki stores in `notes.csum`: the first 4 bytes of the SHA-1 of
 * the stripped first field, as an unsigned 32-bit integer.
 *
 * @param html The value of field 0 (always field 0, whatever `sortf` is).
 */
export function checksum(html: string): number {
  return hash('sha1', stripHtml(html), 'buffer').readUInt32BE(0)
}

/**
 * Anki decodes with the Rust `htmlescape` crate, which knows only the HTML 4
 * entity names, requires the `;`, and fails on the first malformed reference;
 * Anki then keeps the text exactly as it was (NBSPs included).
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text
  const decoded = decodeStrict(text)
  return decoded === undefined ? text : decoded.replaceAll('\u00A0', ' ')
}

/** Decodes every `&name;`, `&#123;` and `&#x7b;`, or returns `undefined` if any is malformed. */
function decodeStrict(text: string): string | undefined {
  let out = ''
  let from = 0
  for (;;) {
    const amp = text.indexOf('&', from)
    if (amp === -1) return out + text.slice(from)
    const semicolon = text.indexOf(';', amp + 1)
    if (semicolon === -1) return undefined
    const character = decodeReference(text.slice(amp + 1, semicolon))
    if (character === undefined) return undefined
    out += text.slice(from, amp) + character
    from = semicolon + 1
  }
}

/** The character for the text between `&` and `;`, if it is a valid reference. */
function decodeReference(reference: string): string | undefined {
  // `htmlescape` accepts a lowercase `x` only; hex digits in either case.
  const numeric = /^#(?:(\d+)|x([\dA-Fa-f]+))$/.exec(reference)
  if (numeric) {
    const code = numeric[1] === undefined ? Number.parseInt(numeric[2] ?? '', 16) : Number(numeric[1])
    const isScalar = code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
    return isScalar ? String.fromCodePoint(code) : undefined
  }
  return Object.hasOwn(characterEntitiesHtml4, reference) ? characterEntitiesHtml4[reference] : undefined
}
