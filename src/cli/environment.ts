/** Where a command reads and writes: the process, or a test's stand-in. */
export interface Environment {
  cwd: string
  env: Record<string, string | undefined>
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Whether stderr is a terminal: progress lines and colours (unless `NO_COLOR`) are shown. */
  terminal?: boolean
  /** Aborted when the user stops a long-running command (watch mode). */
  signal?: AbortSignal
}

/** Print a usage error; returns exit code 2. */
export function usageError(environment: Environment, message: string): number {
  environment.stderr(`deckc: ${message}\nRun 'deckc --help' for usage.\n`)
  return 2
}
