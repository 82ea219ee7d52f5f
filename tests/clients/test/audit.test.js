// The GraphQL-over-HTTP audit suite (graphql-http's serverAudits) against the live gateway,
// with the account's key on every request: no error and no warning (MUST and SHOULD), in either
// media type. Notices (MAY) are reported, not failed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { serverAudits } from "graphql-http";
import { apiKey, url } from "./env.js";

test("the GraphQL-over-HTTP audit finds no error and no warning", async (t) => {
  // given a fetch that sends the account's key, as a frontend's would
  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${apiKey()}`);
    return fetch(input, { ...init, headers });
  };
  // when every audit runs
  const results = [];
  for (const audit of serverAudits({ url: url(), fetchFn })) {
    results.push({ name: audit.name, ...(await audit.fn()) });
  }
  // then none fails a MUST or a SHOULD
  const described = (r) => `${r.status.toUpperCase()} ${r.name}: ${r.reason}`;
  for (const notice of results.filter((r) => r.status === "notice")) t.diagnostic(described(notice));
  const failed = results.filter((r) => r.status === "error" || r.status === "warn").map(described);
  assert.ok(results.length > 0, "graphql-http ran no audit");
  assert.deepEqual(failed, [], `${failed.length} of ${results.length} audits failed`);
});
