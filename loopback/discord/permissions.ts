// Members get roughly what @everyone has on a fresh server; the bot gets every permission, so a
// test only meets the refusals it sets up itself.
export const DEFAULT_PERMISSIONS =
  (1n << 10n) | // View Channel
  (1n << 11n) | // Send Messages
  (1n << 38n) | // Send Messages in Threads
  (1n << 31n) | // Use Application Commands
  (1n << 16n); // Read Message History
export const ALL_PERMISSIONS = (1n << 50n) - 1n;
