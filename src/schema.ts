/**
 * zod for every boundary (card records, front matter, configuration, state
 * file), in its tree-shakable form: the classic API would bring every locale
 * into the bundle and cost start-up time. Messages are English.
 */
import {en} from 'zod/locales'
import * as z from 'zod/mini'

z.config(en())

export {z}
