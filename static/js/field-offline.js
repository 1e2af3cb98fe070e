// The field app's offline queue: every field action carries an idempotency key and the phone's time; one made
// without a connection is kept in IndexedDB (photos as scaled-down blobs) and sent, in order, when the connection
// returns or the app is next opened. The server applies each key once, so sending twice is harmless.
(function () {
  "use strict";
  var script = document.currentScript;
  var PHOTO_SIDE = parseInt(script.getAttribute("data-photo-side"), 10) || 1600;
  var SW_URL = script.getAttribute("data-sw");
  var TEXT = JSON.parse(document.getElementById("field-offline-strings").textContent);
  var DB_NAME = "stayops-field";
  var flushing = false;

  // --- IndexedDB: "queue" (in order of making) and "refused" (shown until dismissed) ---
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
        request.result.createObjectStore("refused", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function all(name) { return store(name, "readonly", function (s) { return s.getAll(); }); }
  function add(name, value) { return store(name, "readwrite", function (s) { return s.add(value); }); }
  function remove(name, key) { return store(name, "readwrite", function (s) { return s.delete(key); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  // --- Photos are scaled down on the phone: less to keep offline, less to send on one bar of signal ---
  function scaled(file) {
    if (!file || !file.size || !/^image\//.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bitmap) {
      var ratio = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      if (ratio === 1 && file.type === "image/jpeg") { return file; }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  // --- An action: the form's fields (files as blobs), its key and the phone's time ---
  function actionName(form) {
    var name = form.getAttribute("data-field-action");
    if (name === "toggle") { return form.elements.done && form.elements.done.value === "1" ? "tick" : "untick"; }
    return name;
  }
  function entryFor(form) {
    var pending = [];
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if (el.type === "file") {
        if (el.files && el.files[0]) {
          pending.push(scaled(el.files[0]).then(function (blob) { fields.push([el.name, blob, "photo.jpg"]); }));
        }
      } else if ((el.type !== "checkbox" && el.type !== "radio") || el.checked) {
        fields.push([el.name, el.value]);
      }
    });
    return Promise.all(pending).then(function () {
      return {
        key: newKey(),
        url: form.getAttribute("action"),
        action: actionName(form),
        taskId: form.getAttribute("data-task-id"),
        label: form.getAttribute("data-label") || "",
        madeAt: new Date().toISOString(),
        fields: fields,
      };
    });
  }
  function send(entry) {
    var body = new FormData();
    entry.fields.forEach(function (field) {
      if (field[1] instanceof Blob) { body.append(field[0], field[1], field[2]); } else { body.append(field[0], field[1]); }
    });
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "Idempotency-Key": entry.key,
        "X-Made-At": entry.madeAt,
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true",
        "HX-Current-URL": location.href,
      },
    });
  }

  // --- Live answers are swapped in as htmx would; network errors put the action in the queue ---
  // The field pages do not load htmx (16 KB on a slow line): the server's fragments use three of its swaps,
  // written out here: outerHTML of the task's work area, beforeend into the toasts, and out-of-band toasts.
  function place(target, content, style) {
    if (style === "beforeend") { target.append(content); } else if (style === "innerHTML") {
      target.replaceChildren(content);
    } else { target.replaceWith(content); }
  }
  function swapHtml(selector, html, style) {
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("[hx-swap-oob]").forEach(function (part) {
      var how = part.getAttribute("hx-swap-oob");
      var home = part.id && document.getElementById(part.id);
      part.remove();
      if (!home) { return; }
      if (how === "beforeend") {
        var inner = document.createDocumentFragment();
        while (part.firstChild) { inner.appendChild(part.firstChild); }
        place(home, inner, how);
      } else {
        part.removeAttribute("hx-swap-oob");
        place(home, part, "outerHTML");
      }
    });
    var target = document.querySelector(selector);
    if (target) { place(target, template.content, style); }
    document.dispatchEvent(new CustomEvent("stayops:swapped"));
  }
  function swapAnswer(response) {
    var redirect = response.headers.get("HX-Redirect");
    if (redirect) { location.href = redirect; return Promise.resolve(); }
    if (response.redirected) { location.href = response.url; return Promise.resolve(); }
    return response.text().then(function (html) {
      swapHtml(response.headers.get("HX-Retarget") || "#task-work", html, response.headers.get("HX-Reswap") || "outerHTML");
    });
  }
  function setBusy(form, busy) {
    form.toggleAttribute("data-busy", busy);
    form.querySelectorAll("button, .field-camera").forEach(function (el) {
      el.toggleAttribute("aria-busy", busy);
      if (el.tagName === "BUTTON") { el.disabled = busy; }
    });
  }
  // Taps are handled one after another in the order they were made: a photo still being scaled on a slow phone
  // must reach the queue before the "Done" tapped after it, or the server would see Done without its photo.
  var turn = Promise.resolve();
  function submitAction(form) {
    if (form.hasAttribute("data-busy")) { return; }
    setBusy(form, true);
    var made = entryFor(form);
    var handled = turn.then(function () { return made; }).then(function (entry) {
      return all("queue").then(function (queued) {
        // Behind a queue the action waits its turn: the server must see them in the order they were made.
        if (queued.length || !navigator.onLine) { return queue(entry); }
        return send(entry).then(swapAnswer, function () { return queue(entry); });
      });
    });
    turn = handled.catch(function () { /* a failed action must not stop the ones after it */ });
    handled.finally(function () {
      if (document.body.contains(form)) { setBusy(form, false); }
      form.reset && form.getAttribute("data-field-action") === "photo" && form.reset();
    });
  }
  function queue(entry) {
    return add("queue", entry).then(function () {
      showLocally(entry);
      return render();
    }).then(function () { if (navigator.onLine) { flush(); } });
  }

  // --- What a queued action changes on the page until the server's answer replaces it ---
  function formFor(entry) {
    return document.querySelector('form[action="' + entry.url + '"]');
  }
  function showLocally(entry) {
    var form = formFor(entry);
    if (entry.action === "tick" || entry.action === "untick") {
      if (!form) { return; }
      var done = entry.action === "tick";
      var item = form.closest(".field-item");
      if (item) { item.classList.toggle("is-done", done); }
      var button = form.querySelector("[aria-checked]");
      if (button) { button.setAttribute("aria-checked", String(done)); }
      form.elements.done.value = done ? "0" : "1";
      form.classList.add("is-queued");
    } else if (entry.action === "start") {
      document.querySelectorAll(".field-start-form").forEach(function (el) { el.hidden = true; });
      document.querySelectorAll(".field-done-form").forEach(function (el) { el.hidden = false; });
      note(".field-actions", TEXT.started);
    } else if (entry.action === "done") {
      document.querySelectorAll(".field-done-form").forEach(function (el) { el.hidden = true; });
      note(".field-actions", TEXT.done);
    } else if (entry.action === "photo") {
      var photo = entry.fields.filter(function (f) { return f[1] instanceof Blob; })[0];
      var itemId = entry.fields.filter(function (f) { return f[0] === "checklist_item"; })[0];
      var place = itemId && itemId[1] ? document.querySelector('[data-item-photos="' + itemId[1] + '"]') : document.querySelector(".field-photos");
      if (photo && place) {
        var img = document.createElement("img");
        img.className = "field-thumb is-queued";
        img.alt = TEXT.queued;
        img.src = URL.createObjectURL(photo[1]);
        place.prepend(img);
      }
      if (itemId && itemId[1]) {
        var tick = document.querySelector('[data-item="' + itemId[1] + '"]');
        if (tick) { tick.classList.add("is-done"); }
      }
    } else if (entry.action === "problem") {
      note("main", TEXT.problem);
    }
  }
  function note(selector, text) {
    var place = document.querySelector(selector);
    if (!place) { return; }
    var p = document.createElement("p");
    p.className = "field-state field-queued";
    p.textContent = text;
    place.prepend(p);
  }

  // --- Sending the queue, oldest first; it stops at the first network error and tries again later ---
  function reasonFrom(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var picks = [".alert-error", ".toast-body", ".errorlist", "[role=alert]"];
    for (var i = 0; i < picks.length; i += 1) {
      var el = doc.querySelector(picks[i]);
      if (el) {
        var title = el.querySelector("strong");
        if (title && el.childNodes.length > 1) { title.remove(); }
        return el.textContent.replace(/\s+/g, " ").trim();
      }
    }
    return "";
  }
  function flush() {
    if (flushing) { return Promise.resolve(); }
    flushing = true;
    var sent = 0;
    render(true);
    function next() {
      return all("queue").then(function (queued) {
        if (!queued.length) { return; }
        var entry = queued[0];
        return send(entry).then(function (response) {
          if (response.status >= 500 || response.status === 429) { throw new Error("try later"); }
          if (response.status < 400) { sent += 1; return remove("queue", entry.seq).then(next); }
          return response.text().then(function (html) {
            var refusal = { key: entry.key, action: entry.action, label: entry.label, reason: reasonFrom(html) || response.statusText };
            return add("refused", refusal).then(function () { return remove("queue", entry.seq); }).then(next);
          });
        });
      });
    }
    return next().catch(function () { /* still offline: the queue stays as it is */ }).then(function () {
      flushing = false;
      return render().then(function () {
        // The page shows what the phone guessed; after sending, show what the server holds.
        if (sent && document.querySelector("#task-work, .field-day, .field-sheet")) { location.reload(); }
      });
    });
  }

  // --- The sync bar: waiting changes, freshness of a saved page, refused actions with their reason ---
  function render(sending) {
    var bar = document.getElementById("field-sync");
    return Promise.all([all("queue"), all("refused"), savedAt()]).then(function (parts) {
      var queued = parts[0], refused = parts[1], saved = parts[2];
      bar.textContent = "";
      if (!navigator.onLine) {
        line(bar, "field-sync-offline", saved ? format(TEXT.saved_offline, { time: saved }) : TEXT.offline);
      }
      if (queued.length) {
        var count = queued.length === 1 ? TEXT.waiting_one : format(TEXT.waiting_other, { count: queued.length });
        line(bar, "field-sync-waiting", sending && navigator.onLine ? TEXT.sending + " " + count : count);
      }
      refused.forEach(function (refusal) {
        var name = (TEXT.actions[refusal.action] || refusal.action) + (refusal.label ? " (" + refusal.label + ")" : "");
        var row = line(bar, "field-sync-refused", format(TEXT.refused, { action: name, reason: refusal.reason }));
        row.setAttribute("role", "alert");
        var close = document.createElement("button");
        close.type = "button";
        close.className = "button button-small";
        close.textContent = TEXT.dismiss;
        close.addEventListener("click", function () { remove("refused", refusal.key).then(function () { render(); }); });
        row.appendChild(close);
      });
      bar.hidden = !bar.childNodes.length;
    });
  }
  function line(bar, className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.textContent = text;
    bar.appendChild(p);
    return p;
  }
  function savedAt() {
    if (navigator.onLine || !window.caches) { return Promise.resolve(null); }
    return caches.match(location.href, { ignoreVary: true }).then(function (cached) {
      var stamp = cached && cached.headers.get("X-Saved-At");
      if (!stamp) { return null; }
      return new Date(parseInt(stamp, 10)).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    }).catch(function () { return null; });
  }

  // --- Wiring ---
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-field-action]");
    if (!form) { return; }
    // A problem report online is an ordinary form post: its page shows the form's errors. Offline it is queued.
    if (form.getAttribute("data-field-action") === "problem" && navigator.onLine) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "idempotency_key";
      hidden.value = newKey();
      form.appendChild(hidden);
      return;
    }
    // Captured before htmx sees it: this script sends the action (one request per tap) or queues it.
    event.preventDefault();
    event.stopPropagation();
    submitAction(form);
  }, true);
  document.addEventListener("change", function (event) {
    var input = event.target;
    var form = input.type === "file" && input.closest('form[data-field-action="photo"]');
    if (form && input.files && input.files.length) { submitAction(form); }
  });
  window.addEventListener("online", function () { render().then(flush); });
  window.addEventListener("offline", function () { render(); });

  function start() {
    // At the top of the page, where a cleaner looks first (the tag sits at the end of the page's markup).
    var bar = document.getElementById("field-sync");
    var main = document.querySelector("main");
    if (bar && main) { main.prepend(bar); }
    all("queue").then(function (queued) { queued.forEach(showLocally); }).then(render).then(function () {
      if (navigator.onLine) { flush(); }
    });
    if (!("serviceWorker" in navigator) || !SW_URL) { return; }
    navigator.serviceWorker.register(SW_URL, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The list names the cleaner's coming tasks: keep their pages (and the day sheet) while online.
      // This page is kept too, unless it came through the worker, which kept it on the way (no second fetch).
      var urls = navigator.serviceWorker.controller ? [] : [location.pathname + location.search];
      document.querySelectorAll("a[data-keep-offline]").forEach(function (a) { urls.push(a.getAttribute("href")); });
      if (navigator.onLine && registration.active) { registration.active.postMessage({ type: "keep", urls: urls }); }
    }).catch(function () { /* without a worker the pages still work online */ });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
