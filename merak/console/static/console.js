// Merak console: live updates over server-sent events. Each page says which events it
// shows (body data-live); rows are built with textContent, never from HTML strings.
"use strict";

(() => {
  const kind = document.body.dataset.live;
  const dot = document.getElementById("live-dot");
  if (!dot) return;
  const source = new EventSource("/events");
  source.onopen = () => { dot.classList.add("on"); dot.title = "live updates on"; };
  source.onerror = () => { dot.classList.remove("on"); dot.title = "live updates reconnecting…"; };
  if (!kind) return;
  const note = document.getElementById("live-note");
  let fresh = 0;

  function cell(tr, text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    if (text instanceof Node) td.append(text); else td.textContent = text == null ? "" : String(text);
    tr.append(td);
    return td;
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href; a.textContent = text;
    return a;
  }

  function announce(one, many) {
    fresh += 1;
    if (!note) return;
    note.hidden = false;
    note.textContent = `${fresh} new ${fresh === 1 ? one : many} since this page loaded`;
  }

  function matchesQueueFilters(a) {
    const form = document.getElementById("queue-filters");
    if (!form) return true;
    const f = new FormData(form);
    if (f.get("page")) return false;
    if (f.get("channel") && f.get("channel") !== a.channel) return false;
    if (f.get("office") && f.get("office") !== a.office) return false;
    if (f.get("area") && f.get("area").replace(/_/g, " ") !== a.top_area) return false;
    if (f.get("min_risk") && a.risk < Number(f.get("min_risk"))) return false;
    if (f.get("max_risk") && a.risk > Number(f.get("max_risk"))) return false;
    return !f.get("to");
  }

  source.addEventListener("assessment", (ev) => {
    if (kind !== "assessment") return;
    const a = JSON.parse(ev.data);
    if (!matchesQueueFilters(a)) return;
    const body = document.getElementById("queue-rows");
    if (!body || body.querySelector(`tr[data-id="${CSS.escape(a.declaration_id)}"]`)) return;
    body.querySelector("tr.empty")?.remove();
    const tr = document.createElement("tr");
    tr.dataset.id = a.declaration_id;
    tr.className = "new";
    cell(tr, a.assessed);
    cell(tr, link(`/declarations/${encodeURIComponent(a.declaration_id)}`, a.declaration_id));
    cell(tr, a.office);
    const chan = document.createElement("span");
    chan.className = `chan ${a.channel}`; chan.textContent = a.channel;
    cell(tr, chan);
    cell(tr, a.risk.toFixed(3), "num");
    cell(tr, a.top_area);
    cell(tr, a.reason, "why");
    body.prepend(tr);
    while (body.rows.length > 200) body.deleteRow(-1);
    announce("assessment", "assessments");
  });

  source.addEventListener("alert", (ev) => {
    if (kind !== "alert") return;
    const al = JSON.parse(ev.data);
    announce("alert — reload to group and acknowledge it", "alerts — reload to group and acknowledge them");
    const box = document.getElementById("alerts");
    if (!box) return;
    document.getElementById("no-alerts")?.remove();
    const div = document.createElement("div");
    div.className = `alert ${al.severity} new`;
    const head = document.createElement("div");
    head.className = "alert-head";
    const strong = document.createElement("strong"); strong.textContent = al.cause || "alert";
    head.append(strong, ` · lot ${al.lot_id || "—"} · ${al.sensor_id}`);
    const msg = document.createElement("div"); msg.className = "alert-msg"; msg.textContent = al.message;
    div.append(head, msg);
    box.prepend(div);
  });

  source.addEventListener("entry", (ev) => {
    if (kind !== "entry") return;
    const e = JSON.parse(ev.data);
    const body = document.getElementById("entry-rows");
    if (!body || new URLSearchParams(location.search).toString()) return;
    body.querySelector("tr.empty")?.remove();
    const tr = document.createElement("tr");
    tr.className = "new";
    cell(tr, link(`/ledger/${e.index}`, String(e.index)), "num");
    cell(tr, e.type); cell(tr, e.subject); cell(tr, e.by); cell(tr, e.appended); cell(tr, e.blobs, "num");
    body.prepend(tr);
    while (body.rows.length > 200) body.deleteRow(-1);
    announce("entry", "entries");
  });

  source.addEventListener("lagging", () => { if (note) { note.hidden = false; note.textContent = "Updates arrive faster than this page can show them — reload."; } });
})();
