/** A refusal the person who acted should read: shown ephemerally, never logged as a fault. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
