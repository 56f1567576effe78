// OpenVeracruz · mapa ciudadano (módulo ES, sin bundler ni framework).
// Todo texto proveniente de la API se inserta con textContent o escapado.
import { ApiError, fetchJson, withQuery } from '/lib/api.js';
import { elementsById, escapeHtml, normalizeKey, setMessage } from '/lib/dom.js';
import { fixed, money } from '/lib/format.js';

window.ovReady = false;

const CLAVE_RE = /^\d{3}-\d{4}-\d{3}$/;

// Uso de suelo (propiedad `land_use` de los predios): clave normalizada, etiqueta, color.
const LAND_USES = [
  ['habitacional', 'Habitacional', '#e76f51'], ['comercial', 'Comercial', '#7b2cbf'], ['mixto', 'Mixto', '#c9184a'],
  ['industrial', 'Industrial', '#6c757d'], ['equipamiento', 'Equipamiento', '#0077b6'], ['baldio', 'Baldío', '#b08900'],
];
const LAND_USE_COLORS = Object.fromEntries(LAND_USES.map(([key, , color]) => [key, color]));
const LAND_USE_FALLBACK = '#495057';

const el = elementsById('map app-error app-error-text app-error-retry tile-notice zoom-hint layers-toggle layer-panel '
  + 'layer-list parcel-legend info-panel info-title info-close info-message info-details info-history search-form search-clave '
  + 'search-message footer-sources site-footer');

function landUseColor(landUse) {
  return LAND_USE_COLORS[normalizeKey(landUse)] || LAND_USE_FALLBACK;
}

function showAppError(message) {
  el.appErrorText.textContent = message;
  el.appError.hidden = false;
}

// ---------- arranque ----------
el.appErrorRetry.addEventListener('click', () => window.location.reload());
initLayerToggle();

// Leaflet y lo que se apoya en él (lib/map.js, history.js) llegan con import() en init(): si no se pueden descargar,
// la página lo dice y la búsqueda sigue respondiendo.
let L = null;
let mapLib = null;
let tiles = null; // lib/vectortiles.js: null si no se pudo cargar
let historyModule = null;
let config = null;
let map = null;
let highlight = null;
let parcelState = null; // { def, layer, minZoom, enabled }
let infoController = null;
const overlays = new Map(); // id -> L.Layer
window.ovLayers = overlays;

init().catch((err) => {
  console.error(err);
  showAppError('Ocurrió un error inesperado al iniciar el mapa.');
});

async function init() {
  try {
    [mapLib, historyModule] = await Promise.all([import('/lib/map.js'), import('/history.js')]);
  } catch (err) {
    console.error(err);
    showAppError('No se pudo cargar la biblioteca del mapa. Verifique su conexión y vuelva a intentarlo.');
    return;
  }
  L = mapLib.L;
  try {
    tiles = await import('/lib/vectortiles.js');
  } catch (err) {
    console.error(err);
    showAppError('No se pudo cargar la biblioteca de teselas: los predios y las áreas no se mostrarán.');
  }
  try {
    config = await mapLib.mapConfig();
  } catch (err) {
    config = { ...mapLib.DEFAULT_MAP_CONFIG };
    createMap();
    showAppError(`No se pudo cargar la configuración del mapa. ${err.message}`);
    return;
  }
  createMap();

  let layers;
  try {
    layers = await fetchJson('/api/layers');
    if (!Array.isArray(layers)) throw new ApiError('La lista de capas no es válida.', 0);
  } catch (err) {
    showAppError(`No se pudieron cargar las capas del mapa. ${err.message}`);
    return;
  }
  await setupLayers(layers);
  window.ovReady = true;
  document.dispatchEvent(new CustomEvent('ov:ready'));
}

function createMap() {
  map = L.map(el.map, {
    center: config.center,
    zoom: config.zoom,
    zoomControl: true,
    attributionControl: true,
  });
  window.ovMap = map;
  mapLib.setLeafletPrefix(map);

  // Panes: áreas < predios (overlayPane) < contornos < puntos < resaltado.
  [['ovAreas', 350], ['ovLines', 420], ['ovPoints', 440], ['ovHighlight', 450]].forEach(([name, z]) => {
    const pane = map.createPane(name);
    pane.style.zIndex = String(z);
    pane.style.pointerEvents = 'none'; // sólo los elementos interactivos reciben eventos
  });
  highlight = L.geoJSON(null, {
    pane: 'ovHighlight',
    interactive: false,
    style: { color: '#ffbe0b', weight: 4, fillColor: '#ffbe0b', fillOpacity: 0.25, dashArray: null },
  }).addTo(map);
  setupHistory();

  mapLib.addBaseTiles(map, config, markTilesUnavailable);
  map.on('click', onMapClick);
  // El encabezado puede cambiar de alto (mensajes); Leaflet debe conocer el tamaño real.
  if ('ResizeObserver' in window) new ResizeObserver(() => map.invalidateSize()).observe(el.map);
}

function markTilesUnavailable() {
  el.map.classList.add('no-tiles');
  el.tileNotice.hidden = false;
}

// ---------- capas ----------
async function setupLayers(defs) {
  const sources = new Set();
  const sorted = [...defs].sort((a, b) => (a.kind === 'cadastre') - (b.kind === 'cadastre'));
  const loads = sorted.map((def) => {
    if (def.attribution) sources.add(String(def.attribution));
    // capas de puntos (pocas, con nombre al pasar el cursor) en GeoJSON; áreas, líneas y predios en teselas vectoriales
    if (!tiles) return def.kind === 'cadastre' ? Promise.resolve() : loadReferenceLayer(def);
    if (def.kind === 'cadastre') {
      setupParcels(def);
      return Promise.resolve();
    }
    if (/Point/.test(def.geometryType || '')) return loadReferenceLayer(def);
    tileReferenceLayer(def);
    return Promise.resolve();
  });
  const footerText = normalizeKey(el.siteFooter.textContent);
  el.footerSources.textContent = [...sources].filter((t) => !footerText.includes(normalizeKey(t).replace(/\.$/, ''))).join(' · ');
  await Promise.allSettled(loads);
}

function addLayerCheckbox(def, layer, swatchStyle, onToggle) {
  const li = document.createElement('li');
  const label = document.createElement('label');
  const input = document.createElement('input');
  input.type = 'checkbox';
  input.id = `layer-${String(def.id).replace(/[^\w-]/g, '_')}`;
  input.dataset.layerId = def.id;
  input.checked = !!def.defaultVisible;
  const swatch = document.createElement('span');
  swatch.className = `swatch ${swatchStyle.kind}`;
  swatch.style.borderColor = swatchStyle.color === '#ffffff' ? swatchStyle.fillColor : swatchStyle.color;
  swatch.style.backgroundColor = swatchStyle.fill === false ? 'transparent' : (swatchStyle.fillColor || 'transparent');
  const text = document.createElement('span');
  text.textContent = def.title || def.id;
  label.title = def.description || '';
  label.append(input, swatch, text);
  li.append(label);
  el.layerList.append(li);
  input.addEventListener('change', () => onToggle(input.checked));
  if (input.checked) onToggle(true);
  return li;
}

async function loadReferenceLayer(def) {
  const style = mapLib.referenceStyle(def.geometryType, def.id);
  const pane = style.kind === 'point' ? 'ovPoints' : style.kind === 'line' ? 'ovLines' : 'ovAreas';
  const layer = L.geoJSON(null, {
    pane,
    attribution: escapeHtml(def.attribution || ''),
    interactive: style.kind === 'point',
    style: () => style,
    // una oficina abre su ventana (Agendar cita) sin consultar también el predio de debajo
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, { ...style, pane, bubblingMouseEvents: def.id !== 'offices' }),
    onEachFeature: (feature, lyr) => {
      const name = mapLib.featureLabel(feature.properties);
      if (style.kind === 'point' && name) {
        const tip = document.createElement('span');
        tip.textContent = String(name);
        lyr.bindTooltip(tip, { className: 'ov-tooltip', direction: 'top' });
      }
      // Cero Filas: desde una oficina del mapa se agenda una cita en ella
      if (def.id === 'offices' && feature.properties && feature.properties.code) {
        const box = document.createElement('div');
        const title = document.createElement('strong');
        title.textContent = String(name || feature.properties.code);
        const book = document.createElement('a');
        book.className = 'button';
        book.href = `/citas/?oficina=${encodeURIComponent(feature.properties.code)}`;
        book.textContent = 'Agendar cita';
        const screen = document.createElement('a');
        screen.href = `/turnos/${encodeURIComponent(feature.properties.code)}`;
        screen.textContent = 'Ver turnos';
        box.append(title, document.createElement('br'), book, ' ', screen);
        lyr.bindPopup(box);
      }
    },
  });
  overlays.set(def.id, layer);
  const li = addLayerCheckbox(def, layer, style, (on) => (on ? layer.addTo(map) : layer.remove()));
  try {
    const data = await fetchJson(withQuery(def.itemsUrl, { limit: 1000 }));
    layer.addData(data);
  } catch (err) {
    console.warn(`Capa ${def.id}:`, err);
    const warn = document.createElement('span');
    warn.className = 'unavailable';
    warn.textContent = ' (no disponible)';
    li.querySelector('label').append(warn);
  }
}

// Áreas y límites de referencia en teselas vectoriales, con el mismo estilo que tenían en GeoJSON.
function tileReferenceLayer(def) {
  const style = mapLib.referenceStyle(def.geometryType, def.id);
  const theme = mapLib.THEMATIC_STYLES[def.id];
  const outline = tiles.symbols.line({ color: style.color, width: style.weight, opacity: style.opacity });
  let paintRules = style.fill === false ? [{ dataLayer: def.id, symbolizer: outline }]
    : [{ dataLayer: def.id, symbolizer: tiles.symbols.fill({ fill: style.fillColor, opacity: style.fillOpacity }) }, { dataLayer: def.id, symbolizer: outline }];
  if (theme) {
    // coropleta: relleno y borde del color de la categoría de cada elemento
    const color = (z, f) => mapLib.thematicColor(theme, f && f.props);
    paintRules = [
      { dataLayer: def.id, symbolizer: tiles.symbols.fill({ fill: color, opacity: 0.45 }) },
      { dataLayer: def.id, symbolizer: tiles.symbols.line({ color, width: 1, opacity: 0.9 }) },
    ];
  }
  const layer = tiles.vectorTileLayer(def, {
    paintRules, pane: style.kind === 'line' ? 'ovLines' : 'ovAreas', attribution: escapeHtml(def.attribution || ''),
  });
  overlays.set(def.id, layer);
  const li = addLayerCheckbox(def, layer, style, (on) => (on ? layer.addTo(map) : layer.remove()));
  if (theme) li.append(categoryLegend(theme));
}

function categoryLegend(theme) {
  const list = document.createElement('ul');
  list.className = 'category-legend';
  theme.categories.forEach(([value, label, color]) => {
    const item = document.createElement('li');
    item.dataset.value = value;
    const sw = document.createElement('span');
    sw.className = 'swatch area';
    sw.style.borderColor = color;
    sw.style.backgroundColor = color;
    item.append(sw, document.createTextNode(label));
    list.append(item);
  });
  return list;
}

// Todos los predios, desde el zoom mínimo de la capa (14), en teselas vectoriales: sin tope de elementos por vista.
// Bajo el zoom 15 las teselas sólo traen la clave (se dibujan en un color); desde el 15, el uso de suelo colorea.
function setupParcels(def) {
  const minZoom = Number.isFinite(def.minZoom) && def.minZoom > 0 ? def.minZoom : config.parcelMinZoom;
  const color = (z, f) => landUseColor(f && f.props && f.props.land_use);
  const layer = tiles.vectorTileLayer(def, {
    minZoom, pane: 'overlayPane',
    attribution: escapeHtml(def.attribution || 'Predios: datos sintéticos de demostración'),
    paintRules: [
      { dataLayer: def.id, symbolizer: tiles.symbols.fill({ fill: color, opacity: 0.08 }) },
      { dataLayer: def.id, symbolizer: tiles.symbols.line({ color, width: 1, opacity: 0.9 }) },
    ],
  });
  parcelState = { def, layer, minZoom, enabled: false };
  overlays.set(def.id, layer);
  addLayerCheckbox(def, layer, { kind: 'area', color: LAND_USE_COLORS.habitacional, fillColor: 'transparent' }, (on) => {
    parcelState.enabled = on;
    if (on) layer.addTo(map); else layer.remove();
    updateZoomHint();
  });
  appendLandUseLegend();
  map.on('zoomend', updateZoomHint);
  updateZoomHint();
}

function appendLandUseLegend() {
  const list = document.createElement('ul');
  LAND_USES.forEach(([, label, color]) => {
    const item = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.borderColor = color;
    item.append(sw, document.createTextNode(label));
    list.append(item);
  });
  el.parcelLegend.append(list);
  el.parcelLegend.hidden = false;
}

function setZoomHint(text) {
  el.zoomHint.textContent = text || '';
  el.zoomHint.hidden = !text;
}

function updateZoomHint() {
  const st = parcelState;
  setZoomHint(st && st.enabled && map.getZoom() < st.minZoom ? 'Acerque el mapa para ver los predios' : '');
}

function initLayerToggle() {
  const setOpen = (open) => {
    el.layerPanel.hidden = !open;
    el.layersToggle.setAttribute('aria-expanded', String(open));
  };
  el.layersToggle.addEventListener('click', () => setOpen(el.layerPanel.hidden));
  setOpen(window.matchMedia('(min-width: 601px)').matches);
}

// ---------- consulta de predios ----------
// El predio dibujado bajo el clic (su clave viene en la tesela) se pide por su clave; si no hay uno dibujado (capa
// apagada, teselas aún en camino), se pregunta a la API qué predio hay en ese punto.
function onMapClick(e) {
  const st = parcelState;
  const drawn = st && st.enabled && map.getZoom() >= st.minZoom ? tiles.featuresAt(st.layer, e.latlng)[st.def.id] : null;
  const clave = drawn && drawn.length ? drawn[0].clave : null;
  if (clave) {
    lookupParcel(`/api/cadastre/parcels/${encodeURIComponent(clave)}`);
    return;
  }
  const { lat, lng } = e.latlng;
  lookupParcel(withQuery('/api/cadastre/parcels/at', { lon: lng.toFixed(7), lat: lat.toFixed(7) }));
}

// Historial del predio abierto: se carga al desplegarlo y dibuja la versión de la fecha elegida.
let history = null;
let historyClave = null;
function setupHistory() {
  const historyLayer = L.layerGroup().addTo(map);
  history = historyModule.createHistory({
    map, layer: historyLayer,
    el: {
      body: document.getElementById('ph-body'), slider: document.getElementById('ph-slider'), date: document.getElementById('ph-date'),
      state: document.getElementById('ph-state'), lineage: document.getElementById('ph-lineage'), list: document.getElementById('ph-list'),
      message: document.getElementById('ph-message'),
    },
    onOpenClave: (clave) => lookupParcel(`/api/cadastre/parcels/${encodeURIComponent(clave)}`, { fit: true }),
  });
  el.infoHistory.addEventListener('toggle', () => {
    if (el.infoHistory.open && historyClave) history.open(historyClave);
    else if (!el.infoHistory.open) history.clear();
  });
}

function resetHistory(clave) {
  historyClave = clave;
  if (!history) return;
  el.infoHistory.open = false;
  history.clear();
}

function closeInfo() {
  if (el.infoPanel.contains(document.activeElement)) el.searchClave.focus();
  el.infoPanel.hidden = true;
  resetHistory(null);
  if (highlight) highlight.clearLayers();
  if (infoController) infoController.abort();
}

// Consulta un predio y lo muestra. Devuelve { parcel } o { error } (nunca lanza).
// Con `quiet` el panel no se toca hasta tener éxito (búsqueda por clave).
async function lookupParcel(url, { fit = false, quiet = false } = {}) {
  if (infoController) infoController.abort();
  const controller = new AbortController();
  infoController = controller;
  if (!quiet) {
    el.infoPanel.hidden = false;
    el.infoTitle.textContent = '¿Qué predio hay aquí?';
    el.infoDetails.hidden = true;
    setMessage(el.infoMessage, 'Buscando predio…');
  }
  try {
    const parcel = await fetchJson(url, controller.signal);
    if (controller.signal.aborted) return { aborted: true };
    el.infoPanel.hidden = false;
    showParcel(parcel, fit);
    return { parcel };
  } catch (err) {
    if (err.name === 'AbortError') return { aborted: true };
    if (!quiet) {
      highlight.clearLayers();
      setMessage(el.infoMessage, err.message, 'error');
    } else if (el.infoDetails.hidden) {
      el.infoPanel.hidden = true; // no dejar un "Buscando…" huérfano de un clic anterior
    }
    return { error: err };
  } finally {
    if (infoController === controller) infoController = null;
  }
}

function setField(cls, value) {
  el.infoDetails.querySelector(`.${cls}`).textContent = value;
}

function fmtM2(value) {
  return Number.isFinite(value) ? `${fixed(value)} m²` : 'Sin dato';
}

function showParcel(p, fit) {
  el.infoTitle.textContent = 'Predio';
  resetHistory(p.clave || null);
  setMessage(el.infoMessage, '');
  setField('clave', p.clave || '');
  setField('locality', p.locality || 'Sin dato');
  setField('land-use', p.landUseLabel || p.landUse || 'Sin dato');
  setField('land-area', fmtM2(p.landAreaM2));
  setField('built-area', fmtM2(p.builtAreaM2));
  const zone = [p.valuationZone, p.valuationZoneName].filter(Boolean).join(' · ');
  setField('valuation-zone', zone || 'Sin dato');
  setField('land-value-m2', Number.isFinite(p.landValuePerM2) ? `${money(p.landValuePerM2)} / m²` : 'Sin dato');
  setField('cadastral-value', Number.isFinite(p.cadastralValue) ? money(p.cadastralValue) : 'Sin dato');
  document.getElementById('info-pay').href = p.clave ? `/pagos/?clave=${encodeURIComponent(p.clave)}` : '/pagos/';
  el.infoDetails.hidden = false;

  highlight.clearLayers();
  if (p.geometry) {
    try {
      highlight.addData({ type: 'Feature', properties: {}, geometry: p.geometry });
    } catch (err) {
      console.warn('Geometría no válida:', err);
    }
  }
  if (fit) {
    const bounds = highlight.getLayers().length ? highlight.getBounds() : null;
    if (bounds && bounds.isValid()) {
      // En teléfono el panel es una hoja inferior: se deja libre esa franja.
      const sheet = window.matchMedia('(max-width: 600px)').matches ? Math.round(map.getSize().y * 0.45) : 0;
      map.fitBounds(bounds, { maxZoom: 19, paddingTopLeft: [40, 40], paddingBottomRight: [40, 40 + sheet] });
    } else if (p.centroid && Number.isFinite(p.centroid.lat)) {
      map.setView([p.centroid.lat, p.centroid.lon], Math.max(parcelState ? parcelState.minZoom : 17, 18));
    }
  }
}

el.infoClose.addEventListener('click', closeInfo);
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !el.infoPanel.hidden) closeInfo();
});

// ---------- búsqueda por clave ----------
el.searchClave.addEventListener('input', () => {
  el.searchClave.removeAttribute('aria-invalid');
  setMessage(el.searchMessage, '');
});

el.searchForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  let clave = el.searchClave.value.trim();
  if (/^\d{10}$/.test(clave)) clave = `${clave.slice(0, 3)}-${clave.slice(3, 7)}-${clave.slice(7)}`;
  if (!CLAVE_RE.test(clave)) {
    el.searchClave.setAttribute('aria-invalid', 'true');
    setMessage(el.searchMessage, clave ? 'Formato de clave no válido. Use ZZZ-MMMM-LLL, p. ej. 001-0012-007.'
      : 'Escriba una clave catastral, p. ej. 001-0012-007.', 'error');
    return;
  }
  if (!map) {
    setMessage(el.searchMessage, 'El mapa no está disponible en este momento.', 'error');
    return;
  }
  el.searchClave.value = clave;
  el.searchClave.removeAttribute('aria-invalid');
  setMessage(el.searchMessage, 'Buscando…');
  const { parcel, error } = await lookupParcel(`/api/cadastre/parcels/${encodeURIComponent(clave)}`, { fit: true, quiet: true });
  if (parcel) setMessage(el.searchMessage, `Predio ${parcel.clave || clave} encontrado.`, 'ok');
  else if (error) setMessage(el.searchMessage, error.message, 'error');
});
