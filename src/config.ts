import type {VFile} from 'vfile'
import * as z from 'zod/mini'
import {limitsSchema} from './limits.js'
import './schema.js'
import {parseYaml} from './yaml.js'

const config = z.strictObject({
  /** The notes folders built when no PATHS are given (default `notes`). */
  notes: z.optional(z.union([z.pipe(z.string().check(z.minLength(1)), z.transform((value) => [value])), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))])),
  /** The output folder when `--out` is not given (default `dist`). */
  out: z.optional(z.string().check(z.minLength(1))),
  /** Display names of folders below a notes root, by path: `{"systems-for-ml": "Systems for ML"}`. */
  folders: z.optional(z.record(z.string().check(z.minLength(1)), z.string().check(z.trim(), z.minLength(1, 'a folder display name cannot be empty')))),
  /** Limits that protect the machine: `fileBytes`, `cards`, `cardCharacters`, `nesting`. */
  limits: z.optional(limitsSchema),
  /** Name of the package holding every deck (as `--bundle NAME`). */
  bundle: z.optional(z.string().check(z.regex(/^[^/\\]+$/, 'a file name without folders')))
})

/** The project configuration, `deckc.config.json`. */
export type Config = z.output<typeof config>

/**
 * Read `deckc.config.json`. Problems (invalid JSON, unknown keys, wrong types)
 * are `bad-config` errors at their line and column.
 *
 * @returns
 *   The configuration, or `undefined` when it has errors.
 */
export function readConfig(text: string, file: VFile): Config | undefined {
  return parseYaml(text, config, {file, ruleId: 'bad-config', keys: Object.keys(config.shape)})
}
