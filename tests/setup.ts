// Tests compile through src/ directly (not the library entry), so they provide the Markdown engine as it does.
import {provideEngine} from '../src/engine.js'
import * as engine from '../src/rich.js'

provideEngine(engine)
