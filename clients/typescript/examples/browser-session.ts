import { COOKIE_MODE, createApiClient } from "@mdcreator/client";

let accessToken: string | undefined; // in memory only, never in localStorage
const api = createApiClient({
  baseUrl: "https://api.example.com",
  credentials: "include", // the browser stores and sends the API's HttpOnly cookies
  accessToken: () => accessToken, // sent as Authorization: Bearer
});

const login = await api.POST("/api/auth/login", {
  params: { header: COOKIE_MODE }, // the refresh token goes into a cookie, not the body
  body: { email: "ada@example.com", password: "correct-horse-battery" },
});
if (login.error) throw new Error(`login answered ${login.response.status}`);
accessToken = login.data.access_token;

const me = await api.GET("/api/auth/me");
console.log(me.data?.email);

// Before expires_in runs out, and after every page load: the cookie renews the pair.
const refreshed = await api.POST("/api/auth/refresh", { params: { header: COOKIE_MODE } });
accessToken = refreshed.data?.access_token;
