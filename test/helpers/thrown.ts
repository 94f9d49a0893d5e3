// What a call threw, for tests that check the error itself (its line, detail, class).
import {ParseError} from '../../src/parsers/errors.js';

/** Whatever fn threw; fails the test when fn returns. */
export function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

/** The ParseError fn threw; fails the test when fn returns or throws anything else. */
export function parseErrorOf(fn: () => unknown): ParseError {
  const error = catchError(fn);
  if (error instanceof ParseError) return error;
  throw error;
}
