import type {Environment} from './environment.js'

/** Shows "compiling 12/100" on a terminal once a build has taken a second; silent elsewhere (CI logs). */
export interface Progress {
  update: (phase: string, done: number, total: number) => void
  /** Clear the progress line. */
  end: () => void
}

const delay = 1000

/** A progress line on stderr, only when it is a terminal. */
export function progress(environment: Environment): Progress {
  const start = Date.now()
  let shown = false
  let last = 0
  return {
    update(phase, done, total) {
      if (!environment.terminal) return
      const now = Date.now()
      // Redraw at most ten times a second.
      if (now - start < delay || (now - last < 100 && done < total)) return
      last = now
      shown = true
      environment.stderr(`\r\u001B[2K${phase} ${done}/${total}`)
    },
    end() {
      if (shown) environment.stderr('\r\u001B[2K')
      shown = false
    }
  }
}
