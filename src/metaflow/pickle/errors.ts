/** The only error the pickle decoder throws: the bytes are not a pickle it can read safely. */
export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}
