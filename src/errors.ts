// Errors the user can act on: bad flags, unreadable or hostile input. Commands print the
// message as one line and exit 2, never a stack trace.

export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
