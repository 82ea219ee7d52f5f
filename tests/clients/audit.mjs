// The GraphQL-over-HTTP audit (graphql-http's serverAudits) against a live gateway:
//   TRUSTHUB_URL=http://127.0.0.1:8000/graphql TRUSTHUB_API_KEY=... node audit.mjs
// Exits 1 on any error or warning; prints every audit's result.
import { serverAudits } from "graphql-http";

const url = process.env.TRUSTHUB_URL ?? "http://127.0.0.1:8000/graphql";
const key = process.env.TRUSTHUB_API_KEY;
if (!key) {
  console.error("TRUSTHUB_API_KEY is required");
  process.exit(2);
}

// Every request carries the key, as a frontend's would.
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};

let failed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  if (result.status !== "ok") failed += 1;
  const detail = result.status === "ok" ? "" : ` — ${result.reason}`;
  console.log(`${result.status.padEnd(7)} ${audit.id} ${audit.name}${detail}`);
}
console.log(failed ? `${failed} audits not ok` : "all audits ok");
process.exit(failed ? 1 : 0);
