// The query editor: YASGUI pointed at this server's /sparql, with the ontology's prefixes and the canned queries.
// The page hands its settings over as JSON (#editor-config): endpoint, prefixes, canned queries.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const declarations = Object.entries(config.prefixes).map(([prefix, iri]) => `PREFIX ${prefix}: <${iri}>`);

  // Prefix completion from the project's own prefixes, instead of prefix.cc; no class or property lookups
  // at LOV either: the editor asks nothing of other servers.
  Yasqe.forkAutocompleter("prefixes", { name: "peerkg-prefixes", get: () => Promise.resolve(declarations.map((d) => d.slice(7))), persistenceId: null }, false);
  Yasqe.defaults.autocompleters = ["peerkg-prefixes", "variables"];

  // A bar chart of the first column that is a number, labelled by the first column that is not. YASGUI's own
  // plugins (table, response, boolean, error) have no chart.
  class BarChart {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = "Chart";
    }
    columns() {
      const bindings = this.yasr.results.getBindings() || [];
      const variables = this.yasr.results.getVariables() || [];
      const numeric = (v) => bindings.length > 0 && bindings.every((b) => b[v] && b[v].value !== "" && !isNaN(Number(b[v].value)));
      const value = variables.find(numeric);
      const label = variables.find((v) => v !== value && !numeric(v));
      return { bindings, value, label };
    }
    canHandleResults() {
      if (!this.yasr.results || !this.yasr.results.getBindings) return false;
      const { value, label } = this.columns();
      return Boolean(value && label);
    }
    getIcon() {
      const icon = document.createElement("span");
      icon.textContent = "▥";
      return icon;
    }
    draw() {
      const { bindings, value, label } = this.columns();
      const rows = bindings.slice(0, 200).map((b) => ({ text: b[label].value, n: Number(b[value].value) }));
      const max = Math.max(1, ...rows.map((r) => r.n));
      const width = 720, bar = 18, labelWidth = 300, height = rows.length * (bar + 6) + 30;
      const ns = "http://www.w3.org/2000/svg";
      const svg = document.createElementNS(ns, "svg");
      svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      svg.setAttribute("width", width);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", `Bar chart of ?${value} by ?${label}`);
      svg.classList.add("peerkg-chart");
      const add = (name, attributes, text) => {
        const element = document.createElementNS(ns, name);
        Object.entries(attributes).forEach(([k, v]) => element.setAttribute(k, v));
        if (text !== undefined) element.textContent = text;
        svg.appendChild(element);
      };
      add("text", { x: 0, y: 14, "font-size": 13, "font-weight": "bold" }, `?${value} by ?${label}`);
      rows.forEach((row, i) => {
        const y = 24 + i * (bar + 6);
        const w = Math.max(1, (row.n / max) * (width - labelWidth - 60));
        const shown = row.text.length > 44 ? row.text.slice(0, 43) + "…" : row.text;
        add("text", { x: labelWidth - 8, y: y + 13, "font-size": 12, "text-anchor": "end" }, shown);
        add("rect", { x: labelWidth, y, width: w, height: bar, fill: "#1f5fa8" });
        add("text", { x: labelWidth + w + 6, y: y + 13, "font-size": 12 }, String(row.n));
      });
      this.yasr.resultsEl.appendChild(svg);
    }
  }
  Yasr.registerPlugin("chart", BarChart);

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }], keys: [] },
    persistenceId: "peerkg-editor",
    yasqe: { value: declarations.join("\n") + "\n\nSELECT * WHERE {\n  ?s ?p ?o\n}\nLIMIT 10\n" },
    yasr: { prefixes: config.prefixes, pluginOrder: ["table", "chart", "response"], defaultPlugin: "table" },
  });

  const byName = Object.fromEntries(config.queries.map((q) => [q.name, q]));
  function open(name) {
    const query = byName[name];
    if (!query) return;
    const tab = yasgui.addTab(true, { name: query.name, yasqe: { value: query.sparql }, requestConfig: { endpoint: config.endpoint } });
    return tab;
  }
  document.querySelectorAll("a[data-query]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      open(link.dataset.query);
      document.getElementById("yasgui").scrollIntoView();
    });
  });
  const asked = new URLSearchParams(window.location.search);
  if (asked.get("canned") && byName[asked.get("canned")]) open(asked.get("canned"));
  // /editor?query=… (the link on a /sparql results page): the query in a new tab of its own.
  else if (asked.get("query")) yasgui.addTab(true, { name: "Query", yasqe: { value: asked.get("query") }, requestConfig: { endpoint: config.endpoint } });
  window.peerkgEditor = yasgui;
})();
