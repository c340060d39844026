import {help, parseArguments} from './args.js'
import type {Environment} from './environment.js'
import {usageError} from './environment.js'

export type {Environment} from './environment.js'

/** Version printed by `--version`; replaced by the bundler with package.json's. */
declare const DECKC_VERSION: string | undefined
const version = typeof DECKC_VERSION === 'string' ? DECKC_VERSION : '0.0.0-dev'

/**
 * Run deckc with command-line arguments.
 *
 * @param argv
 *   Arguments after `deckc`.
 * @returns
 *   The exit code (see `--help`).
 */
export async function main(argv: string[], environment: Environment): Promise<number> {
  const invocation = parseArguments(argv)
  switch (invocation.command) {
    case 'help':
      environment.stdout(`${help}\n`)
      return 0
    case 'version':
      environment.stdout(`${version}\n`)
      return 0
    case 'usage-error':
      return usageError(environment, invocation.message)
    // Each command is loaded when it runs: a build does not pay for the preview server.
    case 'build':
      return invocation.watch ? (await import('./watch.js')).watch(invocation, environment) : (await import('./build.js')).build(invocation, environment)
    case 'check':
      return (await import('./build.js')).build(invocation, environment)
    case 'preview':
      return invocation.watch
        ? (await import('./preview-server.js')).previewServer(invocation, environment)
        : (await import('./preview.js')).preview(invocation, environment)
    case 'inspect':
      return (await import('./inspect.js')).inspect(invocation, environment)
    case 'lint':
      return (await import('./lint.js')).lintCommand(invocation, environment)
  }
}
