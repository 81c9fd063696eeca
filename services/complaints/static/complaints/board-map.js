/* Public board map: pins from the board's GeoJSON feed (no personal data), over the town boundary.
   Uses the vendored Leaflet loaded by complaints/_assets.html; tiles from OpenStreetMap. */
(function () {
  "use strict";
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value == null ? "" : String(value);
    return span.innerHTML;
  }

  function boardMap(el) {
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(map);
    var boundaryEl = document.getElementById("oss-boundary");
    var boundary = boundaryEl ? JSON.parse(boundaryEl.textContent) : null;
    if (boundary) {
      var outline = L.geoJSON(boundary, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.04 } }).addTo(map);
      map.fitBounds(outline.getBounds());
    } else {
      map.setView([13.75, 100.5], 6);
    }
    fetch(el.dataset.ossBoard, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var done = feature.properties.resolved;
            return L.circleMarker(latlng, { radius: 7, color: done ? "#1e8449" : "#c0392b", fillOpacity: 0.6 });
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties;
            layer.bindPopup(
              "<strong>" + text(p.icon) + " " + text(p.category) + "</strong><br>" + text(p.status_label) +
              (p.community ? " · " + text(p.community) : "") + "<br>" + text(p.age_days) + " " + text(el.dataset.days) +
              " · 👥 " + text(p.supporters) + " " + text(el.dataset.people) +
              '<br><a href="' + encodeURIComponent(p.id) + '/">' + text(el.dataset.more) + "</a>"
            );
          }
        }).addTo(map);
      })
      .catch(function () { /* the list below still works */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-oss-board]").forEach(boardMap);
  });
})();
