// What tests/e2e/test_js_clients.py hands to `node --test`: the live gateway and its accounts.
import WebSocket from "ws";
import { createTrusthubClient } from "../snippets/client.js";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these through tests/e2e/test_js_clients.py`);
  return value;
}

export const url = () => required("TRUSTHUB_URL");
export const apiKey = () => required("TRUSTHUB_API_KEY");
export const schemaPath = () => required("TRUSTHUB_SCHEMA");

/** The README's client, as a node program builds it (node 20 has no global WebSocket). */
export const client = () =>
  createTrusthubClient({ url: url(), apiKey: apiKey(), webSocketImpl: WebSocket });
