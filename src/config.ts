import type {VFile} from 'vfile'
import {z} from 'zod'
import {parseYaml} from './yaml.js'

const config = z.strictObject({
  /** The notes folders built when no PATHS are given (default `notes`). */
  notes: z.union([z.string().min(1).transform((value) => [value]), z.array(z.string().min(1)).min(1)]).optional(),
  /** The output folder when `--out` is not given (default `dist`). */
  out: z.string().min(1).optional(),
  /** Display names of folders below a notes root, by path: `{"systems-for-ml": "Systems for ML"}`. */
  folders: z.record(z.string().min(1), z.string().trim().min(1, 'a folder display name cannot be empty')).optional(),
  /** Name of the package holding every deck (as `--bundle NAME`). */
  bundle: z.string().regex(/^[^/\\]+$/, 'a file name without folders').optional()
})

/** The project configuration, `deckc.config.json`. */
export type Config = z.output<typeof config>

/** The name of the configuration file, looked for in the working directory. */
export const configFileName = 'deckc.config.json'

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
