import type {VFile} from 'vfile'
import * as z from 'zod/mini'
import './schema.js'
import type {Located} from './types.js'
import {parseYaml} from './yaml.js'

/** An Anki tag: no white space; `::` separates levels. */
export const tag = z.string().check(z.regex(/^[^\s\u0000-\u001F]+$/u, 'a tag cannot contain spaces; use `-`, `_` or `::` instead'))

const frontMatter = z.strictObject({
  deck: z.optional(z.string().check(z.trim(), z.minLength(1, 'the deck name is empty'))),
  tags: z.optional(z.union([z.pipe(tag, z.transform((value) => [value])), z.array(tag)])),
  reverse: z.optional(z.boolean({error: 'expected `true` or `false`'})),
  description: z.optional(z.string())
})

/** The lecture options front matter sets. */
export type FrontMatter = z.output<typeof frontMatter>

/**
 * Read a lecture's YAML front matter: `deck` (overrides the title), `tags`,
 * `reverse` (every card also asked the other way round) and `description`
 * (Markdown shown in Anki's deck overview). Problems are `bad-front-matter`
 * errors at their line.
 *
 * @param source
 *   The text between the `---` fences, if any.
 */
export function readFrontMatter(source: Located<string> | undefined, file: VFile): FrontMatter {
  if (!source || source.value.trim() === '') return {}
  return parseYaml(source.value, frontMatter, {file, ruleId: 'bad-front-matter', start: source.position.start, keys: Object.keys(frontMatter.shape)}) ?? {}
}
