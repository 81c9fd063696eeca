// Thongthin: this town's portal as an app that survives a weak signal. Made per town by
// services/common/web_app.py: its caches carry the town's name and are replaced when anything they
// hold changes. Pages are network-first; without a connection a kept page (fetched without cookies,
// so never anyone's personal data) or the offline page answers. Static files are cache-first.
// Complaint drafts written offline are sent by drafts.js (Background Sync, or the page itself).
"use strict";
const CONFIG = {{ config|safe }};
if (CONFIG.scripts.length) self.importScripts(...CONFIG.scripts);
const PAGE_TIMEOUT_MS = 10000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CONFIG.cache);
    for (const url of CONFIG.pages) {
      const response = await fetch(url, { credentials: "omit", cache: "no-store" });
      if (!response.ok) throw new Error("could not keep " + url + ": " + response.status);
      await cache.put(url, response);
    }
    // A missing static file (a logo removed a moment ago) must not stop the rest from being kept.
    await Promise.all([...CONFIG.static, ...CONFIG.scripts].map(async (url) => {
      try {
        const response = await fetch(url, { credentials: "omit" });
        if (response.ok) await cache.put(url, response);
      } catch (error) { /* kept on the next install */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CONFIG.cachePrefix) && name !== CONFIG.cache) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function keptPath(url) {
  return CONFIG.pages.includes(url.pathname) ? url.pathname : null;
}

async function page(request, url) {
  const cache = await caches.open(CONFIG.cache);
  const kept = keptPath(url);
  const network = fetch(request);
  network.catch(() => {}); // answered from the cache below when it fails
  try {
    if (!kept) return await network;
    // A signal that answers nothing for seconds is treated like no signal for a page we keep.
    return await Promise.race([
      network,
      new Promise((resolve, reject) => setTimeout(() => reject(new Error("slow")), PAGE_TIMEOUT_MS)),
    ]);
  } catch (error) {
    const answer = (kept && (await cache.match(kept))) || (await cache.match(CONFIG.offlinePage));
    return answer || Response.error();
  }
}

async function staticFile(request, key) {
  const cache = await caches.open(CONFIG.cache);
  const hit = await cache.match(key);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(key, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // filings and every other post go straight to the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, url));
    return;
  }
  const key = url.pathname + url.search;
  if (CONFIG.static.includes(key) || CONFIG.scripts.includes(key)) event.respondWith(staticFile(request, key));
});

async function tellPages(result) {
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ type: "thongthin-drafts", result });
  }
}

if (self.ThongthinDrafts) {
  self.ThongthinDrafts.configure(CONFIG.drafts);
  self.addEventListener("sync", (event) => {
    if (event.tag !== self.ThongthinDrafts.SYNC_TAG) return;
    event.waitUntil(self.ThongthinDrafts.sendAll().then(async (result) => {
      await tellPages(result);
      // Still no connection: reject so the browser tries this sync again later.
      if (result.unsent) throw new Error("drafts still waiting for a connection");
    }));
  });
  self.addEventListener("message", (event) => {
    if (event.data && event.data.type === "thongthin-send-drafts") {
      event.waitUntil(self.ThongthinDrafts.sendAll().then(tellPages));
    }
  });
}
