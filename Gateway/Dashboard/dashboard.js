// The operator's dashboard: signs in, reads /health, /api/v1/admin/dashboard and
// /api/v1/admin/analytics/summary with an admin's token, and draws them (plain DOM and SVG,
// no library). Every number shown carries data-metric, so a test can read it back.
"use strict";

const TOKEN_KEY = "ecommerce-admin-token";
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

function token() {
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (response.status === 401 || response.status === 403) throw new SignInNeeded();
  const body = await response.json();
  if (!response.ok && path !== "/health") throw new Error(body.error ? body.error.message : `${path}: ${response.status}`);
  return body;
}

class SignInNeeded extends Error {}

function cell(row, text, metric, numeric) {
  const td = document.createElement("td");
  td.textContent = text;
  if (metric) td.dataset.metric = metric;
  if (numeric) td.className = "number";
  row.appendChild(td);
  return td;
}

function rows(tbody, items, render) {
  tbody.replaceChildren();
  for (const [index, item] of items.entries()) {
    const row = document.createElement("tr");
    render(row, item, index);
    tbody.appendChild(row);
  }
  if (items.length === 0) {
    const row = document.createElement("tr");
    const td = cell(row, "nothing yet");
    td.colSpan = 9;
    td.className = "muted";
    tbody.appendChild(row);
  }
}

function card(parent, label, value, metric, state) {
  const div = document.createElement("div");
  div.className = `card ${state || ""}`;
  div.innerHTML = `<div class="label"></div><div class="value"></div>`;
  div.firstChild.textContent = label;
  div.lastChild.textContent = value;
  div.lastChild.dataset.metric = metric;
  parent.appendChild(div);
}

// Bars of `series` ([{label, parts: [{value, className}]}]), stacked, with labels under them.
function bars(svg, series) {
  svg.replaceChildren();
  const width = svg.clientWidth || 1000, height = 140, bottom = 18;
  const max = Math.max(1, ...series.map((s) => s.parts.reduce((sum, p) => sum + p.value, 0)));
  const slot = Math.min(width / Math.max(series.length, 1), 90);
  series.forEach((item, index) => {
    let y = height - bottom;
    for (const part of item.parts) {
      const h = (part.value / max) * (height - bottom - 14);
      const rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", index * slot + slot * 0.15);
      rect.setAttribute("width", slot * 0.7);
      rect.setAttribute("y", y - h);
      rect.setAttribute("height", h);
      rect.setAttribute("class", part.className || "bar");
      svg.appendChild(rect);
      y -= h;
    }
    const total = item.parts.reduce((sum, p) => sum + p.value, 0);
    for (const [text, ty] of [[item.label, height - 4], [String(total), y - 3]]) {
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", index * slot + slot / 2);
      label.setAttribute("y", ty);
      label.setAttribute("text-anchor", "middle");
      label.textContent = text;
      svg.appendChild(label);
    }
  });
}

const percent = (share) => `${(share * 100).toFixed(1)}%`;
const hourLabel = (iso) => iso.slice(11, 16);
const timeLabel = (iso) => iso.replace("T", " ").slice(0, 19);

function drawHealth(health) {
  const box = $("health");
  box.replaceChildren();
  for (const part of ["gateway", "user", "product", "order"]) {
    const report = (health.services || {})[part];
    const state = report && report.status === "ok" ? "ok" : "down";
    card(box, part, state, `health.${part}`, state);
  }
}

function drawTraffic(traffic) {
  bars($("traffic-chart"), traffic.map((t) => ({ label: t.service, parts: [{ value: t.requests }] })));
  rows($("traffic"), traffic, (row, t) => {
    cell(row, t.service);
    cell(row, String(t.requests), `traffic.${t.service}.requests`, true);
    cell(row, t.requests_per_minute.toFixed(2), `traffic.${t.service}.per_minute`, true);
    cell(row, percent(t.error_share), `traffic.${t.service}.error_share`, true);
    cell(row, `${t.p95_ms.toFixed(1)} ms`, `traffic.${t.service}.p95_ms`, true);
  });
}

function drawOrders(orders) {
  const totals = $("order-totals");
  totals.replaceChildren();
  if (!orders) return;
  const sum = (key) => orders.hours.reduce((total, hour) => total + hour[key], 0);
  const revenue = orders.hours.reduce((total, hour) => total + Math.round(Number(hour.revenue) * 100), 0);
  card(totals, "confirmed", String(sum("confirmed")), "orders.confirmed", "ok");
  card(totals, "failed", String(sum("failed")), "orders.failed");
  card(totals, "cancelled", String(sum("cancelled")), "orders.cancelled");
  card(totals, "revenue", (revenue / 100).toFixed(2), "orders.revenue");
  bars($("orders-chart"), orders.hours.map((h) => ({
    label: hourLabel(h.hour),
    parts: [{ value: h.confirmed, className: "confirmed" }, { value: h.failed, className: "failed" },
            { value: h.cancelled, className: "cancelled" }],
  })));
  rows($("orders"), orders.hours, (row, h, i) => {
    cell(row, timeLabel(h.hour).slice(0, 16));
    cell(row, String(h.confirmed), `orders.hour.${i}.confirmed`, true);
    cell(row, String(h.failed), `orders.hour.${i}.failed`, true);
    cell(row, String(h.cancelled), `orders.hour.${i}.cancelled`, true);
    cell(row, h.revenue, `orders.hour.${i}.revenue`, true);
  });
  rows($("top-products"), orders.top_products, (row, p, i) => {
    cell(row, String(p.product_id), `top.${i}.product_id`);
    cell(row, p.product_name);
    cell(row, String(p.units), `top.${i}.units`, true);
    cell(row, p.revenue, `top.${i}.revenue`, true);
  });
}

function drawAnalytics(summary) {
  const days = Object.keys(summary.by_day).sort();
  bars($("analytics-chart"), days.map((day) => ({ label: day.slice(5), parts: [{ value: summary.by_day[day] }] })));
  rows($("analytics"), days, (row, day) => {
    cell(row, day);
    cell(row, String(summary.by_day[day]), `analytics.${day}`, true);
  });
  $("analytics-total").textContent = String(summary.total);
}

function drawFailures(failures) {
  rows($("failures"), failures, (row, f, i) => {
    cell(row, timeLabel(f.created_at));
    cell(row, f.service_name);
    cell(row, `${f.method} ${f.path}`);
    cell(row, String(f.status_code), `failure.${i}.status_code`, true);
    cell(row, f.request_id || "", `failure.${i}.request_id`);
  });
}

async function refresh() {
  const main = $("dashboard");
  try {
    const since = new Date(Date.now() - 7 * 86400 * 1000).toISOString().slice(0, 19) + "Z";
    const [health, report, summary] = await Promise.all([
      api("/health"), api("/api/v1/admin/dashboard"), api(`/api/v1/admin/analytics/summary?since=${since}`),
    ]);
    $("sign-in").hidden = true;
    main.hidden = false;
    $("sign-out").hidden = false;
    drawHealth(health);
    drawTraffic(report.traffic);
    drawOrders(report.orders);
    drawAnalytics(summary);
    drawFailures(report.failures);
    $("generated-at").textContent = timeLabel(report.generated_at) + " UTC";
    $("unavailable").textContent = report.unavailable.length ? `Not available now: ${report.unavailable.join(", ")}` : "";
    main.dataset.state = "ready";
  } catch (error) {
    if (error instanceof SignInNeeded) {
      sessionStorage.removeItem(TOKEN_KEY);
      main.hidden = true;
      $("sign-in").hidden = false;
    } else {
      $("unavailable").textContent = `Cannot read the dashboard: ${error.message}`;
      main.dataset.state = "error";
    }
  }
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch("/api/v1/auth/login", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: form.get("email"), password: form.get("password") }),
  });
  const body = await response.json();
  if (!response.ok) {
    $("sign-in-error").textContent = body.error ? body.error.message : "sign-in failed";
    return;
  }
  if (!(body.user.roles || []).includes("admin")) {
    $("sign-in-error").textContent = "this account is not an admin";
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, body.token.id_token);
  refresh();
});

$("sign-out").addEventListener("click", (event) => {
  event.preventDefault();
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});

if (token()) refresh(); else $("sign-in").hidden = false;
setInterval(() => { if (token()) refresh(); }, 30000);
