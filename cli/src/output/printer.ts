/** Writes a command's result: JSON for scripts (--json), readable text for people. */
export class Printer {
  constructor(private readonly json: () => boolean, private readonly write: (s: string) => void = (s) => process.stdout.write(s)) {}

  result(value: unknown, human: () => string): void {
    this.write(this.json() ? `${JSON.stringify(value)}\n` : `${human()}\n`);
  }
}
