/* One Stop Service maps: the filing pin (with the town boundary), the transparency and heat maps.
   Data comes from json_script blocks in the page; tiles from OpenStreetMap. */
(function () {
  "use strict";
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>';

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function rings(boundary) {
    if (!boundary) return [];
    if (boundary.type === "Polygon") return [boundary.coordinates[0]];
    if (boundary.type === "MultiPolygon") return boundary.coordinates.map(function (p) { return p[0]; });
    return [];
  }

  function inside(lon, lat, boundary) {
    var all = rings(boundary);
    if (!all.length) return true;
    return all.some(function (ring) {
      var hit = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) hit = !hit;
      }
      return hit;
    });
  }

  function baseMap(el, boundary) {
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION }).addTo(map);
    if (boundary) {
      var layer = L.geoJSON(boundary, { style: { color: "#c0392b", weight: 2, fillOpacity: 0.04 } }).addTo(map);
      map.fitBounds(layer.getBounds());
    } else {
      map.setView([13.75, 100.5], 6);
    }
    return map;
  }

  function pinMap(el) {
    var boundary = readJSON("oss-boundary");
    var lat = document.getElementById("id_latitude"), lon = document.getElementById("id_longitude");
    var note = document.getElementById("pin-message");
    var map = baseMap(el, boundary), marker = null;
    function place(latlng, fromUser) {
      if (!inside(latlng.lng, latlng.lat, boundary)) {
        note.textContent = el.dataset.outside;
        note.className = "error";
        if (fromUser) return;
      } else {
        note.textContent = el.dataset.ok;
        note.className = "muted";
      }
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { draggable: true }).addTo(map);
      marker.off("dragend").on("dragend", function () { place(marker.getLatLng(), true); });
    }
    if (lat.value && lon.value) place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)), false);
    // A draft kept on the phone put back in the form (drafts-page.js).
    el.addEventListener("oss:place", function (e) {
      var latlng = L.latLng(e.detail.lat, e.detail.lon);
      map.setView(latlng, 17);
      place(latlng, false);
    });
    photoSuggestion(function (latlng) {
      if (lat.value && lon.value) return;  // the reporter's own pin wins
      map.setView(latlng, 17);
      place(latlng, true);
      if (lat.value) note.textContent = el.dataset.fromPhoto || note.textContent;
    });
    map.on("click", function (e) { place(e.latlng, true); });
    var locate = document.getElementById("use-my-location");
    if (locate && navigator.geolocation) {
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (p) {
          var here = L.latLng(p.coords.latitude, p.coords.longitude);
          map.setView(here, 17); place(here, true);
        });
      });
    }
  }

  // Read the GPS position from a JPEG's EXIF block (the server strips it from the stored copy).
  function exifPosition(buffer) {
    var view = new DataView(buffer);
    if (view.byteLength < 4 || view.getUint16(0) !== 0xFFD8) return null;
    var offset = 2;
    while (offset + 4 < view.byteLength) {
      var marker = view.getUint16(offset), size = view.getUint16(offset + 2);
      if (marker === 0xFFE1 && view.getUint32(offset + 4) === 0x45786966) {
        var tiff = offset + 10, little = view.getUint16(tiff) === 0x4949;
        var u16 = function (at) { return view.getUint16(at, little); };
        var u32 = function (at) { return view.getUint32(at, little); };
        var entries = function (ifd) {
          var found = {}, count = u16(ifd);
          for (var i = 0; i < count; i++) {
            var entry = ifd + 2 + i * 12;
            found[u16(entry)] = entry;
          }
          return found;
        };
        var ifd0 = entries(tiff + u32(tiff + 4));
        if (!ifd0[0x8825]) return null;
        var gps = entries(tiff + u32(ifd0[0x8825] + 8));
        if (!gps[2] || !gps[4]) return null;
        var degrees = function (entry) {
          var at = tiff + u32(entry + 8), value = 0;
          for (var k = 0; k < 3; k++) value += (u32(at + k * 8) / (u32(at + k * 8 + 4) || 1)) / Math.pow(60, k);
          return value;
        };
        var latValue = degrees(gps[2]), lonValue = degrees(gps[4]);
        if (gps[1] && String.fromCharCode(view.getUint8(gps[1] + 8)) === "S") latValue = -latValue;
        if (gps[3] && String.fromCharCode(view.getUint8(gps[3] + 8)) === "W") lonValue = -lonValue;
        return isFinite(latValue) && isFinite(lonValue) ? L.latLng(latValue, lonValue) : null;
      }
      if ((marker & 0xFF00) !== 0xFF00) return null;
      offset += 2 + size;
    }
    return null;
  }

  function photoSuggestion(use) {
    var input = document.getElementById("id_photos");
    if (!input || !window.FileReader) return;
    input.addEventListener("change", function () {
      Array.prototype.slice.call(input.files || [], 0, 5).some(function (file) {
        if (!/jpe?g$/i.test(file.type)) return false;
        var reader = new FileReader();
        reader.onload = function () {
          try { var here = exifPosition(reader.result); if (here) use(here); } catch (e) { /* no usable EXIF */ }
        };
        reader.readAsArrayBuffer(file.slice(0, 256 * 1024));
        return true;
      });
    });
  }

  function pointsMap(el) {
    var map = baseMap(el, readJSON("oss-boundary"));
    (readJSON("oss-points") || []).forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 6, color: "#1e8449", fillOpacity: 0.6 })
        .bindTooltip((p.icon || "") + " " + p.category).addTo(map);
    });
  }

  function heatMap(el) {
    var map = baseMap(el, readJSON("oss-boundary"));
    var cells = readJSON("oss-heat") || [];
    var max = cells.reduce(function (m, c) { return Math.max(m, c[2]); }, 1);
    cells.forEach(function (c) {
      var w = c[2] / max;
      L.circle([c[0], c[1]], { radius: 60, stroke: false, fillColor: w > 0.66 ? "#c0392b" : w > 0.33 ? "#e67e22" : "#f1c40f",
                               fillOpacity: 0.25 + 0.5 * w }).bindTooltip(String(c[2])).addTo(map);
    });
  }

  function anonymousToggle() {
    var box = document.getElementById("id_is_anonymous");
    var fields = document.getElementById("reporter-fields");
    if (!box || !fields) return;
    function sync() { fields.hidden = box.checked; }
    box.addEventListener("change", sync); sync();
  }

  // Extra questions of the chosen category: only its fieldset is shown and submitted.
  function categoryQuestions() {
    var select = document.getElementById("id_category");
    if (!select) return;
    function sync() {
      document.querySelectorAll(".oss-attributes").forEach(function (fieldset) {
        var on = fieldset.dataset.category === select.value;
        fieldset.hidden = !on;
        fieldset.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !on; });
      });
    }
    select.addEventListener("change", sync); sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    categoryQuestions();
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-oss-map]").forEach(function (el) {
      var kind = el.dataset.ossMap;
      if (kind === "pin") pinMap(el); else if (kind === "heat") heatMap(el); else pointsMap(el);
    });
    anonymousToggle();
  });
})();
