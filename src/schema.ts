/**
 * zod for every boundary (card records, front matter, configuration, state
 * file) in its tree-shakable form, `zod/mini`: the classic API would bring
 * every locale into the bundle and cost start-up time. Modules import
 * `zod/mini` themselves and this module for English messages and for
 * {@link compiledObject}.
 */
import {config, never} from 'zod/mini'
import type {core} from 'zod/mini'
import {$ZodObjectJIT} from 'zod/v4/core'
import en from 'zod/v4/locales/en.js'

// Named imports only: through the `core` namespace, the bundle would take all of zod (every
// locale, JSON Schema), 400 kB a cold start would load.
config(en())

/**
 * An object schema whose parser zod compiles into one function for its shape
 * on first use, as the classic API's `z.object` does (`zod/mini`'s objects
 * check key by key): for the records checked once per card or state line.
 * 100,000 card records: about 0.2 s instead of 0.7 s. Same results and
 * issues; with `strict`, unknown keys are an issue, as with `z.strictObject`.
 */
export function compiledObject<const Shape extends core.$ZodShape>(shape: Shape, strict = false): core.$ZodObject<Shape, core.$strip> {
  return new $ZodObjectJIT({type: 'object', shape, ...(strict ? {catchall: never()} : {})}) as core.$ZodObject<Shape, core.$strip>
}
