/* The phone survey: every section is saved on its own, and nothing typed is lost silently.

   What was typed stays in this browser (localStorage "ansinh-survey-<entry>", one record per
   section) until the server has accepted it. A save that fails for a reason that time can fix
   (no network, a server error, an expired session) stays queued and is sent again, oldest
   first and one at a time: on page load, when the network comes back, when the tab is shown
   again and every 20 s while something waits. A save the server refuses (422: the answers are
   wrong) is not retried: its message stays on the section until the answers are corrected.
   The server replaces the whole section on every save, so sending it twice does no harm.

   All text comes translated from the page (json_script "survey-texts"); no inline script. */
(function () {
  "use strict";

  var PREFIX = "ansinh-survey-";
  var RETRY_MS = window.ansinhSurveyRetryMs || 20000; // the browser tests shorten it
  var TIMEOUT_MS = 30000;

  var bar = document.getElementById("sync-bar");
  if (!bar) return;
  var textsEl = document.getElementById("survey-texts");
  var T = textsEl ? JSON.parse(textsEl.textContent) : {};
  var root = document.getElementById("survey"); // absent when the user may not survey
  var currentEntry = bar.dataset.entry;
  var currentUser = bar.dataset.user;
  var signIn = document.getElementById("sync-signin");
  var forms = root ? Array.prototype.slice.call(root.querySelectorAll("form[data-section]")) : [];
  var formOf = {};
  forms.forEach(function (form) {
    formOf[form.dataset.section] = form;
  });

  // --- storage ---------------------------------------------------------------------------

  function load(entry) {
    var all;
    try {
      all = JSON.parse(localStorage.getItem(PREFIX + entry) || "{}") || {};
    } catch (e) {
      all = {};
    }
    Object.keys(all).forEach(function (section) {
      var rec = all[section];
      if (rec && rec.v === 2) return;
      // kept by the earlier version of this page: plain values, to be sent again
      all[section] = {
        v: 2,
        data: rec || {},
        state: "pending",
        at: 0,
        rev: 1,
        url: entry === currentEntry && root ? root.dataset.url : "",
        label: "",
        user: currentUser,
        reason: "",
      };
    });
    return all;
  }

  function store(entry, all) {
    try {
      if (Object.keys(all).length) localStorage.setItem(PREFIX + entry, JSON.stringify(all));
      else localStorage.removeItem(PREFIX + entry);
    } catch (e) {
      /* storage full or refused: the page still shows the state */
    }
  }

  function update(entry, section, change) {
    var all = load(entry);
    var rec = change(all[section]);
    if (rec) all[section] = rec;
    else delete all[section];
    store(entry, all);
    return rec;
  }

  function entries() {
    var out = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(PREFIX) === 0) out.push(key.slice(PREFIX.length));
    }
    return out;
  }

  /* Every record of the signed-in user, oldest first. */
  function records() {
    var out = [];
    entries().forEach(function (entry) {
      var all = load(entry);
      Object.keys(all).forEach(function (section) {
        var rec = all[section];
        if (rec.user && rec.user !== currentUser) return; // another person's, kept for them
        if (!rec.url) return;
        out.push({ entry: entry, section: section, rec: rec });
      });
    });
    out.sort(function (a, b) {
      return a.rec.at - b.rec.at;
    });
    return out;
  }

  // --- the form ----------------------------------------------------------------------------

  function values(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (k !== "csrfmiddlewaretoken") out[k] = v;
    });
    return out;
  }

  function fill(form, data) {
    Object.keys(data).forEach(function (name) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name) return;
        if (el.type === "radio" || el.type === "checkbox") el.checked = el.value === data[name];
        else el.value = data[name];
      });
    });
  }

  function label(form) {
    var legend = form.querySelector("legend");
    var title = legend && legend.firstChild ? legend.firstChild.textContent.trim() : "";
    return root.dataset.household + " · " + title;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  // --- what each section and the bar show ------------------------------------------------

  var sending = null; // "entry|section" being sent now
  var saved = {}; // section -> result line, for sections saved since the page was opened
  var restored = {}; // sections whose answers came back from this phone on page load

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function failure(rec) {
    if (rec.reason === "auth") return T.auth;
    if (rec.reason === "server") return format(T.server, { code: rec.code || "" });
    if (rec.reason === "offline") return T.offline;
    return T.kept;
  }

  function renderSection(section) {
    var form = formOf[section];
    if (!form) return;
    var chip = form.querySelector("[data-role=chip]");
    var detail = form.querySelector("[data-role=detail]");
    var rec = load(currentEntry)[section];
    var state = chip.dataset.initial;
    var text = "";
    var link = false;
    var cls = "";
    if (rec && rec.state === "pending") {
      // still on this phone until the server has said yes, also while it is being sent
      state = sending === currentEntry + "|" + section ? "sending" : rec.reason ? "failed" : "pending";
      text = failure(rec);
      link = rec.reason === "auth";
      cls = "pending";
    } else if (rec && rec.state === "invalid") {
      state = "failed";
      text = rec.error + " " + T.invalid;
      cls = "error";
    } else if (rec) {
      state = "dirty";
      if (rec.error) {
        text = rec.error + " " + T.invalid;
        cls = "error";
      } else {
        text = restored[section] ? T.restored : T.dirty;
      }
    } else if (saved[section] !== undefined) {
      state = "saved";
      text = saved[section];
    }
    chip.dataset.state = state;
    chip.textContent = T["chip_" + state] || chip.textContent;
    form.dataset.state = state;
    detail.className = "state-detail" + (cls ? " " + cls : "");
    detail.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = signIn.href;
      a.target = "_blank";
      a.rel = "noopener";
      a.className = "signin";
      a.textContent = T.sign_in;
      detail.appendChild(document.createTextNode(" "));
      detail.appendChild(a);
    }
  }

  function renderBar() {
    var waiting = records().filter(function (r) {
      return r.rec.state === "pending";
    });
    var others = records().filter(function (r) {
      return r.entry !== currentEntry && r.rec.state !== "draft";
    });
    bar.hidden = !waiting.length && !others.length;
    bar.dataset.count = String(waiting.length);
    document.getElementById("sync-count").textContent = waiting.length
      ? format(T.count, { n: waiting.length })
      : "";
    // the reasons are told by each section; here only what the user can do about it
    signIn.hidden = !waiting.some(function (r) {
      return r.rec.reason === "auth";
    });
    document.getElementById("sync-now").hidden = !waiting.length;
    var list = document.getElementById("sync-list");
    list.textContent = "";
    others.forEach(function (r) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = r.rec.url;
      a.textContent = r.rec.label || r.rec.url;
      li.appendChild(a);
      li.appendChild(
        document.createTextNode(
          " – " + (r.rec.state === "invalid" ? T.chip_failed : T.chip_pending),
        ),
      );
      list.appendChild(li);
    });
  }

  function render() {
    forms.forEach(function (form) {
      renderSection(form.dataset.section);
    });
    renderBar();
  }

  // --- sending ---------------------------------------------------------------------------

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }

  var pageToken = (function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  })();
  var tokenStale = false;

  /* The cookie first: signing in again (in another tab) gives a new token. */
  function csrf() {
    return cookie("csrftoken") || pageToken;
  }

  /* After a refused session, when the cookie cannot be read: take the token of a fresh page. */
  function refreshToken() {
    if (!tokenStale || cookie("csrftoken")) return Promise.resolve();
    return fetch(window.location.pathname, {
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
    })
      .then(function (resp) {
        return resp.ok ? resp.text() : "";
      })
      .then(function (html) {
        var m = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
        if (m) {
          pageToken = m[1];
          tokenStale = false;
        }
      })
      .catch(function () {});
  }

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html;
    return t.content;
  }

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  /* Mark an item as failed (it stays queued) unless it was changed or removed meanwhile. */
  function failed(item, reason, code) {
    update(item.entry, item.section, function (rec) {
      if (rec && rec.state === "pending") {
        rec.reason = reason;
        rec.code = code || "";
        rec.tries = (rec.tries || 0) + 1;
      }
      return rec;
    });
  }

  function send(item) {
    var rec = item.rec;
    if (navigator.onLine === false) {
      failed(item, "offline");
      return Promise.resolve("offline");
    }
    sending = item.entry + "|" + item.section;
    render();
    var body = new URLSearchParams();
    Object.keys(rec.data).forEach(function (k) {
      body.append(k, rec.data[k]);
    });
    body.set("section", item.section);
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () {
      if (ctrl) ctrl.abort();
    }, TIMEOUT_MS);
    var status = 0;
    return fetch(rec.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" },
      signal: ctrl ? ctrl.signal : undefined,
    })
      .then(function (resp) {
        status = resp.status;
        if (resp.type === "opaqueredirect" || status === 401 || status === 403) {
          return { outcome: "auth" };
        }
        return resp.text().then(function (html) {
          if (status === 422) return { outcome: "invalid", html: html };
          // a 200 that is not our answer (a Wi-Fi login page …) is no success either
          if (!resp.ok || html.indexOf('id="result-card"') < 0) return { outcome: "server" };
          return { outcome: "ok", html: html };
        });
      })
      .catch(function () {
        return { outcome: "offline" };
      })
      .then(function (res) {
        clearTimeout(timer);
        sending = null;
        var doc = res.html ? parse(res.html) : null;
        if (res.outcome === "ok") {
          update(item.entry, item.section, function (now) {
            // changed while on the way: keep the newer answers (still to be saved)
            return now && now.rev !== rec.rev ? now : null;
          });
          if (item.entry === currentEntry) {
            var cls = text(doc.querySelector("#result-class"));
            saved[item.section] = T.saved + (cls ? " " + cls : "");
            delete restored[item.section];
          }
        } else if (res.outcome === "invalid") {
          var error = Array.prototype.map
            .call(doc.querySelectorAll(".errorlist li"), text)
            .join("; ");
          update(item.entry, item.section, function (now) {
            if (now && now.rev === rec.rev) {
              now.state = "invalid";
              now.error = error;
              now.reason = "";
            }
            return now;
          });
        } else {
          if (res.outcome === "auth") tokenStale = true;
          failed(item, res.outcome, status);
        }
        if (doc && item.entry === currentEntry) {
          var box = document.getElementById("result");
          if (box) box.innerHTML = res.html;
        }
        return res.outcome;
      });
  }

  var busy = false;
  var again = false;
  var timer = null;

  /* Send what waits, oldest first and one at a time. No network or no session: stop there,
     the others would fail the same way. A server error: go on with the next one. */
  function run() {
    var tried = {};
    function next() {
      var item = records().filter(function (r) {
        return r.rec.state === "pending" && !tried[r.entry + "|" + r.section + "|" + r.rec.rev];
      })[0];
      if (!item) return Promise.resolve();
      tried[item.entry + "|" + item.section + "|" + item.rec.rev] = true;
      return send(item).then(function (outcome) {
        if (outcome === "offline" || outcome === "auth") {
          records().forEach(function (r) {
            if (r.rec.state === "pending" && !tried[r.entry + "|" + r.section + "|" + r.rec.rev])
              failed(r, outcome);
          });
          return;
        }
        return next();
      });
    }
    return refreshToken().then(next);
  }

  function schedule() {
    clearTimeout(timer);
    timer = null;
    var waiting = records().some(function (r) {
      return r.rec.state === "pending";
    });
    if (waiting) timer = setTimeout(kick, RETRY_MS);
  }

  function kick() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    run()
      .catch(function () {})
      .then(function () {
        busy = false;
        render();
        if (again) {
          again = false;
          kick();
        } else {
          schedule();
        }
      });
  }

  // --- wiring ----------------------------------------------------------------------------

  forms.forEach(function (form) {
    var section = form.dataset.section;
    var chip = form.querySelector("[data-role=chip]");
    chip.dataset.initial = chip.dataset.state;
    var rec = load(currentEntry)[section];
    if (rec && rec.data) {
      fill(form, rec.data);
      restored[section] = true;
    }

    function edited() {
      var data = values(form);
      update(currentEntry, section, function (now) {
        if (now && same(now.data, data)) return now;
        if (!now) {
          now = {
            v: 2,
            state: "draft",
            at: Date.now(),
            rev: 0,
            url: root.dataset.url,
            label: label(form),
            user: currentUser,
            reason: "",
          };
        }
        now.data = data;
        now.rev += 1;
        // a refused save being corrected: not saved, the server's message still shown
        if (now.state === "invalid") now.state = "draft";
        return now;
      });
      delete saved[section];
      renderSection(section);
      renderBar();
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var data = values(form);
      update(currentEntry, section, function (now) {
        var rec = now || { v: 2, rev: 0, at: Date.now() };
        if (rec.state !== "pending") rec.at = Date.now();
        rec.state = "pending";
        rec.data = data;
        rec.rev += 1;
        rec.url = root.dataset.url;
        rec.label = label(form);
        rec.user = currentUser;
        rec.reason = "";
        rec.error = "";
        return rec;
      });
      delete restored[section];
      render();
      kick();
    });
  });

  document.getElementById("sync-now").addEventListener("click", kick);
  window.addEventListener("online", kick);
  window.addEventListener("offline", render);
  window.addEventListener("focus", kick);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") kick();
  });
  window.addEventListener("storage", function (ev) {
    if (ev.key && ev.key.indexOf(PREFIX) === 0) render();
  });

  render();
  kick();
})();
