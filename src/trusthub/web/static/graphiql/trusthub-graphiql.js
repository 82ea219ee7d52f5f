// The key comes from the URL fragment (#key=…), which browsers never send to a server, or is
// asked for once; it is kept for this tab only and removed from the address bar.
(function () {
  "use strict";
  var STORE = "trusthub.apiKey";
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  var key = fragment.get("key") || window.sessionStorage.getItem(STORE);
  if (!key) {
    key = window.prompt("trusthub API key (sent as Authorization: Bearer <key>)") || "";
  }
  if (key) {
    window.sessionStorage.setItem(STORE, key);
  }
  if (fragment.has("key")) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  var httpUrl = window.location.origin + window.location.pathname;
  var wsUrl = httpUrl.replace(/^http/, "ws");
  var headers = key ? { Authorization: "Bearer " + key } : {};
  var wsClient = graphqlWs.createClient({ url: wsUrl, connectionParams: headers, lazy: true });
  var fetcher = GraphiQL.createFetcher({ url: httpUrl, headers: headers, wsClient: wsClient });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher: fetcher, shouldPersistHeaders: false })
  );
})();
