/* Marsad review app: plain modern JS, no build step, no external requests.
 *
 * Safety rule: every piece of data (article text, names, notes, ...) reaches the
 * DOM through textContent / createElement / setAttribute, never innerHTML, so a
 * story containing "<script>" is shown as text. The page's CSP also forbids
 * inline scripts.
 */
"use strict";

(function () {
  const PLOVER_TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"];
  const ACLED = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
      "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
      "Headquarters or base established", "Looting/property destruction", "Non-violent transfer of territory", "Other"],
  };
  const ACLED_PARENT = {};
  for (const [t, subs] of Object.entries(ACLED)) for (const s of subs) ACLED_PARENT[s] = t;
  const ACLED_COLORS = {
    "Battles": "#c0392b", "Explosions/Remote violence": "#e67e22", "Violence against civilians": "#8e44ad",
    "Protests": "#2980b9", "Riots": "#16a085", "Strategic developments": "#2c3e50",
  };
  const MENTION_KINDS = [
    ["people", "m-person", "person"], ["organizations", "m-org", "organization"],
    ["places", "m-place", "place"], ["times", "m-time", "time"],
  ];
  const FILTER_KEYS = ["start", "end", "plover_type", "acled_type", "country", "admin1", "actor", "q", "status"];
  const PAGE = 100, MAX_EVENTS = 1000;  // the table shows pages of MAX_EVENTS rows (Prev/Next), fetched PAGE at a time
  const STORY_PAGE = 20;
  const LS_TOKEN = "marsad.token", LS_USER = "marsad.user";

  const $ = (sel) => document.querySelector(sel);
  const state = {
    items: [], total: 0, sort: { key: "date", dir: -1 }, selectedId: null, current: null,
    markers: new Map(), seq: 0, fitted: false, activeDay: null, offset: 0,
    storyOffset: 0, storyTotal: 0, story: null,
  };

  // ---------- small DOM helpers (text only) ----------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = String(v);
        else if (k === "dataset") Object.assign(e.dataset, v);
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function svg(tag, attrs) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }
  function say(msg, ok) {
    const m = $("#message");
    m.className = ok ? "ok" : "";
    m.textContent = msg || "";
  }
  const show = (v) => (v === null || v === undefined || v === "" ? "—" : String(v));

  // ---------- HTTP ----------
  async function api(path, opts) {
    opts = Object.assign({}, opts || {});
    const headers = Object.assign({ Accept: "application/json" }, opts.headers || {});
    // a server started private needs the token for reads too: send the stored one
    const stored = localStorage.getItem(LS_TOKEN);
    if (stored && !headers.Authorization) headers.Authorization = "Bearer " + stored;
    opts.headers = headers;
    const res = await fetch(path, opts);
    let body = null;
    const text = await res.text();
    if (text) { try { body = JSON.parse(text); } catch (_) { body = text; } }
    if (!res.ok) {
      let detail = body && body.detail !== undefined ? body.detail : body;
      if (typeof detail !== "string") detail = JSON.stringify(detail);
      const err = new Error(res.status + " " + res.statusText + (detail ? ": " + detail : ""));
      err.status = res.status;
      throw err;
    }
    return body;
  }

  // ---------- filters <-> URL ----------
  function readFilters() {
    const f = {};
    for (const key of FILTER_KEYS) {
      const input = document.querySelector('#filters [name="' + key + '"]');
      const v = input && input.value.trim();
      if (v) f[key] = v;
    }
    if ($("#f-bbox").checked && state.map) {
      const b = state.map.getBounds();
      f.bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(4)).join(",");
    }
    return f;
  }
  function writeFilters(f) {
    for (const key of FILTER_KEYS) {
      const input = document.querySelector('#filters [name="' + key + '"]');
      if (!input) continue;
      const v = f[key] || "";
      if (input.tagName === "SELECT" && v && ![...input.options].some((o) => o.value === v)) {
        input.appendChild(el("option", { value: v, text: v }));
      }
      input.value = v;
    }
  }
  function syncUrl() {
    const p = new URLSearchParams();
    const f = readFilters();
    delete f.bbox;
    for (const [k, v] of Object.entries(f)) p.set(k, v);
    if (state.selectedId !== null) p.set("event", String(state.selectedId));
    const qs = p.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
  }
  function query(f, extra) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(Object.assign({}, f, extra || {}))) if (v !== "" && v != null) p.set(k, v);
    return p.toString();
  }

  // ---------- facets ----------
  function facetValues(list) {
    return (list || []).map((x) => {
      if (x && typeof x === "object") {
        const v = x.value ?? x.name ?? x.code ?? x.type ?? x.key;
        const label = x.label || x.name_ar || x.name || v;
        return { value: String(v), label: String(label), count: x.count };
      }
      return { value: String(x), label: String(x) };
    }).filter((x) => x.value && x.value !== "null" && x.value !== "undefined");
  }
  function fillSelect(select, values) {
    const current = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const v of values) {
      const label = v.label !== v.value ? v.value + " · " + v.label : v.value;
      select.appendChild(el("option", { value: v.value, text: v.count != null ? label + " (" + v.count + ")" : label }));
    }
    if (current) {
      if (![...select.options].some((o) => o.value === current)) select.appendChild(el("option", { value: current, text: current }));
      select.value = current;
    }
  }
  async function loadFacets() {
    try {
      const f = await api("/api/facets");
      let plover = facetValues(f.plover_types);
      if (!plover.length) plover = PLOVER_TYPES.map((t) => ({ value: t, label: t }));
      fillSelect($("#f-plover"), plover);
      let acled = facetValues(f.acled_types);
      if (!acled.length) acled = Object.keys(ACLED).map((t) => ({ value: t, label: t }));
      fillSelect($("#f-acled"), acled);
      fillSelect($("#f-country"), facetValues(f.countries));
      fillSelect($("#f-admin1"), facetValues(f.admin1));
    } catch (e) {
      fillSelect($("#f-plover"), PLOVER_TYPES.map((t) => ({ value: t, label: t })));
      say("Could not load facets: " + e.message);
    }
  }
  async function loadHealth() {
    try {
      const h = await api("/api/health");
      $("#health").textContent = h.documents + " documents · " + h.events + " events";
    } catch (e) { $("#health").textContent = "API unavailable"; }
  }

  // ---------- events + timeline ----------
  async function reload(opts) {
    const seq = ++state.seq;
    const f = readFilters();
    syncUrl();
    say("");
    try {
      if (!(opts && opts.keepPage)) state.offset = 0;
      const start = state.offset;
      const [first, tl] = await Promise.all([
        api("/api/events?" + query(f, { limit: PAGE, offset: start })),
        api("/api/timeline?" + query(f)).catch((e) => ({ items: [], error: e })),
      ]);
      let items = first.items || [];
      const total = first.total ?? items.length;
      while (items.length < Math.min(total - start, MAX_EVENTS)) {
        const page = await api("/api/events?" + query(f, { limit: PAGE, offset: start + items.length }));
        if (!page.items || !page.items.length) break;
        items = items.concat(page.items);
      }
      if (seq !== state.seq) return;
      state.items = items;
      state.total = total;
      renderTable();
      // an open story owns the map: events that finish loading after it opened must not replace its markers
      if (state.story && state.storyMerged) renderStoryMarkers(state.storyMerged);
      else renderMarkers(opts && opts.fit);
      if (tl.error) say("Timeline: " + tl.error.message);
      state.timeline = tl.items || [];
      renderTimeline(state.timeline);
    } catch (e) {
      if (seq !== state.seq) return;
      if (e.status === 401 || e.status === 403) askToken(e.message); else say("Could not load events: " + e.message);
    }
  }
  // private servers: ask for the token once, keep it in localStorage, reload
  function askToken(why) {
    const m = $("#message");
    m.className = "";
    clear(m);
    const input = el("input", { type: "password", id: "token-prompt", placeholder: "API token", autocomplete: "off" });
    const form = el("form", { class: "token-form" }, "This server needs an API token to read (" + why + "). ",
      input, " ", el("button", { type: "submit" }, "Use token"));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      localStorage.setItem(LS_TOKEN, t);
      say("");
      loadHealth(); loadFacets().then(() => reload({ fit: true }));
    });
    m.appendChild(form);
    input.focus();
  }

  function sortValue(ev, key) {
    const v = ev[key];
    return v === null || v === undefined ? null : v;
  }
  function sortedItems() {
    const { key, dir } = state.sort;
    return state.items.slice().sort((a, b) => {
      const x = sortValue(a, key), y = sortValue(b, key);
      if (x === null && y === null) return a.id - b.id;
      if (x === null) return 1;
      if (y === null) return -1;
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.id - b.id;
    });
  }
  function renderTable() {
    const tbody = $("#events tbody");
    clear(tbody);
    for (const th of document.querySelectorAll("#events th")) {
      th.classList.remove("sort-asc", "sort-desc");
      if (th.dataset.sort === state.sort.key) th.classList.add(state.sort.dir > 0 ? "sort-asc" : "sort-desc");
    }
    for (const ev of sortedItems()) {
      const tr = el("tr", { "data-id": ev.id, tabindex: 0, class: ev.id === state.selectedId ? "selected" : null },
        el("td", { class: "date" }, show(ev.date)),
        el("td", null, show(ev.plover_type) + (ev.plover_mode ? "/" + ev.plover_mode : "")),
        el("td", null, show(ev.acled_sub_event_type)),
        el("td", null, el("span", { class: "ar", lang: "ar", dir: "auto" }, show(ev.location_name))),
        el("td", null, el("span", { class: "ar", dir: "auto" }, show(ev.actor1))),
        el("td", null, el("span", { class: "ar", dir: "auto" }, show(ev.actor2))),
        el("td", { class: "num" }, ev.dead == null ? "" : String(ev.dead)),
        el("td", null, el("span", { class: "badge " + (ev.status || "machine") }, show(ev.status))));
      tr.addEventListener("click", () => openEvent(ev.id));
      tr.addEventListener("keydown", (e) => { if (e.key === "Enter") openEvent(ev.id); });
      tbody.appendChild(tr);
    }
    const n = state.items.length;
    $("#count").textContent = state.total + " matching";
    $("#page-info").textContent = n ? (state.offset + 1) + "–" + (state.offset + n) + " of " + state.total : "";
    $("#page-prev").disabled = state.offset <= 0;
    $("#page-next").disabled = state.offset + n >= state.total;
  }
  function goPage(delta) {
    state.offset = Math.max(0, state.offset + delta * MAX_EVENTS);
    reload({ keepPage: true, fit: true });
  }

  // A true time axis: x is proportional to time, so 1982, 2016 and 2023 sit far apart. Bars are
  // days, or months / years when the range is too long for day bars to be seen.
  const DAY = 86400000;
  function binOf(d, unit) { return unit === "day" ? d : unit === "month" ? d.slice(0, 7) : d.slice(0, 4); }
  function binStart(b) { return Date.parse((b.length === 4 ? b + "-01-01" : b.length === 7 ? b + "-01" : b) + "T00:00:00Z"); }
  function binEnd(b) {
    const t = new Date(binStart(b));
    if (b.length === 4) t.setUTCFullYear(t.getUTCFullYear() + 1);
    else if (b.length === 7) t.setUTCMonth(t.getUTCMonth() + 1);
    else return t.getTime() + DAY;
    return t.getTime();
  }
  function renderTimeline(items) {
    const box = $("#timeline");
    clear(box);
    const W = box.clientWidth || 600, H = box.clientHeight || 110, padB = 18, padT = 6, padX = 4;
    box.setAttribute("viewBox", "0 0 " + W + " " + H);
    const days = new Map();
    for (const it of items) if (it && it.date) days.set(String(it.date).slice(0, 10), (days.get(String(it.date).slice(0, 10)) || 0) + (it.count || 0));
    const dates = [...days.keys()].sort();
    if (!dates.length) { $("#timeline-note").textContent = "no dated events"; box.dataset.unit = ""; return; }
    const spanDays = (Date.parse(dates[dates.length - 1] + "T00:00:00Z") - Date.parse(dates[0] + "T00:00:00Z")) / DAY + 1;
    const unit = spanDays <= W / 2 ? "day" : spanDays / 30.4 <= W / 2 ? "month" : "year";
    box.dataset.unit = unit;
    const counts = new Map();
    for (const [d, c] of days) counts.set(binOf(d, unit), (counts.get(binOf(d, unit)) || 0) + c);
    const bins = [...counts.keys()].sort();
    const t0 = binStart(bins[0]), t1 = binEnd(bins[bins.length - 1]);
    const x = (t) => padX + (W - 2 * padX) * (t - t0) / (t1 - t0);
    $("#timeline-note").textContent = dates[0] + " – " + dates[dates.length - 1] + " · bars per " + unit +
      " on a true time scale · click a bar to filter to that " + unit;
    const max = Math.max(...counts.values(), 1);
    box.appendChild(svg("line", { x1: 0, x2: W, y1: H - padB + 0.5, y2: H - padB + 0.5, class: "baseline" }));
    for (const b of bins) {
      const c = counts.get(b);
      const x0 = x(binStart(b)), x1 = x(binEnd(b));
      const h = Math.max(2, (H - padB - padT) * c / max);
      const w = Math.max(1.5, (x1 - x0) * 0.85);
      const r = svg("rect", {
        x: x0.toFixed(2), y: (H - padB - h).toFixed(2), width: w.toFixed(2), height: h.toFixed(2),
        class: "bar" + (state.activeDay === b ? " active" : ""), "data-date": b, "data-count": c,
      });
      const t = svg("title");
      t.textContent = b + ": " + c + " event" + (c === 1 ? "" : "s");
      r.appendChild(t);
      r.addEventListener("click", () => filterDay(b));
      box.appendChild(r);
    }
    // ticks at round dates (years, else months, else days), placed on the same scale
    const spanYears = (t1 - t0) / (365.25 * DAY);
    const ticks = [];
    if (spanYears > 3) {
      const y0 = new Date(t0).getUTCFullYear(), y1 = new Date(t1).getUTCFullYear();
      const step = Math.max(1, Math.ceil((y1 - y0 + 1) / 8));
      for (let y = Math.ceil(y0 / step) * step; y <= y1; y += step) ticks.push([Date.UTC(y, 0, 1), String(y)]);
    } else {
      const n = 6;
      for (let k = 0; k < n; k++) {
        const t = t0 + (t1 - t0) * k / (n - 1);
        ticks.push([t, new Date(t).toISOString().slice(0, spanDays > 90 ? 7 : 10)]);
      }
    }
    for (const [t, text] of ticks) {
      if (t < t0 || t > t1) continue;
      const tx = Math.min(W - 24, Math.max(24, x(t)));
      box.appendChild(svg("line", { x1: x(t).toFixed(1), x2: x(t).toFixed(1), y1: H - padB, y2: H - padB + 3, class: "baseline" }));
      const label = svg("text", { x: tx.toFixed(1), y: H - 4, "text-anchor": "middle", class: "axis" });
      label.textContent = text;
      box.appendChild(label);
    }
  }
  function filterDay(d) {
    if (state.activeDay === d) {
      state.activeDay = null;
      $("#f-start").value = ""; $("#f-end").value = "";
    } else {
      state.activeDay = d;
      $("#f-start").value = new Date(binStart(d)).toISOString().slice(0, 10);
      $("#f-end").value = new Date(binEnd(d) - DAY).toISOString().slice(0, 10);
    }
    reload({ fit: true });
  }

  // ---------- map ----------
  function initMap() {
    const map = L.map("map", { worldCopyJump: false, minZoom: 2, maxZoom: 12, attributionControl: true, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Leaflet · Natural Earth");
    map.fitBounds([[12, 24], [42, 60]]);
    state.map = map;
    state.markerLayer = L.layerGroup().addTo(map);
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      const box = el("div", { class: "map-legend" }, el("b", null, "ACLED event type"));
      for (const [t, c] of Object.entries(ACLED_COLORS)) {
        const sw = el("span", { class: "swatch" });
        sw.style.background = c;
        box.appendChild(el("div", null, sw, t));
      }
      const sw = el("span", { class: "swatch" });
      sw.style.background = "#607d8b";
      box.appendChild(el("div", null, sw, "not an ACLED event"));
      box.appendChild(el("div", { class: "muted" }, "size: fatalities · faded: marked wrong"));
      return box;
    };
    legend.addTo(map);
    fetch("/static/basemap.geojson").then((r) => r.json()).then((gj) => {
      L.geoJSON(gj, {
        interactive: false,
        style: { color: "#a9a493", weight: 0.8, fillColor: "#f2efe6", fillOpacity: 1 },
      }).addTo(map).bringToBack();
    }).catch((e) => say("Basemap failed to load: " + e.message));
    let t = null;
    map.on("moveend", () => {
      if (!$("#f-bbox").checked) return;
      clearTimeout(t);
      t = setTimeout(() => reload(), 250);
    });
  }
  function markerColor(ev) {
    return ACLED_COLORS[ev.acled_event_type] || "#607d8b";
  }
  function renderMarkers(fit) {
    state.markerLayer.clearLayers();
    state.markers.clear();
    const pts = [];
    for (const ev of state.items) {
      if (typeof ev.lat !== "number" || typeof ev.lon !== "number") continue;
      const sel = ev.id === state.selectedId;
      const m = L.circleMarker([ev.lat, ev.lon], {
        radius: 5 + Math.min(10, Math.sqrt(ev.dead || 0) * 1.5), color: sel ? "#000" : "#fff",
        weight: sel ? 3 : 1, fillColor: markerColor(ev), fillOpacity: ev.status === "wrong" ? 0.3 : 0.85,
        className: "event-marker",
      });
      const tip = el("div", { class: "marker-tip" },
        el("b", null, (ev.plover_type || "?") + (ev.acled_sub_event_type ? " · " + ev.acled_sub_event_type : "")),
        el("br"), el("span", { class: "ar", dir: "auto" }, show(ev.location_name)), " · " + show(ev.date));
      m.bindTooltip(tip, { direction: "top" });
      m.on("click", () => openEvent(ev.id));
      m.addTo(state.markerLayer);
      const path = m.getElement && m.getElement();
      if (path) path.setAttribute("data-id", String(ev.id));
      state.markers.set(ev.id, m);
      pts.push([ev.lat, ev.lon]);
    }
    if (pts.length && (fit || !state.fitted) && !$("#f-bbox").checked) {
      state.fitted = true;
      state.map.fitBounds(L.latLngBounds(pts).pad(0.3), { maxZoom: 7, animate: false });
    }
  }

  // ---------- stories ----------
  async function loadStories() {
    const kind = $("#stories-bulletins").checked ? "bulletin" : "story";
    try {
      const r = await api("/api/stories?" + query({ limit: STORY_PAGE, offset: state.storyOffset, min_docs: kind === "story" ? 2 : 1, kind }));
      state.storyTotal = r.total;
      renderStories(r.items || []);
    } catch (e) {
      if (e.status !== 401 && e.status !== 403) say("Could not load stories: " + e.message);
    }
  }
  function renderStories(items) {
    const list = $("#stories");
    clear(list);
    for (const st of items) {
      const days = st.first_day ? st.first_day + (st.last_day && st.last_day !== st.first_day ? " – " + st.last_day : "") : "undated";
      const li = el("li", { "data-story": st.story_id, tabindex: 0, class: state.story === st.story_id ? "selected" : null },
        el("span", { class: "story-title ar", lang: "ar", dir: "auto" }, show(st.title)),
        el("span", { class: "muted" }, " · " + days + " · " + st.n_docs + " article" + (st.n_docs === 1 ? "" : "s")));
      li.addEventListener("click", () => openStory(st.story_id));
      li.addEventListener("keydown", (e) => { if (e.key === "Enter") openStory(st.story_id); });
      list.appendChild(li);
    }
    const n = items.length;
    $("#stories-count").textContent = state.storyTotal ? (state.storyOffset + 1) + "–" + (state.storyOffset + n) + " of " + state.storyTotal : "none yet";
    $("#stories-prev").disabled = state.storyOffset <= 0;
    $("#stories-next").disabled = state.storyOffset + n >= state.storyTotal;
  }
  async function openStory(id) {
    state.story = id;
    for (const li of document.querySelectorAll("#stories li")) li.classList.toggle("selected", li.dataset.story === id);
    let st;
    try { st = await api("/api/stories/" + encodeURIComponent(id)); } catch (e) { say("Could not load the story: " + e.message); return; }
    if (state.story !== id) return;
    $("#event-panel").hidden = true; $("#event-empty").hidden = true; $("#story-panel").hidden = false;
    setLayout(true);
    $("#story-title").textContent = show(st.title);
    $("#story-days").textContent = (st.kind === "bulletin" ? "bulletin · " : "") + show(st.first_day) +
      (st.last_day && st.last_day !== st.first_day ? " – " + st.last_day : "") + " · " + st.n_docs + " articles";
    const docs = $("#story-docs");
    clear(docs);
    for (const d of st.documents) {
      docs.appendChild(el("div", { class: "story-doc", "data-doc": d.doc_id },
        el("div", { class: "muted" }, show(d.outlet) + " · " + show(d.published && d.published.slice(0, 16)) +
          (d.duplicate_of ? " · duplicate of " + d.duplicate_of : "")),
        el("div", { class: "doc-title", lang: "ar", dir: "rtl" }, show(d.title)),
        el("p", { class: "lead", lang: "ar", dir: "rtl" }, show(d.lead)),
        d.url ? el("a", { href: d.url, rel: "noopener noreferrer", target: "_blank" }, "source page") : null));
    }
    const box = $("#story-events");
    clear(box);
    if (!st.merged_events.length) box.appendChild(el("p", { class: "muted" }, "No dated, located events in this story."));
    for (const m of st.merged_events) {
      const dis = Object.keys(m.disagreements || {});
      const head = el("div", { class: "merged-head" },
        el("b", null, show(m.plover_type) + (m.acled_sub_event_type ? " · " + m.acled_sub_event_type : "")), " · ",
        el("span", { class: "ar", dir: "auto" }, show(m.location_name)), " · " + show(m.date) +
        " · " + m.source_count + " source" + (m.source_count === 1 ? "" : "s") +
        (m.dead != null ? " · dead " + m.dead + " (lowest reported)" : ""),
        dis.length ? el("span", { class: "badge wrong" }, "sources disagree: " + dis.join(", ")) : null);
      const row = el("div", { class: "side-by-side" });
      for (const s of m.sources || []) {
        row.appendChild(el("div", { class: "source", "data-event": s.event_id },
          el("div", { class: "muted" }, show(s.outlet) + " · " + show(s.published && s.published.slice(0, 10))),
          el("div", null, "date " + show(s.date) + " · dead " + show(s.dead) + " · injured " + show(s.injured)),
          el("q", { lang: "ar", dir: "rtl" }, show(s.anchor_quote))));
      }
      box.appendChild(el("div", { class: "merged", "data-merged": m.id }, head, row));
    }
    state.storyMerged = st.merged_events || [];
    renderStoryMarkers(state.storyMerged);
  }
  function renderStoryMarkers(merged) {
    state.markerLayer.clearLayers();
    state.markers.clear();
    const pts = [];
    for (const m of merged) {
      if (typeof m.lat !== "number" || typeof m.lon !== "number") continue;
      const mk = L.circleMarker([m.lat, m.lon], {
        radius: 6 + Math.min(10, 2 * m.source_count), color: "#000", weight: 2,
        fillColor: ACLED_COLORS[m.acled_event_type] || "#607d8b", fillOpacity: 0.9, className: "merged-marker",
      });
      mk.bindTooltip(show(m.plover_type) + " · " + show(m.location_name) + " · " + m.source_count + " sources", { direction: "top" });
      mk.addTo(state.markerLayer);
      const path = mk.getElement && mk.getElement();
      if (path) path.setAttribute("data-merged", String(m.id));
      pts.push([m.lat, m.lon]);
    }
    if (pts.length) state.map.fitBounds(L.latLngBounds(pts).pad(0.5), { maxZoom: 8, animate: false });
  }
  function closeStory() {
    state.story = null;
    state.storyMerged = null;
    $("#story-panel").hidden = true;
    for (const li of document.querySelectorAll("#stories li")) li.classList.remove("selected");
    if (state.selectedId === null) { $("#event-empty").hidden = false; setLayout(false); }
    renderMarkers(false);
  }

  // ---------- event + article ----------
  // no event open: the map takes the full width; an open event gets the right column
  function setLayout(open) {
    const layout = $("#layout");
    if (layout.classList.contains("with-event") === open) return;
    layout.classList.toggle("with-event", open);
    if (state.map) state.map.invalidateSize({ animate: false });
    renderTimeline(state.timeline || []);
  }
  async function openEvent(id) {
    id = Number(id);
    if (state.story !== null) { state.story = null; $("#story-panel").hidden = true; }
    state.selectedId = id;
    syncUrl();
    for (const tr of document.querySelectorAll("#events tbody tr")) tr.classList.toggle("selected", Number(tr.dataset.id) === id);
    try {
      const ev = await api("/api/events/" + encodeURIComponent(id));
      if (state.selectedId !== id) return;
      state.current = ev;
      renderEvent(ev);
      renderMarkers(false);
      const m = state.markers.get(id);
      if (m && !state.map.getBounds().contains(m.getLatLng())) state.map.panTo(m.getLatLng(), { animate: false });
    } catch (e) {
      say("Could not open event " + id + ": " + e.message);
    }
  }

  function renderEvent(ev) {
    $("#event-panel").hidden = false;
    $("#event-empty").hidden = true;
    setLayout(true);
    $("#ev-title").textContent = "Event #" + ev.id + " · " + show(ev.plover_type) + (ev.plover_mode ? "/" + ev.plover_mode : "");
    const badge = $("#ev-status");
    badge.className = "badge " + (ev.status || "machine");
    badge.textContent = show(ev.status);
    const rec = ev.record || {};
    const meta = $("#ev-meta");
    clear(meta);
    // values that may hold Arabic are isolated in <bdi> so the LTR line keeps its order
    const row = (k, ...parts) => {
      meta.appendChild(el("dt", null, k));
      meta.appendChild(el("dd", null, ...parts.map((x) => (x && typeof x === "object" && x.bdi !== undefined ? el("bdi", null, x.bdi) : x))));
    };
    const actorParts = (name, country, sector) => {
      const codes = [country, sector].filter(Boolean).join("/");
      return [{ bdi: show(name) }, codes ? " (" + codes + ")" : ""];
    };
    row("ACLED", ev.acled_sub_event_type ? show(ev.acled_event_type) + " › " + ev.acled_sub_event_type : "— (not an ACLED event)");
    row("Date", show(ev.date) + (ev.time_precision ? " (precision " + ev.time_precision + ")" : ""));
    row("Location", { bdi: show(ev.location_name) }, [ev.admin1, ev.country].filter(Boolean).map((x) => " · " + x).join("") +
      (ev.geo_precision ? " · precision " + ev.geo_precision : "") +
      (typeof ev.lat === "number" ? " · " + ev.lat.toFixed(3) + ", " + ev.lon.toFixed(3) : ""));
    row("Actor 1", ...actorParts(ev.actor1, ev.actor1_country, ev.actor1_sector));
    row("Actor 2", ...actorParts(ev.actor2, ev.actor2_country, ev.actor2_sector));
    const size = [["dead", ev.dead], ["injured", ev.injured], ["arrested", ev.arrested]].filter((x) => x[1] != null);
    row("Size", size.length ? size.map((x) => x[1] + " " + x[0]).join(", ") : "—");
    const mod = rec.modality ? Object.entries(rec.modality).filter((x) => x[1]).map((x) => x[0]) : [];
    if (mod.length) row("Modality", mod.join(", "));
    if (rec.attribution && rec.attribution.length) {
      row("Attribution", { bdi: rec.attribution.map((a) => [a.speaker, a.via && "via " + a.via, a.anonymous && "(anonymous)"].filter(Boolean).join(" ")).join("; ") });
    }
    row("Confidence", ev.confidence == null ? "—" : Number(ev.confidence).toFixed(2));
    row("Anchor", el("span", { lang: "ar", dir: "rtl", class: "anchor-quote" }, show(ev.anchor_quote)));

    const doc = ev.document || {};
    const head = $("#doc-head");
    clear(head);
    if (doc.title) head.appendChild(el("div", { class: "doc-title", lang: "ar", dir: "rtl" }, doc.title));
    const src = el("div", { class: "muted doc-source" });
    [doc.outlet, doc.published, doc.doc_id && "doc " + doc.doc_id].filter(Boolean).forEach((part, i) => {
      if (i) src.appendChild(document.createTextNode(" · "));
      src.appendChild(el("bdi", null, part));
    });
    if (doc.url && /^https?:\/\//i.test(doc.url)) {
      src.appendChild(document.createTextNode(" · "));
      src.appendChild(el("a", { href: doc.url, rel: "noopener noreferrer", target: "_blank" }, "source"));
    }
    head.appendChild(src);
    renderArticle($("#article"), doc, ev);
    fillCorrectionForm(ev);
    renderHistory(ev.corrections || []);
  }

  // code-point offsets (Python) -> UTF-16 indices (JS)
  function cpIndex(text) {
    const idx = [0];
    let u = 0;
    for (const ch of text) { u += ch.length; idx.push(u); }
    return idx;
  }
  function validSpan(span, n) {
    return Array.isArray(span) && span.length >= 2 && Number.isInteger(span[0]) && Number.isInteger(span[1]) &&
      span[0] >= 0 && span[1] > span[0] && span[0] < n;
  }
  function mentionTitle(kind, m) {
    const parts = [kind + ": " + (m.text || "")];
    if (kind === "place") {
      if (m.name) parts.push(m.name);
      if (m.geonameid) parts.push("GeoNames " + m.geonameid);
      if (m.admin1 || m.country) parts.push([m.admin1, m.country].filter(Boolean).join(" · "));
      if (m.geo_precision) parts.push("precision " + m.geo_precision);
    } else if (kind === "time") {
      if (m.value) parts.push(m.value + (m.end ? " – " + m.end : ""));
      if (m.time_precision) parts.push("precision " + m.time_precision);
    } else {
      if (m.name) parts.push(m.name);
      const codes = [m.country, m.sector, m.kind].filter(Boolean).join("/");
      if (codes) parts.push(codes);
    }
    return parts.join(" · ");
  }
  function renderArticle(box, doc, ev) {
    clear(box);
    const text = typeof doc.text === "string" ? doc.text : "";
    const idx = cpIndex(text);
    const n = idx.length - 1;
    const slice = (a, b) => text.slice(idx[Math.max(0, Math.min(a, n))], idx[Math.max(0, Math.min(b, n))]);
    // annotations: mentions + the anchor
    const anns = [];
    const mentions = doc.mentions || {};
    for (const [key, cls, kind] of MENTION_KINDS) {
      for (const m of mentions[key] || []) {
        if (!m || !validSpan(m.span, n)) continue;
        anns.push({ s: m.span[0], e: Math.min(m.span[1], n), cls: "mention " + cls, title: mentionTitle(kind, m) });
      }
    }
    const anchor = validSpan(ev.anchor_span, n) ? [ev.anchor_span[0], Math.min(ev.anchor_span[1], n)] : null;
    if (anchor) anns.push({ s: anchor[0], e: anchor[1], cls: "anchor", title: "event anchor: " + show(ev.plover_type) });
    // sentences (sorted, non-overlapping)
    let sents = (doc.sentences || []).map((s, i) => ({ s: s[0], e: Math.min(s[1], n), i }))
      .filter((x) => validSpan([x.s, x.e], n)).sort((a, b) => a.s - b.s);
    const clean = [];
    for (const s of sents) if (!clean.length || s.s >= clean[clean.length - 1].e) clean.push(s);
    sents = clean;
    let anchorSent = null;
    if (Number.isInteger(ev.sentence_index)) anchorSent = sents.find((x) => x.i === ev.sentence_index) || null;
    if (anchorSent && anchor && !(anchorSent.s <= anchor[0] && anchor[0] < anchorSent.e)) anchorSent = null;
    if (!anchorSent && anchor) anchorSent = sents.find((x) => x.s <= anchor[0] && anchor[0] < x.e) || null;

    function renderRange(parent, a, b) {
      const bounds = new Set([a, b]);
      const inside = anns.filter((x) => x.s < b && x.e > a);
      for (const x of inside) { if (x.s > a) bounds.add(x.s); if (x.e < b) bounds.add(x.e); }
      const pts = [...bounds].sort((p, q) => p - q);
      for (let k = 0; k + 1 < pts.length; k++) {
        const x = pts[k], y = pts[k + 1];
        const cover = inside.filter((z) => z.s <= x && z.e >= y);
        const t = slice(x, y);
        if (!cover.length) { parent.appendChild(document.createTextNode(t)); continue; }
        const classes = new Set();
        for (const z of cover) for (const c of z.cls.split(" ")) classes.add(c);
        parent.appendChild(el("span", {
          class: [...classes].join(" "), title: cover.map((z) => z.title).join("\n"),
          "data-start": x, "data-end": y,
        }, t));
      }
    }
    let pos = 0;
    for (const s of sents) {
      if (s.s > pos) renderRange(box, pos, s.s);
      const span = el("span", { class: "sentence" + (s === anchorSent ? " anchor-sentence" : ""), "data-index": s.i });
      renderRange(span, s.s, s.e);
      box.appendChild(span);
      pos = s.e;
    }
    if (pos < n) renderRange(box, pos, n);
    const target = box.querySelector(".anchor") || box.querySelector(".anchor-sentence");
    if (target) {
      const top = target.offsetTop - box.offsetTop - 40;
      box.scrollTop = Math.max(0, top);
    }
  }

  // ---------- corrections ----------
  function fillCorrectionForm(ev) {
    const pl = $("#c-plover");
    clear(pl);
    for (const t of PLOVER_TYPES) pl.appendChild(el("option", { value: t, text: t }));
    if (ev.plover_type && !PLOVER_TYPES.includes(ev.plover_type)) pl.appendChild(el("option", { value: ev.plover_type, text: ev.plover_type }));
    pl.value = ev.plover_type || "";
    const ac = $("#c-acled");
    clear(ac);
    ac.appendChild(el("option", { value: "", text: "— none —" }));
    for (const [t, subs] of Object.entries(ACLED)) {
      const g = el("optgroup", { label: t });
      for (const s of subs) g.appendChild(el("option", { value: s, text: s }));
      ac.appendChild(g);
    }
    if (ev.acled_sub_event_type && !ACLED_PARENT[ev.acled_sub_event_type]) ac.appendChild(el("option", { value: ev.acled_sub_event_type, text: ev.acled_sub_event_type }));
    ac.value = ev.acled_sub_event_type || "";
    $("#c-actor1").value = ev.actor1 || "";
    $("#c-actor1-country").value = ev.actor1_country || "";
    $("#c-actor1-sector").value = ev.actor1_sector || "";
    $("#c-loc").value = ev.location_name || "";
    $("#c-lat").value = typeof ev.lat === "number" ? String(ev.lat) : "";
    $("#c-lon").value = typeof ev.lon === "number" ? String(ev.lon) : "";
    $("#c-date").value = /^\d{4}-\d{2}-\d{2}$/.test(ev.date || "") ? ev.date : "";
    $("#c-wrong").checked = ev.status === "wrong";
    $("#c-note").value = "";
    $("#c-user").value = localStorage.getItem(LS_USER) || "";
    $("#c-token").value = localStorage.getItem(LS_TOKEN) || "";
    $("#c-result").textContent = "";
  }
  function correctionBody(ev) {
    const v = (id) => $(id).value.trim();
    const body = { user: v("#c-user") };
    let changed = false;
    if (v("#c-plover") && v("#c-plover") !== (ev.plover_type || "")) { body.plover_type = v("#c-plover"); changed = true; }
    const sub = v("#c-acled");
    if (sub && sub !== (ev.acled_sub_event_type || "")) {
      body.acled_sub_event_type = sub;
      if (ACLED_PARENT[sub]) body.acled_event_type = ACLED_PARENT[sub];
      changed = true;
    }
    if (v("#c-actor1") !== (ev.actor1 || "") || v("#c-actor1-country") !== (ev.actor1_country || "") ||
        v("#c-actor1-sector") !== (ev.actor1_sector || "")) {
      body.actor1 = { name: v("#c-actor1") || null, country: v("#c-actor1-country").toUpperCase() || null,
        sector: v("#c-actor1-sector").toUpperCase() || null };
      changed = true;
    }
    const latS = v("#c-lat"), lonS = v("#c-lon");
    const oldLat = typeof ev.lat === "number" ? String(ev.lat) : "", oldLon = typeof ev.lon === "number" ? String(ev.lon) : "";
    if (v("#c-loc") !== (ev.location_name || "") || latS !== oldLat || lonS !== oldLon) {
      const lat = latS === "" ? null : Number(latS), lon = lonS === "" ? null : Number(lonS);
      if ((lat !== null && !(Math.abs(lat) <= 90)) || (lon !== null && !(Math.abs(lon) <= 180))) {
        throw new Error("latitude/longitude out of range");
      }
      body.location = { name: v("#c-loc") || null, lat, lon };
      changed = true;
    }
    const d = v("#c-date");
    if (d && d !== (ev.date || "")) { body.date = d; changed = true; }
    const wrong = $("#c-wrong").checked;
    if (wrong !== (ev.status === "wrong")) { body.wrong = wrong; changed = true; }
    const note = $("#c-note").value.trim();
    if (note) body.note = note;
    return { body, changed: changed || !!note };
  }
  async function submitCorrection(e) {
    e.preventDefault();
    const ev = state.current;
    if (!ev) return;
    const res = $("#c-result");
    let built;
    try { built = correctionBody(ev); } catch (err) { res.textContent = err.message; return; }
    if (!built.body.user) { res.textContent = "Enter your name."; $("#c-user").focus(); return; }
    if (!built.changed) { res.textContent = "Nothing changed."; return; }
    const token = $("#c-token").value.trim();
    localStorage.setItem(LS_USER, built.body.user);
    if (token) localStorage.setItem(LS_TOKEN, token); else localStorage.removeItem(LS_TOKEN);
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    $("#c-submit").disabled = true;
    res.textContent = "Saving…";
    try {
      const updated = await api("/api/events/" + encodeURIComponent(ev.id) + "/corrections",
        { method: "POST", headers, body: JSON.stringify(built.body) });
      const fresh = await api("/api/events/" + encodeURIComponent(ev.id));
      state.current = fresh;
      renderEvent(fresh);
      $("#c-result").textContent = "Saved: status " + show((updated && updated.status) || fresh.status) + ".";
      say("Correction saved for event #" + ev.id + ".", true);
      reload();
    } catch (err) {
      res.textContent = (err.status === 401 || err.status === 403 ? "Token missing or refused. " : "") + err.message;
    } finally {
      $("#c-submit").disabled = false;
    }
  }
  // short, readable form of a changed value (places and actors are whole records)
  function brief(v) {
    if (v === null || v === undefined) return "null";
    if (typeof v !== "object") return JSON.stringify(v);
    if (Array.isArray(v)) return "[" + v.map(brief).join(", ") + "]";
    const parts = [];
    const label = v.name || v.text || v.value;
    if (label) parts.push(String(label));
    if (typeof v.lat === "number" && typeof v.lon === "number") parts.push(v.lat.toFixed(4) + ", " + v.lon.toFixed(4));
    const codes = [v.country, v.sector, v.admin1].filter(Boolean).join("/");
    if (codes) parts.push(codes);
    const out = parts.length ? parts.join(" · ") : JSON.stringify(v);
    return out.length > 160 ? out.slice(0, 157) + "…" : out;
  }
  function when(ts) {
    const t = Date.parse(ts || "");
    return isNaN(t) ? show(ts) : new Date(t).toISOString().slice(0, 19).replace("T", " ") + " UTC";
  }
  function renderHistory(list) {
    const ol = $("#history");
    clear(ol);
    if (!list.length) { ol.appendChild(el("li", { class: "muted none" }, "No corrections yet.")); return; }
    for (const c of list) {
      const changes = el("div", { class: "changes", dir: "ltr" });
      for (const [k, v] of Object.entries(c.changes || {})) {
        const before = c.before && Object.prototype.hasOwnProperty.call(c.before, k) ? brief(c.before[k]) : "?";
        changes.appendChild(el("div", { class: "change" }, k + ": ", el("bdi", { dir: "ltr" }, before), " → ", el("bdi", { dir: "ltr" }, brief(v))));
      }
      if (!changes.firstChild) changes.textContent = "(no field changes)";
      ol.appendChild(el("li", { class: "correction", "data-id": c.id },
        el("b", null, el("bdi", null, show(c.user))), " · " + when(c.created_at),
        c.note ? el("div", { class: "note", dir: "auto" }, c.note) : null,
        changes));
    }
  }

  // ---------- wiring ----------
  function init() {
    initMap();
    const params = new URLSearchParams(location.search);
    const f = {};
    for (const k of FILTER_KEYS) if (params.get(k)) f[k] = params.get(k);
    const evParam = params.get("event");
    if (f.start && f.start === f.end) state.activeDay = f.start;
    $("#filters").addEventListener("submit", (e) => { e.preventDefault(); state.activeDay = null; reload({ fit: true }); });
    for (const s of document.querySelectorAll("#filters select, #filters input[type=date], #f-bbox")) {
      s.addEventListener("change", () => { state.activeDay = null; reload({ fit: s.id !== "f-bbox" }); });
    }
    let typing = null;
    for (const s of document.querySelectorAll("#filters input[type=search]")) {
      s.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(() => reload({ fit: true }), 400); });
    }
    $("#f-reset").addEventListener("click", () => {
      writeFilters({}); $("#f-bbox").checked = false; state.activeDay = null; reload({ fit: true });
    });
    for (const th of document.querySelectorAll("#events th.sortable")) {
      th.addEventListener("click", () => {
        const key = th.dataset.sort;
        state.sort = state.sort.key === key ? { key, dir: -state.sort.dir } : { key, dir: key === "date" ? -1 : 1 };
        renderTable();
      });
    }
    $("#ev-close").addEventListener("click", () => {
      state.selectedId = null; state.current = null;
      $("#event-panel").hidden = true; $("#event-empty").hidden = false;
      setLayout(false);
      syncUrl(); renderTable(); renderMarkers(false);
    });
    $("#correction").addEventListener("submit", submitCorrection);
    $("#page-prev").addEventListener("click", () => goPage(-1));
    $("#page-next").addEventListener("click", () => goPage(1));
    $("#stories-prev").addEventListener("click", () => { state.storyOffset = Math.max(0, state.storyOffset - STORY_PAGE); loadStories(); });
    $("#stories-next").addEventListener("click", () => { state.storyOffset += STORY_PAGE; loadStories(); });
    $("#stories-bulletins").addEventListener("change", () => { state.storyOffset = 0; loadStories(); });
    $("#story-close").addEventListener("click", closeStory);
    window.addEventListener("resize", () => { if (state.map) state.map.invalidateSize(); });
    loadHealth();
    loadStories();
    loadFacets().then(() => {
      writeFilters(f);
      return reload({ fit: true });
    }).then(() => { if (evParam && /^\d+$/.test(evParam)) openEvent(Number(evParam)); });
  }
  // expose a tiny hook for tests/debugging (read-only state)
  window.marsad = { state, reload, openEvent, openStory };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
