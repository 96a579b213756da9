/** Exit codes scripts can rely on. */
export const ExitCode = {
  Ok: 0,
  /** Something unexpected: a bug or an environment problem not covered below. */
  Failure: 1,
  /** The command line was wrong: unknown command, bad flag, bad input file. */
  Usage: 2,
  /** The network refused the transaction: not allowed, invalid arguments, replay, and so on. */
  Refused: 3,
  /** The network (peer, gateway) could not be reached or timed out. */
  Unreachable: 4,
  /** A thing asked for does not exist. */
  NotFound: 5,
} as const;

/** An error that knows its exit code and its one-line message for people. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code = 'ERROR',
  ) {
    super(message);
    this.name = 'CliError';
  }
}
