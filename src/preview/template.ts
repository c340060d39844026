/**
 * The part of Anki's card template language deckc's note types use, so the
 * preview shows a card as Anki builds it: `{{Field}}`, `{{FrontSide}}`,
 * sections `{{#Field}}…{{/Field}}` and `{{^Field}}…{{/Field}}`, and the
 * filters `cloze:` and `text:` (ankitects/anki rslib/src/template.rs).
 */
import {renderCloze} from './cloze.js'
import type {Side} from './cloze.js'

/** A field reference, `{{filter:…:Name}}`. */
interface FieldTag {
  kind: 'field'
  name: string
  /** Filters in the order written (applied right to left). */
  filters: string[]
}

/** A conditional section. */
interface Section {
  kind: 'section'
  name: string
  /** `{{^Name}}`: shown when the field is empty. */
  negated: boolean
  children: Node[]
}

type Node = string | FieldTag | Section

/** What a template is rendered with. */
export interface TemplateContext {
  /** Field name → HTML value. */
  fields: ReadonlyMap<string, string>
  /** Which side is rendered: the cloze filter hides or shows the deletion. */
  side: Side
  /** The card's cloze number (ord + 1); used by `cloze:`. */
  cloze: number
  /** The rendered question, for `{{FrontSide}}` on the answer; `''` on the question. */
  frontSide: string
  /** Values of Anki's other special fields (`Tags`, `Deck`, `Subdeck`, `Card`, `Type`); optional. */
  special?: ReadonlyMap<string, string>
}

/** A field that Anki treats as empty: only whitespace, `<br>` and `<div>` tags. */
const EMPTY_FIELD = /^(?:[\t\n\v\f\r ]|<\/?(?:br|div) ?\/?>)*$/i

/**
 * Renders a card template.
 *
 * @param template A `qfmt` or `afmt`.
 * @param context The note's fields and the card.
 * @returns HTML. A template error (unbalanced section, unknown field) renders
 *   as a message in the card, where Anki shows its own.
 */
export function renderTemplate(template: string, context: TemplateContext): string {
  const nodes = parseTemplate(template)
  if (typeof nodes === 'string') return templateError(nodes)
  try {
    return renderNodes(nodes, context)
  } catch (error) {
    if (error instanceof TemplateError) return templateError(error.message)
    throw error
  }
}

/**
 * Whether Anki considers a field empty (for sections and card generation).
 *
 * @param html The field's value.
 */
export function isEmptyField(html: string): boolean {
  return EMPTY_FIELD.test(html)
}

class TemplateError extends Error {}

function templateError(message: string): string {
  return `<div class="deckc-template-error">Template error: ${escape(message)}</div>`
}

/** The template as a tree, or a message when its sections do not balance. */
function parseTemplate(template: string): Node[] | string {
  const root: Node[] = []
  const open: Section[] = []
  const current = (): Node[] => open.at(-1)?.children ?? root
  let position = 0
  for (const match of template.matchAll(/\{\{(.*?)\}\}/gs)) {
    if (match.index > position) current().push(template.slice(position, match.index))
    position = match.index + match[0].length
    const tag = (match[1] ?? '').trim()
    const sigil = tag.charAt(0)
    const name = tag.slice(1).trim()
    if (sigil === '#' || sigil === '^') {
      const section: Section = {kind: 'section', name, negated: sigil === '^', children: []}
      current().push(section)
      open.push(section)
    } else if (sigil === '/') {
      const section = open.pop()
      if (section?.name !== name) return `found {{/${name}}}, expected ${section ? `{{/${section.name}}}` : 'no closing tag'}`
    } else {
      const parts = tag.split(':')
      current().push({kind: 'field', name: (parts.pop() ?? '').trim(), filters: parts.map((part) => part.trim())})
    }
  }
  if (position < template.length) current().push(template.slice(position))
  const unclosed = open.at(-1)
  return unclosed ? `{{#${unclosed.name}}} is not closed` : root
}

function renderNodes(nodes: Node[], context: TemplateContext): string {
  return nodes
    .map((node) => {
      if (typeof node === 'string') return node
      if (node.kind === 'section') {
        const shown = isEmptyField(value(node.name, context)) === node.negated
        return shown ? renderNodes(node.children, context) : ''
      }
      return node.filters.reduceRight((text, filter) => applyFilter(filter, text, context), value(node.name, context))
    })
    .join('')
}

function value(name: string, context: TemplateContext): string {
  const field = context.fields.get(name)
  if (field !== undefined) return field
  if (name === 'FrontSide') return context.frontSide
  const special = context.special?.get(name)
  if (special !== undefined) return special
  throw new TemplateError(`found {{${name}}}, but the note type has no field called ${name}`)
}

/** `cloze:` and `text:`; Anki passes text through filters it does not know. */
function applyFilter(filter: string, text: string, context: TemplateContext): string {
  if (filter === 'cloze') return renderCloze(text, context.cloze, context.side)
  if (filter === 'text') return text.replace(/<[^>]*>/g, '')
  return text
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
