// Pin the site on a map inside the town's boundary. Works without the map too: the latitude and
// longitude inputs stay editable and "use my location" fills them from the phone's GPS.
(function () {
  "use strict";
  var box = document.getElementById("site-map");
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var locate = document.getElementById("use-my-location");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lon.value = pos.coords.longitude.toFixed(6);
        lat.dispatchEvent(new Event("change"));
      });
    });
  }
  if (!box || typeof L === "undefined") { return; }
  var boundary = JSON.parse(box.dataset.boundary || "null");
  var tiles = box.dataset.tiles;
  var map = L.map(box);
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  }
  var area = boundary ? L.geoJSON(boundary, { style: { color: "#0b5394", weight: 2, fillOpacity: 0.05 } }).addTo(map) : null;
  if (area) { map.fitBounds(area.getBounds()); } else { map.setView([13.75, 100.5], 6); }
  var marker = null;
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.marker(latlng).addTo(map); }
  }
  if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)]); }
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
  [lat, lon].forEach(function (input) {
    input.addEventListener("change", function () {
      if (lat.value && lon.value) { place([parseFloat(lat.value), parseFloat(lon.value)]); }
    });
  });
})();
