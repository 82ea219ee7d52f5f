// A trusthub client for a frontend: queries and mutations over HTTP, subscriptions over
// WebSocket (graphql-transport-ws), one normalised cache. docs/frontend.md shows this file
// verbatim and the tests in ../test import it, so the snippet cannot rot.
import { ApolloClient, HttpLink, InMemoryCache, split } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { isSubscriptionOperation } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";

/**
 * @param {object} options
 * @param {string} options.url  the gateway's GraphQL endpoint, e.g. "https://trust.example.com/graphql"
 * @param {string} options.apiKey  the account's API key, "th_…"
 * @param {typeof WebSocket} [options.webSocketImpl]  leave out in a browser; in node, the `ws` package
 */
export function createTrusthubClient({ url, apiKey, webSocketImpl }) {
  const authorization = `Bearer ${apiKey}`;
  const http = new HttpLink({ uri: url, headers: { Authorization: authorization } });
  const ws = new GraphQLWsLink(
    createClient({
      url: url.replace(/^http/, "ws"),
      // The key goes in the connection_init payload: browsers cannot set WebSocket headers.
      connectionParams: { Authorization: authorization },
      webSocketImpl,
    }),
  );
  const link = split(({ query }) => isSubscriptionOperation(query), ws, http);
  // Every object has a global `id` (its SID), so the default `__typename:id` keys normalise it.
  return new ApolloClient({ link, cache: new InMemoryCache() });
}
