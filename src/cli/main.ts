import {help, parseArguments} from './args.js'
import {build} from './build.js'
import {watch} from './watch.js'
import {inspect} from './inspect.js'
import {lintCommand} from './lint.js'
import {preview} from './preview.js'
import {previewServer} from './preview-server.js'
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
    case 'build':
      return invocation.watch ? watch(invocation, environment) : build(invocation, environment)
    case 'check':
      return build(invocation, environment)
    case 'preview':
      return invocation.watch ? previewServer(invocation, environment) : preview(invocation, environment)
    case 'inspect':
      return inspect(invocation, environment)
    case 'lint':
      return lintCommand(invocation, environment)
  }
}
