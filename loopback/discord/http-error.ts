/** A Discord API error: the HTTP status and the JSON error code the REST client turns into a DiscordAPIError. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
