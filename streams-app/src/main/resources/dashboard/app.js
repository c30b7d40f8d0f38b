// lm-advisor dashboard: three views over the advisor's own JSON endpoints and one server-sent event stream.
// Plain ES module, no build step; charts are uPlot (WebJar, served from the jar).

const FEED_MAX = 200;
const ALGORITHMS = ['PRECOPY', 'AUTO_CONVERGE', 'XBZRLE', 'COMPRESS', 'POSTCOPY'];
const SHORT = { PRECOPY: 'PRE', AUTO_CONVERGE: 'AC', XBZRLE: 'XBZ', COMPRESS: 'CMP', POSTCOPY: 'POST' };
const RISKS = {
  NO_FEASIBLE_MIGRATION: 'no feasible migration',
  PRECOPY_NON_CONVERGENT: 'pre-copy non-convergent',
  DOWNTIME_RISK: 'downtime',
  DEGRADATION_RISK: 'degradation',
  DESTINATION_CAPACITY: 'destination capacity',
  AGENT_SILENT: 'agent silent',
  MODEL_DRIFT: 'model drift',
};
// Severity is shown as an icon and a word, never by colour alone.
const SEVERITY = {
  CRITICAL: { icon: '✖', word: 'critical' },
  WARNING: { icon: '▲', word: 'warning' },
  INFO: { icon: '●', word: 'info' },
  OK: { icon: '✓', word: 'no open risk' },
};

const state = {
  fleet: null,
  filters: { host: '', risk: '', algorithm: '' },
  feed: [],
  refreshTimer: null,
  charts: [],
  firstPaintDone: false,
};

const main = () => document.getElementById('main');
const statusEl = () => document.getElementById('status');

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function num(v) {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

function fmt(v, digits = 1) {
  const n = num(v);
  return n === null ? '—' : n.toLocaleString('en', { maximumFractionDigits: digits });
}

async function getJson(path) {
  const r = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (r.status === 401) {
    location.href = '/login';
    throw new Error('signed out');
  }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new Error(body.error || ('HTTP ' + r.status + ' for ' + path));
  }
  return body;
}

function setStatus(text) {
  statusEl().textContent = text;
}

function destroyCharts() {
  state.charts.forEach(c => c.destroy());
  state.charts = [];
}

// ---------- routing ----------

function route() {
  destroyCharts();
  const hash = location.hash || '#/';
  document.querySelectorAll('nav a').forEach(a => a.removeAttribute('aria-current'));
  if (hash.startsWith('#/vm/')) {
    renderVm(decodeURIComponent(hash.substring('#/vm/'.length)));
  } else if (hash === '#/model') {
    document.getElementById('nav-model').setAttribute('aria-current', 'page');
    renderModel();
  } else {
    document.getElementById('nav-fleet').setAttribute('aria-current', 'page');
    renderFleet();
  }
}

// ---------- fleet view ----------

function vmRow(r) {
  return { vmId: r[0], hostId: r[1], algorithm: r[2], worstRisk: r[3], severity: r[4],
    openRisks: r[5] ? r[5].split(',') : [], vmSizeMb: r[6], pdr: r[7] };
}

async function loadFleet() {
  const f = await getJson('/dashboard/api/fleet');
  f.vms = f.vms.map(vmRow);
  state.fleet = f;
  return f;
}

async function renderFleet() {
  document.title = 'lm-advisor — fleet';
  if (!state.fleet) {
    main().innerHTML = '<p>Loading the fleet…</p>';
  } else {
    drawFleet();
  }
  try {
    await loadFleet();
    if ((location.hash || '#/') === '#/' || location.hash === '') {
      drawFleet();
    }
  } catch (e) {
    main().innerHTML = '<p class="error" role="alert">Cannot load the fleet: ' + esc(e.message) + ' (retrying)</p>';
    setTimeout(() => { if (!location.hash || location.hash === '#/') renderFleet(); }, 2000);
  }
}

function passes(vm) {
  const f = state.filters;
  if (f.host && vm.hostId !== f.host) return false;
  if (f.algorithm && (vm.algorithm || 'NONE') !== f.algorithm) return false;
  if (f.risk === 'NONE' && vm.openRisks.length) return false;
  if (f.risk && f.risk !== 'NONE' && !vm.openRisks.includes(f.risk)) return false;
  return true;
}

function options(values, selected, anyLabel, label = v => v) {
  return '<option value="">' + esc(anyLabel) + '</option>' + values.map(v =>
    '<option value="' + esc(v) + '"' + (v === selected ? ' selected' : '') + '>' + esc(label(v)) + '</option>').join('');
}

function drawFleet() {
  const f = state.fleet;
  if (!f) return;
  const hosts = new Map();
  (f.hosts || []).forEach(h => hosts.set(h.hostId, { info: h, vms: [] }));
  const counts = {};
  Object.keys(RISKS).forEach(k => { counts[k] = 0; });
  let shown = 0;
  for (const vm of f.vms) {
    vm.openRisks.forEach(t => { counts[t] = (counts[t] || 0) + 1; });
    if (!hosts.has(vm.hostId)) hosts.set(vm.hostId, { info: null, vms: [] });
    if (passes(vm)) {
      hosts.get(vm.hostId).vms.push(vm);
      shown++;
    }
  }
  const hostIds = [...hosts.keys()].sort();
  const html = [];
  html.push('<div class="fleet-layout"><div class="fleet-main">');
  html.push('<h2>Fleet <small>' + f.vms.length + ' VMs on ' + hostIds.length + ' hosts · model ' + esc(f.modelVersion) + '</small></h2>');
  html.push('<ul class="counts" aria-label="Open risks per type">');
  for (const [k, label] of Object.entries(RISKS)) {
    html.push('<li><button type="button" class="count" data-risk="' + k + '" aria-pressed="' + (state.filters.risk === k) + '">'
      + '<span class="n">' + counts[k] + '</span> ' + esc(label) + '</button></li>');
  }
  html.push('</ul>');
  html.push('<form class="filters" aria-label="Filters" onsubmit="return false">');
  html.push('<label>Host <select id="f-host">' + options(hostIds, state.filters.host, 'all hosts') + '</select></label>');
  html.push('<label>Risk <select id="f-risk">' + options([...Object.keys(RISKS), 'NONE'], state.filters.risk, 'any',
    v => v === 'NONE' ? 'no open risk' : RISKS[v]) + '</select></label>');
  html.push('<label>Algorithm <select id="f-alg">' + options([...ALGORITHMS, 'NONE'], state.filters.algorithm, 'any',
    v => v === 'NONE' ? 'none feasible' : v) + '</select></label>');
  html.push('<span class="shown" aria-live="polite">' + shown + ' shown</span></form>');
  html.push('<div class="legend" aria-hidden="true">' + Object.entries(SEVERITY).map(([k, s]) =>
    '<span class="sev-' + k + '">' + s.icon + ' ' + s.word + '</span>').join(' ') + '</div>');
  for (const id of hostIds) {
    const h = hosts.get(id);
    if (state.filters.host && id !== state.filters.host) continue;
    if (!h.vms.length && (state.filters.risk || state.filters.algorithm)) continue;
    html.push('<section class="host" aria-label="Host ' + esc(id) + '"><h3>' + esc(id) + ' <small>' + headroom(h.info) + '</small></h3>');
    html.push('<ul class="vms">');
    for (const vm of h.vms) {
      const sev = vm.severity || 'OK';
      const s = SEVERITY[sev] || SEVERITY.OK;
      const risk = vm.worstRisk ? RISKS[vm.worstRisk] || vm.worstRisk : 'ok';
      html.push('<li><a class="vm sev-' + sev + '" href="#/vm/' + encodeURIComponent(vm.vmId) + '" data-vm="' + esc(vm.vmId)
        + '" title="' + esc(vm.vmId + ': ' + s.word + (vm.worstRisk ? ' ' + risk : '') + ', ' + (vm.algorithm || 'no feasible algorithm')) + '">'
        + '<span class="icon" aria-hidden="true">' + s.icon + '</span> ' + esc(vm.vmId)
        + ' <span class="risk">' + esc(risk) + '</span></a></li>');
    }
    html.push('</ul></section>');
  }
  html.push('</div>');
  html.push('<aside class="feed" aria-label="Live feed"><h2>Live feed <small>(last ' + FEED_MAX + ')</small></h2><ol id="feed" aria-live="polite"></ol></aside>');
  html.push('</div>');
  main().innerHTML = html.join('');
  const feedEl = document.getElementById('feed');
  const items = state.feed.slice(-FEED_MAX).reverse().map(feedItemHtml).join('');
  feedEl.innerHTML = items;
  document.getElementById('f-host').onchange = e => { state.filters.host = e.target.value; drawFleet(); };
  document.getElementById('f-risk').onchange = e => { state.filters.risk = e.target.value; drawFleet(); };
  document.getElementById('f-alg').onchange = e => { state.filters.algorithm = e.target.value; drawFleet(); };
  main().querySelectorAll('button.count').forEach(b => b.onclick = () => {
    state.filters.risk = state.filters.risk === b.dataset.risk ? '' : b.dataset.risk;
    drawFleet();
  });
  if (!state.firstPaintDone) {
    state.firstPaintDone = true;
    // After the next frame the fleet is on screen: the figure the browser test prints.
    requestAnimationFrame(() => setTimeout(() => {
      window.lmFirstPaintMs = performance.now();
      document.body.dataset.firstPaintMs = String(Math.round(window.lmFirstPaintMs));
    }, 0));
  }
}

function headroom(h) {
  if (!h) return 'no host sample';
  const memFree = num(h.memAvailMb), memTotal = num(h.memTotalMb);
  const cores = num(h.cpuCores);
  return 'CPU ' + fmt(h.cpuAvailPercent, 0) + '%' + (cores ? ' of ' + cores * 100 + '%' : '') + ' free · memory ' + fmt(memFree / 1024, 1) + ' of ' + fmt(memTotal / 1024, 1)
    + ' GiB free · link ' + fmt(h.migrationLinkAvailMBps, 0) + ' of ' + fmt(h.migrationLinkSpeedMBps, 0) + ' MB/s free';
}

// ---------- live feed ----------

function feedItemHtml(e) {
  const at = new Date(e.atMs).toLocaleTimeString();
  const vm = e.vmId ? '<a href="#/vm/' + encodeURIComponent(e.vmId) + '">' + esc(e.vmId) + '</a>' : '';
  if (e.kind === 'risk') {
    const raised = e.transition === 'RAISED';
    const s = SEVERITY[e.severity] || SEVERITY.INFO;
    return '<li class="risk ' + (raised ? 'raised sev-' + esc(e.severity) : 'cleared') + '" data-risk="' + esc(e.riskType) + '">'
      + '<time>' + esc(at) + '</time> ' + (raised ? s.icon + ' RAISED ' : '✓ CLEARED ') + esc(e.riskType) + ' ' + vm
      + ' <span class="msg">' + esc(e.message) + '</span></li>';
  }
  if (e.kind === 'model') {
    return '<li class="model"><time>' + esc(at) + '</time> ◆ MODEL ' + esc(e.decision) + ' <span class="msg">' + esc(e.message) + '</span></li>';
  }
  return '<li class="rec" data-algorithm="' + esc(e.algorithm || 'NONE') + '"><time>' + esc(at) + '</time> → ' + vm + ' '
    + esc(e.algorithm || 'no feasible algorithm') + (e.destination ? ' to ' + esc(e.destination) : '') + '</li>';
}

function onFeed(e) {
  state.feed.push(e);
  if (state.feed.length > FEED_MAX) state.feed.splice(0, state.feed.length - FEED_MAX);
  const feedEl = document.getElementById('feed');
  if (feedEl) {
    feedEl.insertAdjacentHTML('afterbegin', feedItemHtml(e));
    while (feedEl.children.length > FEED_MAX) feedEl.lastElementChild.remove();
  }
  if (e.kind === 'risk' && !state.refreshTimer) {
    // Risk changes recolour VMs: one refetch per 5 s at most.
    state.refreshTimer = setTimeout(async () => {
      state.refreshTimer = null;
      if (!location.hash || location.hash === '#/') {
        try { await loadFleet(); drawFleet(); } catch (err) { setStatus('fleet refresh failed: ' + err.message); }
      }
    }, 5000);
  }
}

function connectFeed() {
  const src = new EventSource('/dashboard/events');
  src.addEventListener('open', () => setStatus('live'));
  src.addEventListener('feed', m => {
    const e = JSON.parse(m.data);
    if (e.kind !== 'bye') onFeed(e);
  });
  src.addEventListener('refused', m => { setStatus(JSON.parse(m.data).error); src.close(); });
  src.addEventListener('error', () => setStatus('reconnecting…'));
}

// ---------- VM view ----------

const TARGETS = [
  { key: 'totalTimeMs', label: 'Total time', unit: 's', scale: 1 / 1000, limit: 'maxTotalTimeMs' },
  { key: 'downtimeMs', label: 'Downtime', unit: 'ms', scale: 1, limit: 'maxDowntimeMs' },
  { key: 'transferredBytes', label: 'Transferred', unit: 'MB', scale: 1 / 1e6, limit: 'maxTransferredBytes' },
  { key: 'performanceDegradation', label: 'Degradation', unit: '%', scale: 100, limit: 'maxPerformanceDegradation' },
  { key: 'sourceCpuExtraPercent', label: 'Source CPU', unit: '+%', scale: 1, limit: null },
  { key: 'sourceMemExtraMb', label: 'Source memory', unit: '+MB', scale: 1, limit: null },
];

async function renderVm(vmId) {
  document.title = 'lm-advisor — ' + vmId;
  main().innerHTML = '<p>Loading ' + esc(vmId) + '…</p>';
  let vm, more;
  try {
    [vm, more] = await Promise.all([getJson('/vms/' + encodeURIComponent(vmId)),
      getJson('/dashboard/api/vms/' + encodeURIComponent(vmId))]);
  } catch (e) {
    main().innerHTML = '<p class="error" role="alert">Cannot load ' + esc(vmId) + ': ' + esc(e.message) + '</p><p><a href="#/">Back to the fleet</a></p>';
    return;
  }
  const rec = vm.recommendation || {};
  const p = vm.profile || {};
  const sla = more.sla || {};
  const open = Object.entries(vm.openRisks || {});
  const h = [];
  h.push('<p><a href="#/">← Fleet</a></p>');
  h.push('<h2>VM ' + esc(vmId) + ' <small>on ' + esc(p.hostId || rec.sourceHostId) + ' · served by ' + esc(vm.servedBy) + '</small></h2>');
  h.push('<p class="open-risks">Open risks: ' + (open.length ? open.map(([t, s]) =>
    '<span class="sev-' + esc(s) + '">' + (SEVERITY[s] || SEVERITY.INFO).icon + ' ' + esc(RISKS[t] || t) + ' (' + esc(s.toLowerCase()) + ')</span>').join(', ')
    : '<span class="sev-OK">✓ none</span>') + '</p>');
  h.push('<section aria-labelledby="h-profile"><h3 id="h-profile">Profile, last windows</h3>');
  h.push('<p>Latest window ending ' + esc(p.windowEnd) + ': dirty rate ' + fmt(p.pdrPagesPerSec, 0) + ' pages/s, working set '
    + fmt(p.wssPages, 0) + ' pages, CPU ' + fmt(p.cpuUtilPercent, 1) + '%, size ' + fmt(p.vmSizeMb, 0) + ' MB.</p>');
  h.push('<div class="sparks"><figure id="c-pdr"><figcaption>Dirty rate (pages/s)</figcaption></figure>'
    + '<figure id="c-wss"><figcaption>Working set (pages)</figcaption></figure>'
    + '<figure id="c-cpu"><figcaption>CPU (%)</figcaption></figure></div></section>');
  h.push('<section aria-labelledby="h-pred"><h3 id="h-pred">Predictions of the five algorithms against the SLA</h3>');
  h.push('<p class="why"><strong>' + (rec.algorithm ? '★ Chosen: ' + esc(rec.algorithm) + ' to ' + esc(rec.destinationHostId)
    + ' at ' + fmt(rec.bandwidthMBps, 0) + ' MB/s.' : '✖ No algorithm chosen.') + '</strong> Why: ' + esc(rec.reason) + '</p>');
  h.push(predictionTable(rec, sla));
  h.push('<div class="bars"><figure id="b-tt"><figcaption>Total time (s) vs limit</figcaption></figure>'
    + '<figure id="b-dt"><figcaption>Downtime (ms) vs limit</figcaption></figure>'
    + '<figure id="b-perf"><figcaption>Degradation (%) vs limit</figcaption></figure></div></section>');
  h.push('<section aria-labelledby="h-dest"><h3 id="h-dest">Destination candidates</h3>' + candidatesTable(more.candidates || []) + '</section>');
  h.push('<section aria-labelledby="h-set"><h3 id="h-set">Settings to apply</h3>' + settingsBlock(more.settings) + '</section>');
  h.push('<section aria-labelledby="h-out"><h3 id="h-out">Past outcomes vs predictions</h3>' + outcomesTable(more.outcomes || []) + '</section>');
  main().innerHTML = h.join('');
  main().querySelectorAll('button.copy').forEach(b => b.onclick = () => copy(b));
  drawHistory(more.history || []);
  drawBars(rec, sla);
}

function predictionTable(rec, sla) {
  const preds = rec.predictions || [];
  const rows = [];
  rows.push('<table class="predictions"><caption>Predicted per algorithm; ⚠ marks a figure over its SLA limit</caption><thead><tr><th scope="col">Algorithm</th>'
    + TARGETS.map(t => '<th scope="col">' + t.label + ' (' + t.unit + ')</th>').join('') + '<th scope="col">SLA verdict</th></tr></thead><tbody>');
  for (const a of ALGORITHMS) {
    const p = preds.find(x => x.algorithm === a);
    const chosen = rec.algorithm === a;
    rows.push('<tr class="' + (chosen ? 'chosen' : '') + '" data-algorithm="' + a + '"><th scope="row">' + (chosen ? '★ ' : '') + a + (chosen ? ' (chosen)' : '') + '</th>');
    for (const t of TARGETS) {
      const v = p ? num(p[t.key]) : null;
      const lim = t.limit ? num(sla[t.limit]) : null;
      const over = v !== null && lim !== null && v > lim;
      rows.push('<td' + (over ? ' class="over"' : '') + '>' + (v === null ? '—' : fmt(v * t.scale, 1)) + (over ? ' ⚠' : '') + '</td>');
    }
    rows.push('<td>' + esc(p ? p.slaVerdict + (p.violatedLimits && p.violatedLimits.length ? ': ' + p.violatedLimits.join(', ') : '') : 'not predicted') + '</td></tr>');
  }
  rows.push('<tr class="limits"><th scope="row">SLA limit</th>' + TARGETS.map(t => {
    const lim = t.limit ? num(sla[t.limit]) : null;
    return '<td>' + (lim === null ? '—' : fmt(lim * t.scale, 1)) + '</td>';
  }).join('') + '<td>' + esc(sla.note || '') + '</td></tr>');
  rows.push('</tbody></table>');
  return rows.join('');
}

function candidatesTable(cands) {
  if (!cands.length) return '<p>No other host has reported.</p>';
  return '<table><thead><tr><th scope="col">Host</th><th scope="col">Fits</th><th scope="col">Spare (× VM)</th><th scope="col">Memory free (MB)</th>'
    + '<th scope="col">CPU free (%)</th><th scope="col">Link free (MB/s)</th></tr></thead><tbody>'
    + cands.map(c => '<tr' + (c.chosen ? ' class="chosen"' : '') + '><th scope="row">' + (c.chosen ? '★ ' : '') + esc(c.hostId) + (c.chosen ? ' (chosen)' : '')
      + '</th><td>' + (c.fits ? '✓ yes' : '✖ no') + '</td><td>' + fmt(c.spareRatio, 1) + '</td><td>' + fmt(c.memAvailMb, 0) + '</td><td>'
      + fmt(c.cpuAvailPercent, 0) + '</td><td>' + fmt(c.linkAvailMBps, 0) + '</td></tr>').join('') + '</tbody></table>';
}

function settingsBlock(s) {
  if (!s) return '<p>No settings: no algorithm meets the SLA now.</p>';
  const block = (id, title, text) => '<div class="setting"><h4 id="' + id + '-h">' + title + '</h4><button type="button" class="copy" data-target="' + id
    + '" aria-describedby="' + id + '-h">Copy</button><pre id="' + id + '" tabindex="0">' + esc(text) + '</pre></div>';
  return block('set-qmp', 'QEMU (QMP)', s.qmp) + block('set-virsh', 'virsh', s.virsh) + block('set-kubevirt', 'KubeVirt MigrationPolicy', s.kubevirt);
}

async function copy(button) {
  const text = document.getElementById(button.dataset.target).textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch (e) {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById(button.dataset.target));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
}

function outcomesTable(outcomes) {
  if (!outcomes.length) return '<p>No migration of this VM in the last 24 hours.</p>';
  const cell = (o, k, scale) => fmt(num(o.actual[k]) === null ? null : o.actual[k] * scale, 1) + ' / '
    + (o.predicted ? fmt(o.predicted[k] * scale, 1) : '—');
  return '<table><caption>measured / predicted (— when the advice is older than the history kept)</caption><thead><tr><th scope="col">Started</th><th scope="col">Algorithm</th>'
    + '<th scope="col">Status</th><th scope="col">Total time (s)</th><th scope="col">Downtime (ms)</th><th scope="col">Transferred (MB)</th></tr></thead><tbody>'
    + outcomes.slice().reverse().map(o => '<tr><td>' + esc(new Date(o.startMs).toLocaleString()) + '</td><td>' + esc(o.algorithm) + '</td><td>' + esc(o.status)
      + '</td><td>' + cell(o, 'totalTimeMs', 1 / 1000) + '</td><td>' + cell(o, 'downtimeMs', 1) + '</td><td>' + cell(o, 'transferredBytes', 1 / 1e6) + '</td></tr>').join('')
    + '</tbody></table>';
}

function chartWidth(el) {
  return Math.max(220, Math.min(420, el.clientWidth || 320));
}

function drawHistory(history) {
  if (!window.uPlot || !history.length) return;
  const xs = history.map(r => r.windowEndMs / 1000);
  const spark = (id, key, label) => {
    const el = document.getElementById(id);
    const opts = { width: chartWidth(el), height: 120, legend: { show: false },
      series: [{}, { label, stroke: '#1f5fa8', width: 2, points: { show: true } }],
      axes: [{ space: 60 }, { size: 60 }] };
    state.charts.push(new uPlot(opts, [xs, history.map(r => num(r[key]))], el));
  };
  spark('c-pdr', 'pdrPagesPerSec', 'pages/s');
  spark('c-wss', 'wssPages', 'pages');
  spark('c-cpu', 'cpuUtilPercent', '%');
}

function drawBars(rec, sla) {
  if (!window.uPlot || !rec.predictions) return;
  const xs = ALGORITHMS.map((_, i) => i);
  const bar = (id, target) => {
    const el = document.getElementById(id);
    const vals = ALGORITHMS.map(a => {
      const p = rec.predictions.find(x => x.algorithm === a);
      const v = p ? num(p[target.key]) : null;
      return v === null ? null : v * target.scale;
    });
    const lim = num(sla[target.limit]);
    const opts = { width: chartWidth(el), height: 160, legend: { show: false },
      scales: { x: { time: false, range: [-0.5, ALGORITHMS.length - 0.5] } },
      axes: [{ splits: () => xs, values: (u, splits) => splits.map(i => SHORT[ALGORITHMS[i]] || ''), size: 30 }, { size: 60 }],
      series: [{}, { label: target.label, fill: 'rgba(31,95,168,0.5)', stroke: '#1f5fa8', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } },
        { label: 'limit', stroke: '#b00020', dash: [6, 4], width: 2, points: { show: false } }] };
    state.charts.push(new uPlot(opts, [xs, vals, xs.map(() => lim === null ? null : lim * target.scale)], el));
  };
  bar('b-tt', TARGETS[0]);
  bar('b-dt', TARGETS[1]);
  bar('b-perf', TARGETS[3]);
}

// ---------- model view ----------

async function renderModel() {
  document.title = 'lm-advisor — model';
  main().innerHTML = '<p>Loading the model…</p>';
  let m, ev;
  try {
    m = await getJson('/dashboard/api/model');
    ev = await getJson('/evaluation').catch(e => ({ cells: [], error: e.message }));
  } catch (e) {
    main().innerHTML = '<p class="error" role="alert">Cannot load the model: ' + esc(e.message) + '</p>';
    return;
  }
  const h = [];
  h.push('<h2>Model <small>' + esc(m.modelVersion) + '</small></h2>');
  const p = m.provenance;
  if (p) {
    h.push('<section aria-labelledby="h-prov"><h3 id="h-prov">Version and provenance</h3><dl class="prov">'
      + '<dt>Version</dt><dd>' + esc(p.versionId) + '</dd><dt>Learner</dt><dd>' + esc(p.learner) + '</dd>'
      + '<dt>Created</dt><dd>' + esc(p.createdAt) + '</dd><dt>Training rows</dt><dd>' + esc(p.trainingRows ?? '—') + '</dd>'
      + '<dt>Training data fingerprint</dt><dd><code>' + esc(p.trainingFingerprint) + '</code></dd>'
      + '<dt>Hyper-parameters</dt><dd>' + Object.entries(p.hyperParameters || {}).map(([k, v]) => esc(k) + '=' + esc(v)).join(', ') + '</dd></dl></section>');
  }
  const validation = (p && p.validation) || {};
  const cells = (ev.cells || []).filter(c => c.metric !== 'PRECOPY_NON_CONVERGENT' && num(c.sinceStartN) !== null)
    .sort((a, b) => (a.algorithm + a.metric).localeCompare(b.algorithm + b.metric));
  h.push('<section aria-labelledby="h-acc"><h3 id="h-acc">Online accuracy per (algorithm, metric)</h3>');
  if (ev.error) h.push('<p class="error">' + esc(ev.error) + '</p>');
  if (!cells.length) {
    h.push('<p>No executed migration has been evaluated yet.</p>');
  } else {
    h.push('<table class="accuracy"><caption>gMRE (lower is better): rolling window, since start, and the model\'s own hold-out validation; ⚠ when rolling is over twice validation</caption>'
      + '<thead><tr><th scope="col">Algorithm</th><th scope="col">Metric</th><th scope="col">Rolling gMRE</th><th scope="col">n</th><th scope="col">Since start gMRE</th><th scope="col">n</th><th scope="col">Validation gMRE</th></tr></thead><tbody>');
    for (const c of cells) {
      const val = num(c.validationGmre) ?? num(validation['holdout.gMRE.' + c.algorithm + '.' + c.metric]);
      const rolling = num(c.windowGmre);
      const worse = rolling !== null && val !== null && rolling > 2 * val;
      h.push('<tr><th scope="row">' + esc(c.algorithm) + '</th><td>' + esc(c.metric) + '</td><td' + (worse ? ' class="over"' : '') + '>' + fmt(rolling, 3) + (worse ? ' ⚠' : '')
        + '</td><td>' + esc(c.windowN) + '</td><td>' + fmt(c.sinceStartGmre, 3) + '</td><td>' + esc(c.sinceStartN) + '</td><td>' + fmt(val, 3) + '</td></tr>');
    }
    h.push('</tbody></table>');
  }
  h.push('</section>');
  h.push('<section aria-labelledby="h-drift"><h3 id="h-drift">Drift events</h3>' + list(m.driftEvents, e =>
    esc(e.timestamp) + ' ' + (e.transition === 'RAISED' ? '▲ RAISED' : '✓ CLEARED') + ' ' + esc(e.metric || '') + ': ' + esc(e.message)) + '</section>');
  h.push('<section aria-labelledby="h-events"><h3 id="h-events">Model events</h3>' + list(m.modelEvents, e =>
    esc(e.decidedAt) + ' ◆ ' + esc(e.decision) + ' ' + esc(e.challengerVersion) + ' (champion ' + esc(e.championVersion) + ', '
    + esc(e.trainingRows) + ' rows): ' + esc(e.reason)) + '</section>');
  main().innerHTML = h.join('');
}

function list(items, line) {
  if (!items || !items.length) return '<p>None in the last 24 hours.</p>';
  return '<ol class="events">' + items.slice().reverse().map(e => '<li>' + line(e) + '</li>').join('') + '</ol>';
}

window.addEventListener('hashchange', route);
connectFeed();
route();
