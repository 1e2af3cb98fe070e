{% load i18n %}// StayOps field app service worker (version {{ version }}): keeps the app shell and the cleaner's pages for offline use.
// Written by hand rather than with Workbox: two strategies and a message handler; see docs/architecture.md.
"use strict";
var SHELL_CACHE = "stayops-shell-{{ version }}";
var PAGE_CACHE = "stayops-pages";
var SHELL_URLS = {{ shell_json|safe }};
var LOGOUT_PATH = "{{ logout_url|escapejs }}";
var OFFLINE_HOME = "{{ offline_home|escapejs }}";
var OFFLINE_HTML = '<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<title>{{ _("Offline")|escapejs }}</title><body style="font-family:system-ui;padding:1rem">' +
  '<h1>{{ _("No connection")|escapejs }}</h1><p>{{ _("This page was not saved on this phone. Pages you opened before are still here.")|escapejs }}</p>' +
  '<p><a href="' + OFFLINE_HOME + '">{{ _("My tasks")|escapejs }}</a></p></body>';

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL_URLS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("stayops-shell-") === 0 && key !== SHELL_CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function isKeptPage(url) {
  return url.pathname.indexOf("/my/") === 0 && url.pathname.indexOf("/my/calendar/") !== 0;
}

function isPhoto(url) {
  return /^\/photos\/\d+\/(thumbnail\/)?$/.test(url.pathname);
}

// A copy stamped with the time it was saved, so a page opened offline can say how fresh it is.
function stamped(response) {
  return response.clone().blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set("X-Saved-At", String(Date.now()));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
  });
}

function save(request, response) {
  if (!response || !response.ok || response.redirected || response.type !== "basic") { return Promise.resolve(); }
  return Promise.all([caches.open(PAGE_CACHE), stamped(response)]).then(function (parts) {
    return parts[0].put(request.url, parts[1]);
  });
}

function networkFirst(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    event.waitUntil(save(request, response.clone()));
    return response;
  }).catch(function () {
    return caches.match(request.url, { cacheName: PAGE_CACHE, ignoreVary: true }).then(function (cached) {
      if (cached) { return cached; }
      if (request.mode === "navigate") {
        return new Response(OFFLINE_HTML, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
      return Response.error();
    });
  });
}

// Hashed file names never change content: the cached copy is right; anything else is fetched and kept.
function shellFirst(request) {
  return caches.match(request, { ignoreVary: true }).then(function (cached) {
    return cached || fetch(request);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === LOGOUT_PATH) {
    // The next person on this phone must not read the last one's pages.
    event.waitUntil(caches.delete(PAGE_CACHE));
    return;
  }
  if (request.method !== "GET" || request.headers.get("HX-Request")) { return; }
  if (SHELL_URLS.indexOf(url.pathname) !== -1) { event.respondWith(shellFirst(request)); return; }
  if (isKeptPage(url) || isPhoto(url)) { event.respondWith(networkFirst(event)); }
});

// The page lists the cleaner's coming tasks; their pages are fetched now, while there is a connection.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) { return; }
  event.waitUntil(Promise.all(data.urls.slice(0, 60).map(function (path) {
    var url = new URL(path, self.location.origin);
    if (url.origin !== self.location.origin || !(isKeptPage(url) || isPhoto(url))) { return null; }
    return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
      return save(new Request(url.href), response);
    }).catch(function () { return null; });
  })));
});
