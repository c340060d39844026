import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {describePackage, QUEUE_NAMES} from '../anki/describe.js'
import type {PackageDescription} from '../anki/describe.js'
import {unpack} from '../anki/unpack.js'
import type {Invocation} from './args.js'
import type {Environment} from './environment.js'
import {usageError} from './environment.js'

type InspectInvocation = Extract<Invocation, {command: 'inspect'}>

/** Longest field text shown in the plain listing; `--json` has it whole. */
const MAX_FIELD_TEXT = 160

/**
 * `deckc inspect FILE.apkg [--json]`: list what a package holds — decks,
 * note types, notes, cards, media — in either format (legacy or
 * `collection.anki21b`), whoever wrote it.
 *
 * @returns 0 listed, 1 not a valid package (or unreadable), 2 usage error.
 */
export async function inspect(invocation: InspectInvocation, environment: Environment): Promise<number> {
  const absolute = path.resolve(environment.cwd, invocation.file)
  const info = await stat(absolute).catch(() => undefined)
  if (!info) return usageError(environment, `No such file: ${invocation.file}`)
  if (info.isDirectory()) return usageError(environment, `${invocation.file} is a folder; expected an .apkg file`)

  let description: PackageDescription
  try {
    description = describePackage(await unpack(await readFile(absolute), {newer: true}))
  } catch (error) {
    environment.stderr(`deckc: ${invocation.file}: not a valid Anki package: ${reason(error)}\n`)
    return 1
  }
  environment.stdout(invocation.json ? `${JSON.stringify({file: invocation.file, ...description}, null, 2)}\n` : listing(invocation.file, description))
  return 0
}

/** An error's message, starting lower-case unless it starts with an acronym ("SQLite"). */
export function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return /^[A-Z][a-z]/.test(message) ? message.charAt(0).toLowerCase() + message.slice(1) : message
}

/**
 * The plain listing: one block per part, columns aligned.
 *
 * @param file The package path as given.
 * @param description What the package holds.
 */
export function listing(file: string, description: PackageDescription): string {
  const {decks, notetypes, notes, cards, media} = description
  const deckName = new Map(decks.map((deck) => [deck.id, deck.name]))
  const notetypeName = new Map(notetypes.map((notetype) => [notetype.id, notetype.name]))
  const format =
    description.format === 'legacy'
      ? `legacy package (${description.collection}, schema ${description.schema ?? '?'})`
      : `newer package (${description.collection}: zstd, schema ${description.schema ?? '?'})`
  const lines = [`${file}: ${format}`]
  const heading = (title: string, count: number): void => {
    lines.push('', `${title} (${count})`)
  }

  heading('Decks', decks.length)
  lines.push(...table(decks.map((deck) => [String(deck.id), deck.name, plural(deck.cards, 'card')]), [false, false, true]))

  heading('Note types', notetypes.length)
  for (const notetype of notetypes) {
    lines.push(`  ${notetype.id}  ${notetype.name} (${notetype.kind})`)
    lines.push(`    fields: ${notetype.fields.join(', ') || 'none'}`)
    lines.push(`    templates: ${notetype.templates.map((template) => template.name).join(', ') || 'none'}`)
  }

  heading('Notes', notes.length)
  for (const note of notes) {
    const type = notetypeName.get(note.notetype) ?? `note type ${note.notetype} (missing)`
    lines.push(`  ${note.id}  ${type}  guid ${note.guid}  tags: ${note.tags.join(' ') || 'none'}`)
    for (const field of note.fields) lines.push(`    ${field.name}: ${shorten(field.text) || '(empty)'}`)
  }

  heading('Cards', cards.length)
  const rows = cards.map((card) => [
    String(card.id),
    String(card.note),
    deckName.get(card.deck) ?? `${card.deck} (missing)`,
    String(card.ord),
    String(card.due),
    QUEUE_NAMES[card.queue] ?? String(card.queue)
  ])
  if (rows.length > 0) lines.push(...table([['card', 'note', 'deck', 'ord', 'due', 'queue'], ...rows], [false, false, false, true, true, false]))

  const files = Object.entries(media)
  heading('Media', files.length)
  lines.push(...table(files.map(([name, size]) => [name, size === null ? 'missing' : bytes(size)]), [false, true]))

  if (description.notDecoded.length > 0) lines.push('', `Not decoded: ${description.notDecoded.join('; ')}`)
  if (description.problems.length > 0) lines.push('', 'Problems:', ...description.problems.map((problem) => `  ${problem}`))
  return `${lines.join('\n')}\n`
}

/** Rows as indented, space-aligned columns; `right[i]` right-aligns column i. */
function table(rows: string[][], right: boolean[]): string[] {
  const widths = right.map((_, column) => Math.max(0, ...rows.map((row) => (row[column] ?? '').length)))
  return rows.map(
    (row) =>
      '  ' +
      row
        .map((cell, column) => (right[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd()
  )
}

function shorten(text: string): string {
  return text.length > MAX_FIELD_TEXT ? `${text.slice(0, MAX_FIELD_TEXT - 1)}…` : text
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

function bytes(size: number): string {
  return size < 1000 ? `${size} B` : `${(size / 1000).toFixed(1)} kB`
}
