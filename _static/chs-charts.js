/* Upgrade each static SVG chart to an interactive vega-embed view when the Vega bundle loaded.
   With no JavaScript (or no bundle) the static SVG stays, so the page is never blank. */
(function () {
  "use strict";
  /* The page ships each dataset as {fields: [...], rows: [[...], ...]} (field names once);
     vega-embed wants one object per row. */
  function unpack(spec) {
    var datasets = spec.datasets || {};
    Object.keys(datasets).forEach(function (name) {
      var packed = datasets[name];
      if (!packed || !Array.isArray(packed.fields) || !Array.isArray(packed.rows)) { return; }
      datasets[name] = packed.rows.map(function (row) {
        var record = {};
        packed.fields.forEach(function (field, i) { record[field] = row[i]; });
        return record;
      });
    });
    return spec;
  }
  /* Maps name their geometry "chs-maps/<layer>.json": one file per layer in _static/maps/,
     shared by every page (found beside this script). */
  var script = document.querySelector("script[src*='chs-charts.js']");
  var mapsBase = script ? script.src.replace(/chs-charts\.js.*$/, "maps/") : "_static/maps/";
  /* Fetch each map layer's shared geometry first and put it inline, so that a file that
     cannot load (a page saved to disk) keeps the static map instead of an empty one. */
  var layers = {};
  function withGeometry(spec) {
    var pending = [];
    (function walk(obj) {
      if (Array.isArray(obj)) { obj.forEach(walk); return; }
      if (!obj || typeof obj !== "object") { return; }
      if (typeof obj.url === "string" && obj.url.indexOf("chs-maps/") === 0) {
        var node = obj;
        var url = mapsBase + obj.url.slice("chs-maps/".length);
        layers[url] = layers[url] || fetch(url).then(function (response) {
          if (!response.ok) { throw new Error(url + ": " + response.status); }
          return response.json();
        });
        pending.push(layers[url].then(function (collection) {
          delete node.url;
          delete node.format;
          node.values = collection.features;
        }));
        return;
      }
      Object.keys(obj).forEach(function (key) { walk(obj[key]); });
    })(spec);
    return Promise.all(pending).then(function () { return spec; });
  }
  function upgrade() {
    if (typeof window.vegaEmbed !== "function") { return; }
    var figures = document.querySelectorAll("figure.chs-chart");
    Array.prototype.forEach.call(figures, function (figure) {
      var holder = figure.querySelector(".chs-chart-static");
      var specNode = figure.querySelector("script.chs-chart-spec");
      if (!holder || !specNode || figure.dataset.embedded) { return; }
      var spec;
      try { spec = JSON.parse(specNode.textContent); } catch (err) {
        console.warn("chart kept static: its spec is not valid JSON", err);
        return;
      }
      var target = document.createElement("div");
      target.className = "chs-chart-live";
      /* large datasets are fetched from beside the page when the chart turns interactive */
      var lazy = spec.chs_lazy || {};
      delete spec.chs_lazy;
      Promise.all(Object.keys(lazy).map(function (name) {
        return fetch(lazy[name]).then(function (response) {
          if (!response.ok) { throw new Error(lazy[name] + ": " + response.status); }
          return response.json();
        }).then(function (rows) { spec.datasets[name] = rows; });
      }))
        .then(function () { return withGeometry(unpack(spec)); })
        .then(function (ready) {
          return window.vegaEmbed(target, ready, { renderer: "svg", actions: false });
        })
        .then(function () {
          holder.replaceWith(target);
          figure.dataset.embedded = "true";
        })
        .catch(function (err) {
          /* keep the static SVG; say why in the console for developers */
          console.warn("chart kept static:", err);
        });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", upgrade);
  } else {
    upgrade();
  }
})();
