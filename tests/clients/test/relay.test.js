// relay-compiler over the gateway's SDL: a @connection and @refetchable fragments must compile,
// which needs Relay-spec connections (PageInfo both ways) and refetchable Node objects.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { schemaPath } from "./env.js";

const here = fileURLToPath(new URL("..", import.meta.url));
const compiler = join(here, "node_modules", "relay-compiler", "cli.js");

test("relay-compiler compiles a @connection and @refetchable fragments", () => {
  // given the Relay sources and the schema in a scratch project (artifacts land there)
  const root = mkdtempSync(join(tmpdir(), "trusthub-relay-"));
  try {
    cpSync(join(here, "relay", "src"), join(root, "src"), { recursive: true });
    cpSync(schemaPath(), join(root, "schema.graphql"));
    const config = { src: "./src", schema: "./schema.graphql", language: "javascript" };
    writeFileSync(join(root, "relay.config.json"), JSON.stringify(config));
    // when relay-compiler runs once (no watchman)
    const run = spawnSync(process.execPath, [compiler], {
      cwd: root, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" },
    });
    // then it succeeds and wrote the pagination and refetch queries
    assert.equal(run.status, 0, `relay-compiler failed:\n${run.stdout}\n${run.stderr}`);
    for (const artifact of ["ProfileListPaginationQuery", "ProfileCardRefetchQuery", "ProfilesPageQuery"]) {
      assert.ok(existsSync(join(root, "src", "__generated__", `${artifact}.graphql.js`)), artifact);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
