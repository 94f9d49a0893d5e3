// How wide the output may be: the terminal's width, or 80 columns when piped or written to a file
// (tickets, mail and pagers), so the same run pastes the same way everywhere.

export const PIPE_WIDTH = 80;
/** Narrower than this and the hanging indents leave no room for words. */
const MIN_WIDTH = 40;

export function outputWidth(stream: {isTTY?: boolean; columns?: number} = process.stdout): number {
  if (!stream.isTTY || !stream.columns) return PIPE_WIDTH;
  return Math.max(MIN_WIDTH, stream.columns);
}
