// Renders GraphiQL from the same-origin builds the page loaded before this file.
(function () {
  "use strict";
  var root = document.getElementById("graphiql");

  function explain(message) {
    root.textContent = "";
    var paragraph = document.createElement("p");
    paragraph.className = "graphiql-status";
    paragraph.textContent = message;
    root.appendChild(paragraph);
  }

  if (
    typeof window.React === "undefined" ||
    typeof window.ReactDOM === "undefined" ||
    typeof window.GraphiQL === "undefined"
  ) {
    explain(
      "GraphiQL's scripts did not load from this server. Run `make install` " +
        "(it vendors them into api/graphiql/static/vendor) and reload. " +
        "The API itself works: POST GraphQL requests to /graphql.",
    );
    return;
  }

  var url = window.location.origin + "/graphql";
  var subscriptionUrl = url.replace(/^http/, "ws");
  var fetcher = window.GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });
  var plugins = window.GraphiQLPluginExplorer
    ? [window.GraphiQLPluginExplorer.explorerPlugin()]
    : [];

  ReactDOM.createRoot(root).render(
    React.createElement(window.GraphiQL, {
      fetcher: fetcher,
      plugins: plugins,
      defaultQuery: window.APPEALS_EXAMPLES,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      // Bearer tokens stay out of localStorage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    }),
  );
})();
