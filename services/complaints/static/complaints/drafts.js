// Complaint drafts kept on the phone (IndexedDB) until there is a connection, then filed once.
// Runs in the page and in the town's service worker (Background Sync); no DOM here. Each draft
// carries the key it was given when written: the server answers a second send of that key with the
// case the first became, so the page and the worker may both send without filing twice.
(function (scope) {
  "use strict";
  var DB_NAME = "thongthin-complaint-drafts";
  var STORE = "drafts";
  var settings = { fileUrl: "/complaints/new/", tokenUrl: "/complaints/new/token/" };

  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = scope.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        var request = work(tx.objectStore(STORE));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return run("readonly", function (store) { return store.getAll(); }).then(function (drafts) {
      return (drafts || []).sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }
  function get(key) { return run("readonly", function (store) { return store.get(key); }); }
  function put(draft) { draft.updatedAt = Date.now(); return run("readwrite", function (store) { store.put(draft); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }); }

  // One sender at a time per phone (page and worker alike), where the browser has Web Locks.
  function exclusively(work) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("thongthin-complaint-drafts", work) : work();
  }

  function sendOne(draft) {
    return fetch(settings.tokenUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (token) {
        var body = new FormData();
        Object.keys(draft.fields).forEach(function (name) {
          [].concat(draft.fields[name]).forEach(function (value) { body.append(name, value); });
        });
        body.set("filing_key", draft.key);
        (draft.photos || []).forEach(function (photo) { body.append("photos", photo.blob, photo.name); });
        return fetch(settings.fileUrl, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRFToken": token.csrf },
        });
      })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          if (response.status === 200 || response.status === 201) {
            draft.status = "sent";
            draft.trackingCode = answer.tracking_code;
            draft.url = answer.url;
            draft.message = "";
            draft.photos = []; // filed: the photos need not stay on the phone
          } else if (response.status === 400) {
            draft.status = "needs_fix"; // kept for the citizen to correct, with the town's reason
            draft.code = answer.code || "";
            draft.message = answer.message || "";
          } else {
            draft.status = "waiting"; // too many sends, or the server is busy: try again later
            draft.message = answer.message || "";
            throw new Error("not filed yet: " + response.status);
          }
          return put(draft).then(function () { return draft; });
        });
      });
  }

  // Send every waiting draft; resolves to {sent: [...], needsFix: [...], unsent: n}.
  function sendAll() {
    return exclusively(function () {
      return all().then(function (drafts) {
        var result = { sent: [], needsFix: [], unsent: 0 };
        var waiting = drafts.filter(function (d) { return d.status === "waiting"; });
        return waiting.reduce(function (chain, draft) {
          return chain.then(function () {
            return sendOne(draft).then(function (done) {
              if (done.status === "sent") result.sent.push(done); else result.needsFix.push(done);
            }, function () { result.unsent += 1; });
          });
        }, Promise.resolve()).then(function () { return result; });
      });
    });
  }

  scope.ThongthinDrafts = {
    SYNC_TAG: "thongthin-complaint-drafts",
    configure: function (values) { Object.keys(values || {}).forEach(function (k) { settings[k] = values[k]; }); },
    newKey: newKey, all: all, get: get, put: put, remove: remove, sendAll: sendAll,
  };
})(self);
