// OpenVeracruz · página de un conjunto de datos (/datos/dataset/{name}): metadatos (package_show), cobertura y
// primeros elementos en un mapa (OGC API – Features), vista previa (datastore_search), descargas, ejemplos de API y,
// para los recursos subidos, el estado de su importación (/api/uploads/{id}/status) con las filas rechazadas.
// Texto de la API sólo con textContent; enlaces de la API sólo si son http(s).
import { fetchJson, withQuery } from '/lib/api.js';
import { elementsById, normalizeKey, safeUrl } from '/lib/dom.js';
import { integer } from '/lib/format.js';
import { badgeList, ckan, extrasOf, formatDate, setPageState, showError } from '/datos/ckan.js';

const PREVIEW_ROWS = 20;
const MAP_FEATURES = 50;
const FREQUENCIES = { decenal: 'Cada diez años', anual: 'Anual', mensual: 'Mensual', semanal: 'Semanal', diaria: 'Diaria', irregular: 'Irregular' };

const el = elementsById('datos-status dataset ds-crumb ds-title ds-badges ds-notes ds-org ds-license ds-source ds-attribution '
  + 'ds-modified ds-frequency ds-temporal ds-tags ds-map tile-notice ds-map-note ds-resources ds-excel-line ds-excel '
  + 'ds-preview-note ds-preview ds-preview-caption ds-api-links ds-snippets ds-copy-status ds-imports-card ds-imports');
window.ovDatasetFeatures = 0;

function nameFromPath() {
  const m = window.location.pathname.match(/^\/datos\/dataset\/([^/]+)\/?$/);
  if (m) {
    try { return decodeURIComponent(m[1]); } catch { return m[1]; }
  }
  return new URLSearchParams(window.location.search).get('id') || ''; // /datos/dataset.html?id=…
}

function text(node, value, fallback = 'Sin dato') {
  node.textContent = value ? String(value) : fallback;
}

function link(href, label, className) {
  const url = safeUrl(href);
  if (!url) {
    const span = document.createElement('span');
    span.textContent = label;
    return span;
  }
  const a = document.createElement('a');
  a.href = url;
  a.textContent = label;
  if (className) a.className = className;
  if (new URL(url).origin !== window.location.origin) a.rel = 'noopener';
  return a;
}

async function main(datasetName) {
  setPageState('loading');
  if (!datasetName) {
    notFound('Indique el nombre de un conjunto de datos.');
    return;
  }
  let pkg;
  try {
    pkg = await ckan('package_show', { id: datasetName });
  } catch (err) {
    if (err.status === 404) notFound(`Conjunto de datos no encontrado: «${datasetName}». Puede que el nombre esté mal escrito o que ya no se publique.`);
    else {
      el.datosStatus.textContent = '';
      showError(`No se pudo cargar el conjunto de datos. ${err.message}`, { href: window.location.href, text: 'Reintentar' });
      setPageState('error');
    }
    return;
  }
  const extras = extrasOf(pkg);
  const layerId = extras.ogc_collection ? extras.ogc_collection.replace(/\/+$/, '').split('/').pop() : null;
  showMetadata(pkg, extras);
  const csv = showDownloads(pkg);
  el.dataset.hidden = false;
  el.datosStatus.textContent = `Conjunto de datos «${pkg.title || pkg.name}» cargado.`;
  el.datosStatus.classList.add('visually-hidden'); // el título ya lo dice; el aviso queda para lectores de pantalla
  const datastore = (pkg.resources || []).find((r) => r.datastore_active);
  await Promise.all([
    showImports(pkg),
    showMap(extras, layerId),
    showPreview(datastore),
    showApi(pkg, extras, layerId, csv, datastore),
  ]);
  setPageState('ready');
}

function notFound(message) {
  el.datosStatus.textContent = '';
  document.title = 'No encontrado · Datos abiertos · OpenVeracruz';
  text(el.dsCrumb, 'No encontrado');
  showError(message, { href: '/datos/', text: 'Buscar en el catálogo de datos' });
  setPageState('not-found');
}

// ---------- metadatos ----------
function showMetadata(pkg, extras) {
  const title = pkg.title || pkg.name;
  document.title = `${title} · Datos abiertos · OpenVeracruz`;
  text(el.dsCrumb, title);
  text(el.dsTitle, title);
  el.dsBadges.replaceChildren(badgeList(pkg));
  text(el.dsNotes, pkg.notes, 'Sin descripción.');

  const org = pkg.organization || {};
  el.dsOrg.replaceChildren(org.name
    ? link(`/datos/?organization=${encodeURIComponent(org.name)}`, org.title || org.name)
    : document.createTextNode('Sin organización'));
  el.dsLicense.replaceChildren(link(pkg.license_url, pkg.license_title || pkg.license_id || 'Sin licencia declarada'));
  el.dsSource.replaceChildren(extras.source || pkg.url ? link(pkg.url, extras.source || pkg.url) : document.createTextNode('Sin dato'));
  text(el.dsAttribution, extras.attribution);
  text(el.dsModified, formatDate(pkg.metadata_modified));
  text(el.dsFrequency, FREQUENCIES[extras.frequency] || extras.frequency);
  text(el.dsTemporal, extras.temporal);
  el.dsTags.replaceChildren(...(pkg.tags || []).map((t) => {
    const li = document.createElement('li');
    li.append(link(`/datos/?tags=${encodeURIComponent(t.name)}`, t.display_name || t.name, 'tag'));
    return li;
  }));
  if (!el.dsTags.children.length) el.dsTags.append(document.createTextNode('Sin etiquetas'));
}

// ---------- descargas ----------
const plain = (t) => normalizeKey(t).replace(/[^a-z0-9]/g, '');

function showDownloads(pkg) {
  let csv = null;
  const items = (pkg.resources || []).map((r) => {
    const url = safeUrl(r.url);
    const format = String(r.format || 'Archivo');
    const li = document.createElement('li');
    const a = document.createElement(url ? 'a' : 'span');
    a.className = 'button download';
    a.dataset.format = format;
    if (url) {
      a.href = url;
      if (/^(CSV|GeoJSON)$/i.test(format)) a.setAttribute('download', '');
      if (!csv && /^CSV$/i.test(format)) csv = url;
    }
    const f = document.createElement('span');
    f.className = 'download-format';
    f.textContent = format;
    a.append(f);
    const label = String(r.name || '');
    if (label && plain(label) !== plain(format)) {
      const n = document.createElement('span');
      n.className = 'download-name';
      n.textContent = label;
      a.append(n);
    }
    li.append(a);
    return li;
  });
  el.dsResources.replaceChildren(...items);
  if (!items.length) el.dsResources.append(Object.assign(document.createElement('li'), { textContent: 'Este conjunto no tiene recursos publicados.' }));
  if (csv) {
    const excel = new URL(csv);
    excel.searchParams.set('bom', 'true');
    el.dsExcel.href = excel.href;
    el.dsExcelLine.hidden = false;
  }
  return csv;
}

// ---------- importación de archivos subidos ----------
// Un recurso subido apunta a /api/uploads/{id}/{versión} hasta su primera importación y luego a
// /downloads/u_{8 primeras cifras hex de su id}.csv; sólo para ésos se pide /api/uploads/{id}/status.
const POLL_MS = 2000;
const REPORT_ROWS = 50;
const ACTIVE_STATES = new Set(['queued', 'running']);

function isUpload(r) {
  if (!r || !r.id) return false;
  if (r.import_status) return true;
  let path;
  try { path = new URL(String(r.url || ''), window.location.origin).pathname; } catch { return false; }
  if (path.startsWith('/api/uploads/')) return true;
  const m = path.match(/^\/downloads\/u_([0-9a-f]{8})\.[a-z]+$/i);
  return !!m && m[1].toLowerCase() === String(r.id).replace(/-/g, '').slice(0, 8).toLowerCase();
}

async function showImports(pkg) {
  const uploads = (pkg.resources || []).filter(isUpload);
  if (!uploads.length) return;
  const boxes = uploads.map((r) => importBox(pkg, r));
  el.dsImports.replaceChildren(...boxes.map((b) => b.root));
  el.dsImportsCard.hidden = false;
  await Promise.all(boxes.map((b) => b.refresh()));
}

function importBox(pkg, resource) {
  const root = document.createElement('div');
  root.className = 'import';
  root.dataset.resourceId = resource.id;
  const h = document.createElement('h3');
  h.textContent = String(resource.name || resource.format || 'Recurso subido');
  const line = document.createElement('p');
  line.className = 'import-status';
  line.setAttribute('role', 'status');
  line.setAttribute('aria-live', 'polite');
  line.textContent = 'Consultando el estado de la importación…';
  const bar = document.createElement('progress');
  bar.className = 'import-progress';
  bar.hidden = true;
  bar.setAttribute('aria-label', `Progreso de la importación de ${h.textContent}`);
  const report = document.createElement('div');
  report.className = 'import-report';
  const versions = document.createElement('p');
  versions.className = 'import-versions';
  versions.append(link(`/dataset/${encodeURIComponent(pkg.name)}/resource/${encodeURIComponent(resource.id)}/versions`,
    'Versiones de este recurso (JSON)'));
  root.append(h, line, bar, report, versions);

  let reportKey = '';
  let polled = false; // se vio en cola o en curso: al terminar, el resto de la página está desactualizado
  async function refresh() {
    let status;
    try {
      status = await fetchJson(`/api/uploads/${encodeURIComponent(resource.id)}/status`);
    } catch (err) {
      if (err.status === 404) {
        root.remove(); // no es un recurso subido (o no tiene importación)
        if (!el.dsImports.children.length) el.dsImportsCard.hidden = true;
        return;
      }
      console.warn('Estado de la importación:', err);
      line.textContent = `No se pudo consultar el estado de la importación. ${err.message}`;
      root.dataset.state = 'error';
      return;
    }
    render(status);
    if (ACTIVE_STATES.has(status.state)) {
      polled = true;
      window.setTimeout(refresh, POLL_MS);
    } else if (polled && !root.querySelector('.import-reload')) {
      const p = document.createElement('p');
      p.className = 'note import-reload';
      p.append(document.createTextNode('La importación terminó: '),
        link(window.location.href, 'recargue la página'),
        document.createTextNode(' para ver los datos, el mapa y las descargas al día.'));
      line.after(p);
    }
  }

  function render(s) {
    const state = String(s.state || '');
    root.dataset.state = state;
    const done = Number.isFinite(s.rowsDone) ? s.rowsDone : 0;
    const total = Number.isFinite(s.rowsTotal) ? s.rowsTotal : null;
    root.dataset.rows = String(done);
    let message;
    if (state === 'queued') message = 'En cola';
    else if (state === 'running') {
      message = total !== null
        ? `Importando: ${integer(done)} de ${integer(total)} filas`
        : `Importando: ${integer(done)} filas`;
    } else if (state === 'succeeded') {
      message = `Importado: ${integer(done)} filas (versión ${s.version})`;
    } else if (state === 'failed') {
      message = `Falló: ${s.message || 'error desconocido'}`;
    } else message = `Estado de la importación: ${state || 'desconocido'}`;
    if (line.textContent !== message) line.textContent = message; // no repetir el aviso a los lectores de pantalla
    bar.hidden = state !== 'running' && state !== 'queued';
    if (state === 'running' && total) {
      bar.max = total;
      bar.value = Math.min(done, total);
      bar.textContent = `${integer(done)} de ${integer(total)}`;
    } else {
      bar.removeAttribute('value'); // indeterminado mientras espera
      bar.textContent = '';
    }
    // El informe lista filas rechazadas, geometrías reparadas y avisos sobre todo el archivo (fila 0).
    const problems = (Array.isArray(s.report) ? s.report : []).filter((p) => p && p.row != null);
    const key = `${s.version}:${state}:${problems.length}`;
    if (key !== reportKey) {
      reportKey = key;
      report.replaceChildren(...(problems.length ? [reportTable(problems, s, h.textContent)] : []));
    }
  }

  return { root, refresh };
}

function reportTable(problems, status, resourceName) {
  const details = document.createElement('details');
  details.className = 'import-rejected';
  const summary = document.createElement('summary');
  const rejected = Number.isFinite(status.rejected) ? status.rejected : problems.length;
  const repaired = Number.isFinite(status.repaired) ? status.repaired : 0;
  summary.textContent = `Filas rechazadas (${integer(rejected)})`
    + (repaired ? `; ${integer(repaired)} ${repaired === 1 ? 'geometría reparada' : 'geometrías reparadas'}` : '');
  const wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-label', `Filas rechazadas de ${resourceName}`);
  const table = document.createElement('table');
  const caption = document.createElement('caption');
  caption.textContent = problems.length > REPORT_ROWS
    ? `Primeros ${integer(REPORT_ROWS)} de ${integer(problems.length)} problemas del informe`
    : `Problemas del informe de importación (${integer(problems.length)})`;
  const head = document.createElement('tr');
  ['Fila', 'Campo', 'Problema'].forEach((label) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.append(th);
  });
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  problems.slice(0, REPORT_ROWS).forEach((p) => {
    const tr = document.createElement('tr');
    const row = document.createElement('td');
    row.className = 'num';
    row.textContent = Number(p.row) === 0 ? 'Archivo' : String(p.row);
    const field = document.createElement('td');
    field.textContent = p.field == null || p.field === '' ? '—' : String(p.field);
    const problem = document.createElement('td');
    problem.textContent = String(p.problem || '');
    tr.append(row, field, problem);
    tbody.append(tr);
  });
  table.append(caption, thead, tbody);
  wrap.append(table);
  details.append(summary, wrap);
  if (problems.length > REPORT_ROWS) {
    const more = document.createElement('p');
    more.className = 'note import-more';
    const rest = problems.length - REPORT_ROWS;
    more.textContent = `Y ${integer(rest)} ${rest === 1 ? 'problema más' : 'problemas más'} que no se muestran aquí.`;
    details.append(more);
  }
  return details;
}

// ---------- mapa ----------
// Leaflet llega con import(): si no se puede descargar, el resto de la página sigue y el mapa lo dice.
async function showMap(extras, layerId) {
  let mapLib;
  try {
    mapLib = await import('/lib/map.js');
  } catch (err) {
    console.warn('Biblioteca del mapa:', err);
    el.dsMap.hidden = true;
    el.dsMapNote.textContent = 'No se pudo cargar la biblioteca del mapa.';
    return;
  }
  const { L, mapConfig, DEFAULT_MAP_CONFIG, setLeafletPrefix, addBaseTiles, referenceStyle, featureLabel } = mapLib;
  let config;
  try {
    config = await mapConfig();
  } catch (err) {
    console.warn('Configuración del mapa:', err);
    config = { ...DEFAULT_MAP_CONFIG };
  }
  const map = L.map(el.dsMap, { center: config.center, zoom: config.zoom, scrollWheelZoom: false, dragging: !L.Browser.mobile });
  window.ovDatasetMap = map;
  setLeafletPrefix(map);
  addBaseTiles(map, config, () => {
    el.dsMap.classList.add('no-tiles');
    el.tileNotice.hidden = false;
  });

  let bounds = null;
  if (extras.spatial) {
    try {
      const cover = L.geoJSON(JSON.parse(extras.spatial), {
        interactive: false,
        style: { color: '#1d3557', weight: 2, dashArray: '6 4', fill: true, fillOpacity: 0.04 },
      }).addTo(map);
      bounds = cover.getBounds();
    } catch (err) {
      console.warn('Cobertura espacial no válida:', err);
    }
  }

  const notes = [];
  if (extras.ogc_collection) {
    try {
      const items = await fetchJson(withQuery(`${extras.ogc_collection.replace(/\/+$/, '')}/items`, { limit: MAP_FEATURES }));
      const features = Array.isArray(items.features) ? items.features : [];
      const first = features.find((f) => f && f.geometry);
      const style = referenceStyle(first ? first.geometry.type : '', layerId);
      const layer = L.geoJSON(features, {
        style: () => style,
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, style),
        onEachFeature: (feature, lyr) => {
          const label = featureLabel(feature.properties) || (feature.properties && feature.properties.clave) || feature.id;
          if (label != null && label !== '') {
            const tip = document.createElement('span');
            tip.textContent = String(label);
            lyr.bindTooltip(tip, { className: 'ov-tooltip' });
          }
        },
      }).addTo(map);
      window.ovDatasetFeatures = layer.getLayers().length;
      const total = Number.isFinite(items.numberMatched) ? items.numberMatched : null;
      notes.push(total !== null && total > features.length
        ? `Se dibujan los primeros ${integer(features.length)} de ${integer(total)} elementos; la línea discontinua marca la cobertura completa.`
        : `Se dibujan ${integer(features.length)} elementos; la línea discontinua marca la cobertura.`);
      if (!bounds || !bounds.isValid()) bounds = layer.getBounds();
    } catch (err) {
      console.warn('Elementos OGC:', err);
      notes.push(`No se pudieron cargar los elementos del mapa. ${err.message}`);
      showError(`No se pudieron cargar los elementos del mapa. ${err.message}`);
    }
  } else if (!extras.spatial) {
    notes.push('Este conjunto de datos no declara cobertura espacial.');
  }
  el.dsMapNote.textContent = notes.join(' ');
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
  if ('ResizeObserver' in window) new ResizeObserver(() => map.invalidateSize()).observe(el.dsMap);
}

// ---------- vista previa ----------
async function showPreview(resource) {
  if (!resource) {
    el.dsPreviewNote.textContent = 'Este conjunto de datos no tiene una tabla para previsualizar.';
    return;
  }
  let data;
  try {
    data = await ckan('datastore_search', { resource_id: resource.id, limit: PREVIEW_ROWS });
  } catch (err) {
    console.warn('datastore_search:', err);
    el.dsPreviewNote.textContent = `No se pudo cargar la vista previa. ${err.message}`;
    showError(`No se pudo cargar la vista previa de los datos. ${err.message}`);
    return;
  }
  const fields = (data.fields || []).filter((f) => f.id !== '_id');
  const records = Array.isArray(data.records) ? data.records : [];
  const head = document.createElement('tr');
  fields.forEach((f) => {
    const th = document.createElement('th');
    th.scope = 'col';
    const label = document.createElement('span');
    label.className = 'col-label';
    label.textContent = (f.info && f.info.label) || f.id;
    const id = document.createElement('code');
    id.className = 'col-id';
    id.textContent = f.id;
    th.append(label, id);
    head.append(th);
  });
  el.dsPreview.tHead.replaceChildren(head);
  el.dsPreview.tBodies[0].replaceChildren(...records.map((rec) => {
    const tr = document.createElement('tr');
    fields.forEach((f) => {
      const td = document.createElement('td');
      const v = rec[f.id];
      td.textContent = v == null ? '' : String(v);
      if (/^(int|float|num)/.test(f.type || '')) td.className = 'num';
      tr.append(td);
    });
    return tr;
  }));
  const total = Number.isFinite(data.total) ? data.total : null;
  el.dsPreviewCaption.textContent = total !== null
    ? `Primeras ${integer(records.length)} de ${integer(total)} filas`
    : `Primeras ${integer(records.length)} filas`;
  el.dsPreviewNote.textContent = 'Deslice la tabla hacia los lados para ver todas las columnas.';
  el.dsPreview.closest('.table-wrap').hidden = false;
}

// ---------- cómo obtener los datos ----------
const sh = (s) => `'${String(s).replace(/'/g, "'\\''")}'`; // comillas de shell
const lit = (s) => JSON.stringify(String(s)); // literal de cadena válido en Python y en R

async function showApi(pkg, extras, layerId, csv, datastore) {
  const origin = window.location.origin;
  const showUrl = withQuery(`${origin}/api/3/action/package_show`, { id: pkg.name });
  const links = [[showUrl, 'Metadatos (API CKAN, package_show)']];
  const ogc = extras.ogc_collection ? extras.ogc_collection.replace(/\/+$/, '') : null;
  if (ogc) {
    links.push([ogc, 'Colección OGC API – Features']);
    links.push([withQuery(`${ogc}/items`, { limit: 100 }), 'Elementos en GeoJSON (OGC API – Features, 100 por página)']);
  }
  const odata = layerId ? await odataEntitySet(layerId) : null;
  if (odata) links.push([`${origin}/odata/${odata}?$top=100`, `OData v4: conjunto de entidades ${odata}`]);
  links.push([`${origin}/swagger`, 'Documentación de la API (Swagger)']);
  el.dsApiLinks.replaceChildren(...links.map(([href, label]) => {
    const li = document.createElement('li');
    li.append(link(href, label));
    return li;
  }));

  const file = (layerId || pkg.name).replace(/[^\w.-]/g, '_');
  const dsUrl = datastore ? withQuery(`${origin}/api/3/action/datastore_search`, { resource_id: datastore.id, limit: 5 }) : null;

  const curl = ['# Metadatos del conjunto de datos (API de CKAN)', `curl ${sh(showUrl)}`];
  if (dsUrl) curl.push('', '# Primeras 5 filas como JSON (datastore_search)', `curl ${sh(dsUrl)}`);
  if (csv) curl.push('', '# Archivo completo en CSV', `curl -o ${file}.csv ${sh(csv)}`);
  if (ogc) curl.push('', '# Geometrías en GeoJSON (OGC API – Features)', `curl ${sh(withQuery(`${ogc}/items`, { limit: 10 }))}`);

  const py = ['import requests', '', `BASE = ${lit(origin)}`, '',
    '# Metadatos del conjunto de datos',
    `meta = requests.get(f"{BASE}/api/3/action/package_show", params={"id": ${lit(pkg.name)}}).json()["result"]`,
    'print(meta["title"])'];
  if (datastore) {
    py.push('', '# Filas como lista de diccionarios (hasta 32 000 por llamada; use offset para seguir)',
      `res = requests.get(f"{BASE}/api/3/action/datastore_search",`,
      `                   params={"resource_id": ${lit(datastore.id)}, "limit": 100})`,
      'filas = res.json()["result"]["records"]', 'print(len(filas), filas[0])');
  }
  if (csv) {
    py.push('', '# Archivo completo en CSV', `with open(${lit(`${file}.csv`)}, "wb") as f:`, `    f.write(requests.get(${lit(csv)}).content)`);
  }
  if (ogc) {
    py.push('', '# Geometrías en GeoJSON (OGC API – Features)', `geo = requests.get(${lit(`${ogc}/items`)}, params={"limit": 100}).json()`,
      'print(len(geo["features"]))');
  }

  const r = ['library(httr)', 'library(jsonlite)', 'library(readr)', '', `base <- ${lit(origin)}`, '',
    '# Metadatos del conjunto de datos',
    `res <- GET(paste0(base, "/api/3/action/package_show"), query = list(id = ${lit(pkg.name)}))`,
    'meta <- fromJSON(content(res, as = "text", encoding = "UTF-8"))$result', 'meta$title'];
  if (datastore) {
    r.push('', '# Filas como data.frame (datastore_search)',
      `res <- GET(paste0(base, "/api/3/action/datastore_search"), query = list(resource_id = ${lit(datastore.id)}, limit = 100))`,
      'filas <- fromJSON(content(res, as = "text", encoding = "UTF-8"))$result$records', 'head(filas)');
  }
  if (csv) r.push('', '# Archivo completo en CSV (UTF-8)', `datos <- read_csv(${lit(csv)})`, 'head(datos)');

  el.dsSnippets.replaceChildren(
    snippet('snippet-curl', 'Línea de comandos (curl)', curl.join('\n')),
    snippet('snippet-python', 'Python (requests)', py.join('\n')),
    snippet('snippet-r', 'R (httr, jsonlite y readr)', r.join('\n')),
  );
}

// El documento de servicio de OData dice qué capas tienen conjunto de entidades (Parcels, Localities, …).
async function odataEntitySet(layerId) {
  try {
    const doc = await fetchJson('/odata');
    const set = (doc.value || []).find((s) => s.kind === 'EntitySet' && String(s.name).toLowerCase() === String(layerId).toLowerCase());
    return set ? String(set.url || set.name) : null;
  } catch (err) {
    console.warn('OData:', err);
    return null;
  }
}

function snippet(id, title, code) {
  const figure = document.createElement('figure');
  figure.className = 'snippet';
  const caption = document.createElement('figcaption');
  const h = document.createElement('h3');
  h.id = `${id}-title`;
  h.textContent = title;
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'button button-small copy';
  copy.textContent = 'Copiar';
  copy.setAttribute('aria-label', `Copiar el ejemplo de ${title}`);
  caption.append(h, copy);
  const pre = document.createElement('pre');
  pre.tabIndex = 0; // desplazable con el teclado en pantallas estrechas
  pre.setAttribute('role', 'region');
  pre.setAttribute('aria-labelledby', h.id);
  const c = document.createElement('code');
  c.id = id;
  c.textContent = code;
  pre.append(c);
  copy.addEventListener('click', () => copyText(code, c, title));
  figure.append(caption, pre);
  return figure;
}

async function copyText(code, node, title) {
  let ok = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(code);
      ok = true;
    }
  } catch { /* se intenta el método antiguo */ }
  if (!ok) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { ok = document.execCommand('copy'); } catch { ok = false; }
  }
  el.dsCopyStatus.textContent = ok ? `Ejemplo de ${title} copiado al portapapeles.`
    : 'No se pudo copiar: el texto quedó seleccionado, cópielo con Ctrl+C.';
}

// ---------- arranque ----------
const name = nameFromPath();
main(name).catch((err) => {
  console.error(err);
  el.datosStatus.textContent = '';
  showError('Ocurrió un error inesperado al mostrar el conjunto de datos.');
  setPageState('error');
});
