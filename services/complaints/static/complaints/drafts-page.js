// The filing form without a connection: the report is kept on the phone as a draft (drafts.js) and
// sent by Background Sync, or by this page when it is next opened or the connection comes back;
// the tracking code is shown then. A draft the town refused (its categories changed) stays here
// for the citizen to correct.
(function () {
  "use strict";
  var box = document.getElementById("offline-drafts");
  if (!box || !window.indexedDB || !window.ThongthinDrafts) return;
  var Drafts = window.ThongthinDrafts;
  var text = box.dataset;
  var list = box.querySelector("ul");
  var notice = box.querySelector("[data-notice]");
  var form = document.getElementById("complaint-form");
  var keyInput = form && form.querySelector("input[name=filing_key]");
  Drafts.configure({ fileUrl: text.fileUrl, tokenUrl: text.tokenUrl });
  if (keyInput && !keyInput.value) keyInput.value = Drafts.newKey();

  function element(tag, content, className) {
    var node = document.createElement(tag);
    if (content) node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function button(label, action) {
    var node = element("button", label, "button secondary");
    node.type = "button";
    node.addEventListener("click", action);
    return node;
  }

  function render() {
    return Drafts.all().then(function (drafts) {
      list.textContent = "";
      box.hidden = drafts.length === 0 && !notice.textContent;
      drafts.forEach(function (draft) {
        var item = element("li", null, "card draft draft-" + draft.status);
        item.dataset.key = draft.key;
        item.appendChild(element("p", draft.summary || ""));
        if (draft.status === "sent") {
          var sent = element("p", text.sent + " ");
          var link = element("a", draft.trackingCode, "draft-tracking-code");
          link.href = draft.url;
          sent.appendChild(link);
          item.appendChild(sent);
          item.appendChild(button(text.dismiss, function () { Drafts.remove(draft.key).then(render); }));
        } else if (draft.status === "needs_fix") {
          item.appendChild(element("p", text.needsFix, "error"));
          if (draft.message) item.appendChild(element("p", draft.message, "error draft-message"));
          if (form) item.appendChild(button(text.edit, function () { edit(draft); }));
          item.appendChild(button(text.remove, function () { Drafts.remove(draft.key).then(render); }));
        } else {
          item.appendChild(element("p", draft.message || text.waiting, "muted"));
        }
        list.appendChild(item);
      });
    });
  }

  function send() {
    if (!navigator.onLine) return render();
    return Drafts.sendAll().then(function (result) {
      if (result.sent.length || result.needsFix.length) notice.textContent = "";
      return render();
    }, render);
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(Drafts.SYNC_TAG);
    }).catch(function () { /* no Background Sync: the page sends on its next visit or "online" */ });
  }

  function draftFromForm() {
    var fields = {}, photos = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "filing_key") return;
      if (value instanceof File) {
        if (value.size) photos.push({ name: value.name, type: value.type, blob: value });
        return;
      }
      fields[name] = name in fields ? [].concat(fields[name], value) : value;
    });
    return {
      key: keyInput.value, createdAt: Date.now(), status: "waiting", fields: fields, photos: photos,
      summary: String(fields.description || "").slice(0, 120),
    };
  }

  function edit(draft) {
    Object.keys(draft.fields).forEach(function (name) {
      var values = [].concat(draft.fields[name]);
      form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']").forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") input.checked = values.indexOf(input.value) >= 0;
        else input.value = values[0];
      });
    });
    var photoInput = form.querySelector("input[type=file][name=photos]");
    if (photoInput && draft.photos && draft.photos.length && window.DataTransfer) {
      var files = new DataTransfer();
      draft.photos.forEach(function (p) { files.items.add(new File([p.blob], p.name, { type: p.type })); });
      photoInput.files = files.files;
    }
    keyInput.value = draft.key; // the same draft: sent again it is still one case
    var map = document.getElementById("pin-map");
    if (map && draft.fields.latitude && draft.fields.longitude) {
      map.dispatchEvent(new CustomEvent("oss:place", {
        detail: { lat: parseFloat(draft.fields.latitude), lon: parseFloat(draft.fields.longitude) },
      }));
    }
    form.scrollIntoView();
    var category = form.querySelector("[name=category]");
    if (category) category.focus();
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var draft = draftFromForm();
      if (navigator.onLine) {
        // Sent now as a normal form; if it was a kept draft, it is sent again from here should
        // this answer be lost (the same key: still one case).
        Drafts.get(draft.key).then(function (kept) { if (kept) return Drafts.put(draft); });
        return;
      }
      event.preventDefault();
      Drafts.put(draft).then(function () {
        form.reset();
        keyInput.value = Drafts.newKey();
        notice.textContent = text.saved;
        askForSync();
        return render();
      }).then(function () { box.scrollIntoView(); });
    });
  }

  window.addEventListener("online", send);
  window.addEventListener("offline", render);
  if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("message", render);
  send();
})();
