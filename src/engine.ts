/**
 * The Markdown engine — remark, hast, highlighting and YAML — is only needed
 * when a lecture has more than plain lines (see plain.ts) or has front
 * matter. It is most of deckc's code, so the CLI loads it on first need
 * (`loadEngine`) instead of at start-up; the library entry provides it at
 * once. Until it is provided, `engine()` throws `EngineNotLoaded`, and the
 * caller loads it and compiles again.
 */
import type * as Engine from './rich.js'

export type {Engine}

let provided: typeof Engine | undefined

/** Thrown by `engine()` when a lecture needs the engine before it was provided. */
export class EngineNotLoaded extends Error {
  constructor() {
    super('deckc: the Markdown engine is not loaded (call loadEngine() before compile)')
  }
}

/** The engine, or `EngineNotLoaded`. */
export function engine(): typeof Engine {
  if (!provided) throw new EngineNotLoaded()
  return provided
}

/** Provide the engine (the library entry does this with a static import). */
export function provideEngine(value: typeof Engine): void {
  provided = value
}

/** Load and provide the engine (a separate chunk of the bundle). */
export async function loadEngine(): Promise<void> {
  provided ??= await import('./rich.js')
}

/**
 * Run `compile` (or anything that renders) without the engine while every
 * line is plain; when something needs it, load it and run again from the
 * start (the first run's results are dropped).
 */
export async function whenLoaded<T>(run: () => T): Promise<T> {
  if (!provided) {
    try {
      return run()
    } catch (error) {
      if (!(error instanceof EngineNotLoaded)) throw error
    }
    await loadEngine()
  }
  return run()
}
