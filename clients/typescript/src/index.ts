// A typed client of the MD Creator API: openapi-fetch's createClient over the paths that
// openapi-typescript generates into schema.d.ts from functions/docs/openapi.json. Each
// call's path, method, parameters, body and answers are checked against that document:
//
//   const api = createApiClient({ baseUrl: "https://api.example.com" });
//   const { data, error } = await api.POST("/api/auth/login", { body: { email, password } });

import createClient, { type Client, type ClientOptions, type Middleware } from "openapi-fetch";

import type { components, operations, paths } from "./schema";

export type { components, operations, paths };
export type Schemas = components["schemas"];
export type ApiClient = Client<paths>;

/** The header parameter that asks for cookie mode: a token answer keeps the refresh (and
 * device) token in HttpOnly cookies, out of every script's reach. For a browser. */
export const COOKIE_MODE = { "X-Refresh-Token-Mode": "cookie" } as const;

export interface ApiClientOptions extends ClientOptions {
  /** The access token each request carries as `Authorization: Bearer`, read per request
   * (it changes at every login and refresh); none while it answers nothing. */
  accessToken?: () => string | null | undefined;
}

/** The client; a browser in cookie mode passes `credentials: "include"` too, since the API
 * is another origin and without it the browser neither stores nor sends its cookies. */
export function createApiClient({ accessToken, ...options }: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>(options);
  if (accessToken) client.use(bearer(accessToken));
  return client;
}

function bearer(accessToken: () => string | null | undefined): Middleware {
  return {
    onRequest({ request }) {
      const token = accessToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
}
