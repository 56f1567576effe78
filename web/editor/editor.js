// OpenVeracruz · editor catastral para el personal (módulo ES, sin bundler).
// Propone ediciones (POST /api/cadastre/edits, con If-Match), las revisa con el principio de cuatro ojos
// (approve/reject) y muestra el historial de cada predio. Las reglas viven en el servidor: aquí sólo se dibuja,
// se envía y se muestran sus respuestas (los errores de topología, en el punto del mapa donde ocurren).
import { fetchJson, request, withQuery } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { dateTime, money, number } from '/lib/format.js';
import L from '/lib/geoman.js';
import { DEFAULT_MAP_CONFIG, addBaseTiles, mapConfig, setLeafletPrefix } from '/lib/map.js';
import { startStaffSession } from '/lib/staff.js';
import { createHistory, kindLabel } from '/history.js';

window.ovEditorReady = false;
const STATE_LABELS = { pending: 'Pendiente de aprobación', approved: 'Aprobada', rejected: 'Rechazada', superseded: 'Sustituida por otra edición aprobada' };
const EDIT_MIN_ZOOM = 17;
const SNAP_PX = 12;
const RELOAD_DEBOUNCE_MS = 250;
const STYLE = Object.freeze({
  parcel: { color: '#1d3557', weight: 1, opacity: 0.8, fillOpacity: 0.04 },
  selected: { color: '#f4a261', weight: 4, opacity: 1, fillOpacity: 0.12 },
  work: { color: '#e76f51', weight: 3, fillOpacity: 0.2 },
  merge: { color: '#7a1f5c', weight: 3, fillOpacity: 0.25 },
  before: { color: '#b3261e', weight: 3, dashArray: '6 5', fillOpacity: 0.08, className: 'ov-before' },
  after: { color: '#2a9d8f', weight: 3, fillOpacity: 0.3, className: 'ov-after' },
});
const TOOL_HELP = {
  reshape: 'Arrastre los vértices del contorno naranja; se ajustan a los vértices y lados vecinos. Para quitar un vértice, haga clic derecho sobre él.',
  split: 'Dibuje la línea de división haciendo clic en el mapa: debe cruzar el predio de lado a lado. Doble clic para terminar.',
  merge: 'Haga clic en los predios vecinos de la misma manzana para añadirlos o quitarlos de la fusión.',
  attributes: 'Cambie los atributos del predio; la superficie y el valor catastral se recalculan en el servidor.',
  retire: 'La baja cierra la vigencia del predio; su historial se conserva.',
  create: 'Dibuje el contorno del predio nuevo haciendo clic en cada vértice; cierre el polígono en el primer vértice.',
};

const el = elementsById('workspace map map-hint tab-edit tab-review tab-history review-count edit-view review-view history-view '
  + 'find-form find-clave selection sel-clave sel-version sel-locality sel-area sel-value tools tool-help edit-form '
  + 'merge-list-box merge-list new-clave-box new-clave attributes-box attr-land-use attr-built attr-type edit-reason edit-source '
  + 'edit-submit edit-cancel edit-message review-state review-refresh review-list review-empty review-detail review-title '
  + 'show-before show-after review-facts review-actions review-approve review-reject-reason review-reject review-own review-message '
  + 'history-form history-clave history-body history-slider history-date history-state history-lineage history-list history-message '
  + 'tab-tariffs zones-body types-body tariff-form tariff-title tariff-name tariff-value tariff-reason tariff-source tariff-save tariff-cancel '
  + 'tariff-message tariff-history owner-show owner-details review-mine tabs');

const state = {
  staff: null, // { me, can } de lib/staff.js
  map: null, parcelsDef: null, reloadTimer: null, reloadController: null,
  loaded: null, // L.LatLngBounds de los predios cargados
  selected: null, // { info, etag }
  tool: null, work: null, merge: new Map(), // clave -> { info, etag }
  reviewEdits: [], review: null, history: null, tariff: null,
};
let groups = null; // capas del mapa por pestaña

// ---------- API ----------
const send = (method, url, body, headers) => request(method, url, { body, headers });
const can = (role) => state.staff.can(role);

// ---------- Mapa ----------
async function initWorkspace() {
  let config = DEFAULT_MAP_CONFIG;
  try { config = await mapConfig(); } catch { /* valores por omisión */ }
  const layers = await fetchJson('/api/layers');
  state.parcelsDef = layers.find((l) => l.id === 'parcels') || null;

  L.PM.setOptIn(true); // sólo la capa de trabajo se edita; las demás se usan para ajustar (snapIgnore: false)
  const map = L.map(el.map, { zoomControl: true, maxZoom: 21, pmIgnore: false }).setView(config.center, Math.max(config.zoom, 14));
  state.map = map;
  window.ovEditorMap = map;
  setLeafletPrefix(map);
  addBaseTiles(map, config, () => { /* sin mosaicos: los predios bastan para editar */ });
  map.pm.setGlobalOptions({ snappable: true, snapDistance: SNAP_PX, allowSelfIntersection: false });
  map.pm.setLang('es');

  const parcels = L.geoJSON(null, { style: () => STYLE.parcel, onEachFeature: onEachParcel }).addTo(map);
  groups = {
    parcels,
    edit: L.layerGroup().addTo(map), // selección, trabajo, fusión, vista previa, errores
    review: L.layerGroup(),
    history: L.layerGroup(),
  };
  groups.selection = L.layerGroup().addTo(groups.edit);
  groups.work = L.layerGroup().addTo(groups.edit);
  groups.merge = L.layerGroup().addTo(groups.edit);
  groups.preview = L.layerGroup().addTo(groups.edit);
  groups.issues = L.layerGroup().addTo(groups.edit);
  groups.before = L.layerGroup().addTo(groups.review);
  groups.after = L.layerGroup().addTo(groups.review);
  map.on('moveend', scheduleReload);
  map.on('pm:create', onDrawn);
  scheduleReload();

  state.history = createHistory({
    map, layer: groups.history,
    el: { body: el.historyBody, slider: el.historySlider, date: el.historyDate, state: el.historyState, lineage: el.historyLineage, list: el.historyList, message: el.historyMessage },
    onOpenClave: (c) => { el.historyClave.value = c; state.history.open(c); },
  });

  wireUi();
  await loadCatalogs();
  await refreshReviewCount();
  await followHash();
  window.ovEditorReady = true;
}

function onEachParcel(feature, layer) {
  const clave = feature.properties && feature.properties.clave;
  layer.options.snapIgnore = ignoredForSnapping(clave);
  layer.on('click', (e) => {
    if (state.tool === 'split' || state.tool === 'create') return; // el clic es un vértice del dibujo en curso
    L.DomEvent.stopPropagation(e);
    if (clave) onParcelClick(clave);
  });
}

// Mientras se mueven sus vértices, el predio original no sirve de referencia de ajuste (los devolvería a su sitio).
const ignoredForSnapping = (clave) => state.tool === 'reshape' && state.selected !== null && state.selected.info.clave === clave;

// Los predios se piden por bbox; si la vista cabe en lo ya cargado (y no se truncó) no se vuelven a pedir,
// de modo que los predios no se redibujan bajo el cursor mientras se trabaja. force: tras aprobar una edición.
function scheduleReload(force) {
  if (force !== true && state.loaded && state.map.getZoom() >= EDIT_MIN_ZOOM && state.loaded.contains(state.map.getBounds())) return;
  clearTimeout(state.reloadTimer);
  el.map.dataset.loading = 'true';
  state.reloadTimer = setTimeout(reloadParcels, RELOAD_DEBOUNCE_MS);
}

async function reloadParcels() {
  if (!state.parcelsDef) return;
  const map = state.map;
  if (map.getZoom() < EDIT_MIN_ZOOM) {
    groups.parcels.clearLayers();
    state.loaded = null;
    el.map.dataset.loading = 'false';
    showHint('Acerque el mapa para ver y seleccionar los predios.');
    return;
  }
  if (state.reloadController) state.reloadController.abort();
  const controller = new AbortController();
  state.reloadController = controller;
  const b = map.getBounds().pad(0.5); // un margen alrededor: desplazarse un poco no obliga a recargar
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(',');
  const limit = 2000;
  try {
    const data = await fetchJson(withQuery(state.parcelsDef.itemsUrl, { bbox, limit }), controller.signal);
    if (controller.signal.aborted) return;
    groups.parcels.clearLayers();
    groups.parcels.addData(data);
    state.loaded = (data.features || []).length < limit ? b : null;
    showHint('');
  } catch (err) {
    if (err.name !== 'AbortError') showHint(`No se pudieron cargar los predios. ${err.message}`);
  } finally {
    if (state.reloadController === controller) { state.reloadController = null; el.map.dataset.loading = 'false'; }
  }
}

function showHint(text) {
  el.mapHint.textContent = text;
  el.mapHint.hidden = !text;
}

const geometryBounds = (geometries) => L.geoJSON({ type: 'GeometryCollection', geometries }).getBounds();

function fitTo(geometries) {
  const bounds = geometryBounds(geometries);
  if (bounds.isValid()) state.map.fitBounds(bounds, { maxZoom: 20, padding: [40, 40], animate: false });
}

function drawGeometry(group, geometry, style, tooltip) {
  const layer = L.geoJSON(geometry, { pmIgnore: true, snapIgnore: true, interactive: Boolean(tooltip), style: () => style });
  if (tooltip) layer.bindTooltip(tooltip, { sticky: true });
  return layer.addTo(group);
}

// ---------- Interfaz ----------
function wireUi() {
  for (const [tab, view] of [[el.tabEdit, 'edit'], [el.tabReview, 'review'], [el.tabHistory, 'history'], [el.tabTariffs, 'tariffs']]) tab.addEventListener('click', () => showTab(view));
  el.ownerShow.addEventListener('click', showOwner);
  el.tariffForm.addEventListener('submit', (e) => { e.preventDefault(); saveTariff(); });
  el.tariffCancel.addEventListener('click', () => { el.tariffForm.hidden = true; state.tariff = null; });
  el.findForm.addEventListener('submit', (e) => { e.preventDefault(); findClave(); });
  for (const b of el.tools.querySelectorAll('.tool')) b.addEventListener('click', () => setTool(b.id.replace('tool-', '')));
  el.editForm.addEventListener('submit', (e) => { e.preventDefault(); submitEdit(); });
  el.editCancel.addEventListener('click', () => { cancelTool(); setMessage(el.editMessage, 'Edición cancelada.'); });
  el.reviewState.addEventListener('change', loadReview);
  el.reviewMine.addEventListener('change', loadReview);
  el.tabs.addEventListener('keydown', onTabKey);
  el.reviewRefresh.addEventListener('click', loadReview);
  el.reviewApprove.addEventListener('click', approve);
  el.reviewReject.addEventListener('click', reject);
  el.showBefore.addEventListener('click', () => toggleLayer(el.showBefore, groups.before));
  el.showAfter.addEventListener('click', () => toggleLayer(el.showAfter, groups.after));
  el.historyForm.addEventListener('submit', (e) => { e.preventDefault(); openHistory(el.historyClave.value.trim()); });
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.tool) cancelTool(); });
  updateTools();
}

// Pestañas accesibles: flechas izquierda/derecha, Inicio y Fin mueven la selección (patrón WAI-ARIA de pestañas).
function onTabKey(e) {
  const tabs = [...el.tabs.querySelectorAll('[role="tab"]')];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  const next = { ArrowRight: (i + 1) % tabs.length, ArrowLeft: (i - 1 + tabs.length) % tabs.length, Home: 0, End: tabs.length - 1 }[e.key];
  if (next === undefined) return;
  e.preventDefault();
  tabs[next].focus();
  tabs[next].click();
}

function toggleLayer(button, group) {
  const on = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(on));
  if (on) group.addTo(groups.review); else groups.review.removeLayer(group);
}

function showTab(view) {
  const tabs = { edit: el.tabEdit, review: el.tabReview, history: el.tabHistory, tariffs: el.tabTariffs };
  for (const [name, tab] of Object.entries(tabs)) {
    const selected = name === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(`${name}-view`).hidden = !selected;
    const group = groups[name]; // las tarifas no dibujan en el mapa
    if (group && selected) group.addTo(state.map); else if (group) group.remove();
  }
  if (view !== 'edit' && state.tool) cancelTool();
  if (view === 'review') loadReview();
  if (view === 'tariffs') loadTariffs();
  if (view === 'history' && state.selected && !el.historyClave.value) {
    el.historyClave.value = state.selected.info.clave;
    openHistory(state.selected.info.clave);
  }
}

async function followHash() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  if (params.get('predio')) await selectParcel(params.get('predio'), { fit: true });
  if (params.get('historial')) { showTab('history'); el.historyClave.value = params.get('historial'); await openHistory(params.get('historial')); }
  if (params.has('revision')) showTab('review');
}

async function loadCatalogs() {
  const fill = (select, items, value, label) => select.replaceChildren(...items.map((i) => new Option(label(i), value(i))));
  try {
    const [uses, types] = await Promise.all([fetchJson('/api/cadastre/land-uses'), fetchJson('/api/cadastre/construction-types')]);
    fill(el.attrLandUse, uses, (u) => u.code, (u) => u.label);
    fill(el.attrType, types, (t) => t.code, (t) => `${t.name} (${money(t.valuePerM2)}/m²)`);
  } catch (err) {
    setMessage(el.editMessage, `No se pudieron cargar los catálogos de usos y tipos de construcción. ${err.message}`, 'error');
  }
}

// ---------- Selección ----------
async function findClave() {
  const clave = el.findClave.value.trim();
  if (!clave) { setMessage(el.editMessage, 'Escriba una clave catastral.', 'error'); return; }
  await selectParcel(clave, { fit: true });
}

async function fetchParcel(clave) {
  const { data, etag } = await send('GET', `/api/cadastre/parcels/${encodeURIComponent(clave)}`);
  return { info: data, etag: etag || `"v${data.version}"` };
}

async function onParcelClick(clave) {
  if (state.tool === 'merge') { await toggleMerge(clave); return; }
  if (state.tool && state.selected && state.selected.info.clave !== clave) {
    setMessage(el.editMessage, 'Termine o cancele la edición en curso antes de seleccionar otro predio.', 'error');
    return;
  }
  if (!state.tool) await selectParcel(clave, { fit: false });
}

async function selectParcel(clave, { fit }) {
  let selected;
  try {
    selected = await fetchParcel(clave);
  } catch (err) {
    setMessage(el.editMessage, err.message, 'error');
    return false;
  }
  cancelTool();
  state.selected = selected;
  const p = selected.info;
  el.selClave.textContent = p.clave;
  el.selVersion.textContent = `versión ${p.version}`;
  el.selLocality.textContent = p.locality;
  el.selArea.textContent = `${number(p.landAreaM2)} m² de terreno · ${number(p.builtAreaM2)} m² construidos`;
  el.selValue.textContent = money(p.cadastralValue);
  el.selection.hidden = false;
  el.ownerDetails.hidden = true;
  el.ownerDetails.replaceChildren();
  el.findClave.value = p.clave;
  groups.selection.clearLayers();
  groups.preview.clearLayers();
  drawGeometry(groups.selection, p.geometry, STYLE.selected);
  if (fit) fitTo([p.geometry]);
  updateTools();
  setMessage(el.editMessage, '');
  return true;
}

// Datos personales (sintéticos) del propietario: sólo personal, y el servidor registra cada consulta.
async function showOwner() {
  if (!state.selected) return;
  try {
    const o = await fetchJson(`/api/cadastre/parcels/${encodeURIComponent(state.selected.info.clave)}/owner`);
    el.ownerDetails.replaceChildren(...[['Propietario', o.fullName], ['CURP', o.curp], ['Teléfono', o.phone], ['Correo', o.email]].flatMap(([k, v]) => {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v || '—';
      return [dt, dd];
    }));
    el.ownerDetails.hidden = false;
  } catch (err) {
    setMessage(el.editMessage, err.message, 'error');
  }
}

function updateTools() {
  const editor = can('editor');
  for (const b of el.tools.querySelectorAll('.tool')) {
    b.disabled = !editor || (b.dataset.needs === 'one' && !state.selected);
    b.setAttribute('aria-pressed', String(state.tool === b.id.replace('tool-', '')));
  }
  el.tools.hidden = !editor;
  if (!editor) el.toolHelp.textContent = 'Su cuenta es de consulta: puede ver la cola de revisión y el historial, no proponer ediciones.';
}

// ---------- Herramientas ----------
function setTool(tool) {
  const previous = state.tool;
  cancelTool();
  if (previous === tool) return; // segundo clic: apaga la herramienta
  state.tool = tool;
  const p = state.selected && state.selected.info;
  el.toolHelp.textContent = TOOL_HELP[tool];
  el.editForm.hidden = false;
  el.mergeListBox.hidden = tool !== 'merge';
  el.newClaveBox.hidden = tool !== 'create';
  el.attributesBox.hidden = !(tool === 'attributes' || tool === 'create');
  el.editSubmit.textContent = 'Enviar para revisión';
  if (p && (tool === 'attributes' || tool === 'create')) {
    el.attrLandUse.value = p.landUse;
    el.attrBuilt.value = tool === 'create' ? '0' : String(p.builtAreaM2);
    el.attrType.value = p.constructionType;
  }
  if (tool === 'reshape') startReshape(p);
  if (tool === 'split') state.map.pm.enableDraw('Line', { snappable: true, snapDistance: SNAP_PX, finishOn: 'dblclick', templineStyle: STYLE.work, pathOptions: STYLE.work });
  if (tool === 'create') {
    el.newClave.value = p ? `${String(p.zone).padStart(3, '0')}-${String(p.block).padStart(4, '0')}-` : '';
    state.map.pm.enableDraw('Polygon', { snappable: true, snapDistance: SNAP_PX, templineStyle: STYLE.work, pathOptions: STYLE.work });
  }
  if (tool === 'merge') addToMerge(state.selected);
  updateTools();
  el.editReason.focus({ preventScroll: true });
}

function refreshSnapTargets() {
  groups.parcels.eachLayer((l) => { l.options.snapIgnore = ignoredForSnapping(l.feature.properties.clave); });
}

function startReshape(p) {
  refreshSnapTargets();
  const work = L.geoJSON(p.geometry, { pmIgnore: false, snapIgnore: true, style: () => STYLE.work }).getLayers()[0];
  work.addTo(groups.work);
  work.pm.enable({ snappable: true, snapDistance: SNAP_PX, allowSelfIntersection: false, removeLayerBelowMinVertexCount: false });
  work.on('pm:edit', () => setMessage(el.editMessage, 'Contorno modificado: escriba el motivo y envíe la edición.'));
  work.on('pm:intersect', () => setMessage(el.editMessage, 'El contorno no puede cruzarse consigo mismo.', 'error'));
  state.work = work;
}

function onDrawn(e) {
  // la capa dibujada pasa a la capa de trabajo y queda editable para corregirla
  state.map.removeLayer(e.layer);
  if (!((state.tool === 'split' && e.shape === 'Line') || (state.tool === 'create' && e.shape === 'Polygon'))) return;
  e.layer.options.pmIgnore = false;
  e.layer.options.snapIgnore = true;
  L.PM.reInitLayer(e.layer);
  e.layer.addTo(groups.work);
  e.layer.pm.enable({ snappable: true, snapDistance: SNAP_PX, allowSelfIntersection: false });
  state.work = e.layer;
  setMessage(el.editMessage, state.tool === 'split' ? 'Línea dibujada: puede ajustarla, escriba el motivo y envíe.' : 'Contorno dibujado: complete la clave, los atributos y el motivo.');
}

function cancelTool() {
  if (!state.map) return;
  state.map.pm.disableDraw();
  if (state.work && state.work.pm) state.work.pm.disable();
  state.work = null;
  state.tool = null;
  state.merge.clear();
  for (const g of ['work', 'merge', 'issues']) groups[g].clearLayers();
  el.mergeList.replaceChildren();
  el.editForm.hidden = true;
  el.toolHelp.textContent = '';
  refreshSnapTargets();
  updateTools();
}

async function toggleMerge(clave) {
  if (state.merge.has(clave)) {
    if (state.merge.size > 1 && clave !== state.selected.info.clave) state.merge.delete(clave);
    renderMerge();
    return;
  }
  try {
    addToMerge(await fetchParcel(clave));
  } catch (err) {
    setMessage(el.editMessage, err.message, 'error');
  }
}

function addToMerge(parcel) {
  state.merge.set(parcel.info.clave, parcel);
  renderMerge();
}

function renderMerge() {
  groups.merge.clearLayers();
  el.mergeList.replaceChildren(...[...state.merge.values()].map((m) => {
    drawGeometry(groups.merge, m.info.geometry, STYLE.merge); // sin tooltip: no interactivo, el clic llega al predio
    const li = document.createElement('li');
    li.textContent = m.info.clave;
    return li;
  }));
}

// ---------- Envío ----------
const outline = (layer) => layer.toGeoJSON(false).geometry; // sin redondear: los vértices vecinos se conservan exactos

function buildEdit() {
  const p = state.selected && state.selected.info;
  const base = { kind: state.tool, reason: el.editReason.value.trim(), sourceDocument: el.editSource.value.trim() || null };
  const attributes = () => ({ landUse: el.attrLandUse.value, builtAreaM2: Number(el.attrBuilt.value), constructionType: el.attrType.value });
  const needWork = (what) => { if (!state.work) throw new Error(what); return outline(state.work); };
  switch (state.tool) {
    case 'reshape':
      return { body: { ...base, clave: p.clave, geometry: needWork('Mueva al menos un vértice.') }, ifMatch: state.selected.etag };
    case 'split':
      return { body: { ...base, clave: p.clave, splitLine: needWork('Dibuje primero la línea de división.') }, ifMatch: state.selected.etag };
    case 'attributes':
      if (el.attrBuilt.value === '' || Number(el.attrBuilt.value) < 0) throw new Error('La superficie construida debe ser un número mayor o igual que cero.');
      return { body: { ...base, clave: p.clave, attributes: attributes() }, ifMatch: state.selected.etag };
    case 'retire':
      return { body: { ...base, clave: p.clave }, ifMatch: state.selected.etag };
    case 'merge': {
      if (state.merge.size < 2) throw new Error('Seleccione al menos un predio vecino para fusionar.');
      const parts = [...state.merge.values()];
      return { body: { ...base, claves: parts.map((m) => m.info.clave) }, ifMatch: parts.map((m) => m.etag).join(', ') };
    }
    case 'create':
      if (!/^\d{3}-\d{4}-\d{3}$/.test(el.newClave.value.trim())) throw new Error('Escriba la clave del predio nuevo como 000-0000-000.');
      return { body: { ...base, clave: el.newClave.value.trim(), geometry: needWork('Dibuje primero el contorno del predio.'), attributes: attributes() }, ifMatch: null };
    default:
      throw new Error('Elija primero un tipo de edición.');
  }
}

async function submitEdit() {
  groups.issues.clearLayers();
  let edit;
  try {
    if (!el.editReason.value.trim()) throw new Error('Escriba el motivo de la edición.');
    edit = buildEdit();
  } catch (err) {
    setMessage(el.editMessage, err.message, 'error');
    return;
  }
  el.editSubmit.disabled = true;
  setMessage(el.editMessage, 'Validando y enviando…');
  try {
    const { data } = await send('POST', '/api/cadastre/edits', edit.body, edit.ifMatch ? { 'If-Match': edit.ifMatch } : {});
    cancelTool();
    el.editReason.value = '';
    el.editSource.value = '';
    groups.preview.clearLayers();
    for (const a of data.after || []) drawGeometry(groups.preview, a.geometry, STYLE.after);
    setMessage(el.editMessage, `Edición n.º ${data.id} enviada: queda pendiente hasta que otra persona supervisora la apruebe.`, 'ok');
    showReviewCount(Number(el.reviewCount.textContent || 0) + 1);
  } catch (err) {
    showProblem(err);
  } finally {
    el.editSubmit.disabled = false;
  }
}

// Un error de las reglas con ubicación se marca en el mapa, en el punto exacto.
function showProblem(err) {
  setMessage(el.editMessage, err.message, 'error');
  const loc = err.body && Array.isArray(err.body.location) ? err.body.location : null;
  if (loc && loc.length === 2) {
    const marker = L.circleMarker([loc[1], loc[0]], { radius: 11, color: '#b3261e', weight: 3, fillColor: '#b3261e', fillOpacity: 0.35, pmIgnore: true, snapIgnore: true, className: 'issue-marker' })
      .bindTooltip(err.message, { permanent: true, direction: 'top', className: 'issue-tooltip' });
    marker.addTo(groups.issues);
    if (!state.map.getBounds().contains(marker.getLatLng())) state.map.panTo(marker.getLatLng());
  }
  if (err.status === 412) setMessage(el.editMessage, `${err.message} Vuelva a seleccionar el predio para editar su versión actual.`, 'error');
}

// ---------- Revisión ----------
function showReviewCount(n) {
  el.reviewCount.textContent = String(n);
  el.reviewCount.hidden = n === 0;
}

// La cuenta de pendientes se pide al entrar; después la corrigen la propia cola y los envíos de esta página.
async function refreshReviewCount() {
  try {
    showReviewCount((await fetchJson('/api/cadastre/edits?state=pending')).length);
  } catch { el.reviewCount.hidden = true; }
}

async function loadReview() {
  setMessage(el.reviewMessage, 'Cargando…');
  try {
    state.reviewEdits = await fetchJson(withQuery('/api/cadastre/edits', { state: el.reviewState.value }));
  } catch (err) {
    setMessage(el.reviewMessage, err.message, 'error');
    return;
  }
  setMessage(el.reviewMessage, '');
  const shown = el.reviewMine.checked ? state.reviewEdits.filter((e) => e.proposedBy === state.staff.me.email) : state.reviewEdits;
  el.reviewList.replaceChildren(...shown.slice().reverse().map((e) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'list-item';
    b.dataset.edit = String(e.id);
    b.textContent = `n.º ${e.id} · ${kindLabel(e.kind)} · ${e.targetClaves.join(', ')}`;
    const small = document.createElement('span');
    small.className = 'small muted';
    small.textContent = `${e.proposedBy} · ${dateTime(e.proposedAt)} · ${e.reason}`;
    b.append(document.createElement('br'), small);
    b.addEventListener('click', () => showReview(e));
    li.append(b);
    return li;
  }));
  el.reviewEmpty.hidden = shown.length > 0;
  const still = state.review && shown.find((e) => e.id === state.review.id);
  if (still) showReview(still); else { state.review = null; el.reviewDetail.hidden = true; groups.before.clearLayers(); groups.after.clearLayers(); }
  if (el.reviewState.value === 'pending') showReviewCount(state.reviewEdits.length);
}

function showReview(edit) {
  state.review = edit;
  for (const b of el.reviewList.querySelectorAll('.list-item')) b.classList.toggle('active', b.dataset.edit === String(edit.id));
  groups.before.clearLayers();
  groups.after.clearLayers();
  for (const b of edit.before || []) drawGeometry(groups.before, b.geometry, STYLE.before, `Antes: ${b.clave} (v${b.version})`);
  for (const a of edit.after || []) drawGeometry(groups.after, a.geometry, STYLE.after, a.clave ? `Después: ${a.clave}` : 'Después');
  fitTo([...(edit.before || []), ...(edit.after || [])].map((s) => s.geometry));
  el.reviewTitle.textContent = `Edición n.º ${edit.id}: ${kindLabel(edit.kind)}`;
  const facts = [
    ['Predios', edit.targetClaves.join(', ')],
    ['Versiones base', edit.baseVersions.join(', ')],
    ['Motivo', edit.reason],
    ['Documento fuente', edit.sourceDocument || '—'],
    ['Propuesta por', `${edit.proposedBy} · ${dateTime(edit.proposedAt)}`],
    ['Estado', STATE_LABELS[edit.state] || edit.state],
  ];
  const attrs = edit.payload && edit.payload.attributes;
  if (attrs) facts.push(['Atributos', Object.entries(attrs).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`).join(' · ')]);
  if (edit.decidedBy) facts.push(['Decidida por', `${edit.decidedBy} · ${dateTime(edit.decidedAt)}`]);
  if (edit.rejectionReason) facts.push(['Motivo del rechazo', edit.rejectionReason]);
  el.reviewFacts.replaceChildren(...facts.flatMap(([k, v]) => {
    const dt = document.createElement('dt'); dt.textContent = k;
    const dd = document.createElement('dd'); dd.textContent = v;
    return [dt, dd];
  }));
  const own = edit.proposedBy === state.staff.me.email;
  el.reviewActions.hidden = !(edit.state === 'pending' && can('supervisor') && !own);
  el.reviewOwn.hidden = !(edit.state === 'pending' && own);
  el.reviewDetail.hidden = false;
}

async function decide(action, body) {
  const edit = state.review;
  if (!edit) return;
  el.reviewApprove.disabled = el.reviewReject.disabled = true;
  try {
    await send('POST', `/api/cadastre/edits/${edit.id}/${action}`, body);
    el.reviewRejectReason.value = '';
    state.review = null;
    await loadReview();
    setMessage(el.reviewMessage, action === 'approve'
      ? `Edición n.º ${edit.id} aprobada: ya forma parte del catastro público.`
      : `Edición n.º ${edit.id} rechazada.`, 'ok');
    scheduleReload(true);
    if (state.selected && edit.targetClaves.includes(state.selected.info.clave)) await reselect();
  } catch (err) {
    setMessage(el.reviewMessage, err.message, 'error');
    if (err.status === 412 || err.status === 409) await loadReview().then(() => setMessage(el.reviewMessage, err.message, 'error'));
  } finally {
    el.reviewApprove.disabled = el.reviewReject.disabled = false;
  }
}

async function reselect() {
  const clave = state.selected.info.clave;
  if (!(await selectParcel(clave, { fit: false }))) {
    state.selected = null;
    groups.selection.clearLayers();
    el.selection.hidden = true;
    updateTools();
  }
}

const approve = () => decide('approve');
function reject() {
  const reason = el.reviewRejectReason.value.trim();
  if (!reason) { setMessage(el.reviewMessage, 'Escriba el motivo del rechazo: quien propuso la edición lo verá.', 'error'); return; }
  decide('reject', { reason });
}

// ---------- Tarifas (tablas de valores unitarios) ----------
const TARIFF_TABLES = Object.freeze({
  zones: { url: '/api/cadastre/valuation-zones', valueField: 'landValuePerM2', label: 'Zona de valor' },
  types: { url: '/api/cadastre/construction-types', valueField: 'valuePerM2', label: 'Tipo de construcción' },
});

function smallButton(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'button button-small';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

async function loadTariffs() {
  try {
    const [zones, types] = await Promise.all([fetchJson(TARIFF_TABLES.zones.url), fetchJson(TARIFF_TABLES.types.url)]);
    renderTariffs(el.zonesBody, 'zones', zones);
    renderTariffs(el.typesBody, 'types', types);
  } catch (err) {
    setMessage(el.tariffMessage, err.message, 'error');
  }
}

function renderTariffs(body, table, rows) {
  const t = TARIFF_TABLES[table];
  body.replaceChildren(...rows.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.code = r.code;
    tr.append(...[r.code, r.name, money(r[t.valueField])].map((text, i) => {
      const td = document.createElement('td');
      td.textContent = text;
      if (i === 2) td.className = 'num';
      return td;
    }));
    const actions = document.createElement('td');
    actions.append(smallButton('Historial', () => tariffHistory(table, r.code)));
    if (can('supervisor')) actions.append(' ', smallButton('Cambiar', () => editTariff(table, r)));
    tr.append(actions);
    return tr;
  }));
}

function editTariff(table, row) {
  const t = TARIFF_TABLES[table];
  state.tariff = { table, row };
  el.tariffTitle.textContent = `${t.label} ${row.code} (versión ${row.version})`;
  el.tariffName.value = row.name;
  el.tariffValue.value = String(row[t.valueField]);
  el.tariffReason.value = '';
  el.tariffSource.value = '';
  el.tariffForm.hidden = false;
  setMessage(el.tariffMessage, '');
  el.tariffValue.focus();
}

async function saveTariff() {
  const { table, row } = state.tariff || {};
  if (!row) return;
  const t = TARIFF_TABLES[table];
  const value = Number(el.tariffValue.value);
  if (el.tariffValue.value === '' || !Number.isFinite(value) || value < 0) { setMessage(el.tariffMessage, 'Escriba un valor por m² válido.', 'error'); return; }
  if (!el.tariffReason.value.trim()) { setMessage(el.tariffMessage, 'Escriba el motivo del cambio.', 'error'); return; }
  el.tariffSave.disabled = true;
  setMessage(el.tariffMessage, 'Guardando y revaluando los predios…');
  try {
    const body = { name: el.tariffName.value.trim() || null, [t.valueField]: value, reason: el.tariffReason.value.trim(), sourceDocument: el.tariffSource.value.trim() || null };
    const { data } = await send('PUT', `${t.url}/${encodeURIComponent(row.code)}`, body, { 'If-Match': `"v${row.version}"` });
    el.tariffForm.hidden = true;
    state.tariff = null;
    await loadTariffs();
    await tariffHistory(table, data.code);
    setMessage(el.tariffMessage, `${t.label} ${data.code}: versión ${data.version} guardada; los predios afectados quedaron revaluados.`, 'ok');
  } catch (err) {
    setMessage(el.tariffMessage, err.status === 412 ? `${err.message} La tabla se recargó: vuelva a intentarlo.` : err.message, 'error');
    if (err.status === 412) await loadTariffs();
  } finally {
    el.tariffSave.disabled = false;
  }
}

async function tariffHistory(table, code) {
  const t = TARIFF_TABLES[table];
  try {
    const h = await fetchJson(`${t.url}/${encodeURIComponent(code)}/history`);
    el.tariffHistory.replaceChildren(...h.versions.slice().reverse().map((v) => {
      const li = document.createElement('li');
      const head = document.createElement('strong');
      head.textContent = `${h.code} v${v.version} · ${money(v.value)}/m² · ${dateTime(v.validFrom)}`;
      const meta = document.createElement('p');
      meta.className = 'small muted';
      meta.textContent = [v.name, v.reason, v.sourceDocument && `Documento: ${v.sourceDocument}`, v.changedBy,
        `${number(v.parcelsRevalued)} predios revaluados`, v.validTo ? `vigente hasta ${dateTime(v.validTo)}` : 'vigente']
        .filter(Boolean).join(' — ');
      li.append(head, meta);
      return li;
    }));
  } catch (err) {
    setMessage(el.tariffMessage, err.message, 'error');
  }
}

// ---------- Historial ----------
async function openHistory(clave) {
  if (!clave) { setMessage(el.historyMessage, 'Escriba una clave catastral.', 'error'); return; }
  await state.history.open(clave);
}

// ---------- Sesión (lib/staff.js: acceso, cuenta y cierre de sesión) ----------
startStaffSession({
  workspace: el.workspace,
  onSignedIn: async (staff) => {
    window.ovEditorReady = false;
    state.staff = staff;
    await initWorkspace();
  },
  onSignInShown: () => { window.ovEditorReady = true; },
});
