import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';

/**
 * Every bearer-token check: hono's bearerAuth (constant-time comparison), answering a missing,
 * malformed or wrong token alike with a JSON 401 that names the variable holding the token.
 */
export function requireBearerToken(token: string, variable: string): MiddlewareHandler {
  const refusal = {
    message: () =>
      Response.json(
        { error: `a bearer token is required: Authorization: Bearer <${variable}>` },
        { status: 401, headers: { 'cache-control': 'no-store' } },
      ),
  };
  return bearerAuth({ token, noAuthenticationHeader: refusal, invalidAuthenticationHeader: refusal, invalidToken: refusal });
}
