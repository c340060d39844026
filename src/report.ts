import type {VFile} from 'vfile'

/**
 * Format the messages of files, one line each:
 * `path:line:column: error|warning: reason [rule-id]`, sorted by path, line
 * and column. Whole-file problems stand at `1:1`.
 *
 * @returns
 *   The lines joined with `\n`; an empty string when there is nothing to say.
 */
export function report(files: VFile[]): string {
  const rows = files.flatMap((file) =>
    file.messages.map((message) => ({
      path: file.path,
      line: message.line ?? 1,
      column: message.column ?? 1,
      text: `${file.path}:${message.line ?? 1}:${message.column ?? 1}: ${message.fatal ? 'error' : 'warning'}: ${message.reason}${message.ruleId ? ` [${message.ruleId}]` : ''}`
    }))
  )
  rows.sort((a, b) => compare(a.path, b.path) || a.line - b.line || a.column - b.column)
  return rows.map((row) => row.text).join('\n')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
