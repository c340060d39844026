/**
 * zod for every boundary (card records, front matter, configuration, state
 * file) in its tree-shakable form, `zod/mini`: the classic API would bring
 * every locale into the bundle and cost start-up time. Modules import
 * `zod/mini` themselves and this module for its one effect: English messages.
 */
import {config} from 'zod/mini'
import en from 'zod/v4/locales/en.js'

config(en())
