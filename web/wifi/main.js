// OpenVeracruz · Espacios WiFi públicos: sitios con su estado, círculos de cobertura, la población cubierta (Censo 2020)
// y el sitio más cercano a mi ubicación o a una clave catastral.
import { fetchJson, withQuery } from '/lib/api.js';
import { elementsById, setMessage } from '/lib/dom.js';
import { integer, number } from '/lib/format.js';

const el = elementsById('wifi-coverage wifi-locate wifi-clave-form wifi-clave wifi-message wifi-nearest wifi-map');
const STATUS = { operating: 'en operación', failing: 'con falla', maintenance: 'en mantenimiento' };
const COLOR = { operating: '#2a9d8f', failing: '#c1121f', maintenance: '#e9a23b' };
document.documentElement.dataset.ovState = 'loading';

let map = null;
let L = null;
let here = null;

async function startMap(sites) {
  try {
    const m = await import('/lib/map.js');
    L = m.L;
    const config = await m.mapConfig();
    map = L.map(el.wifiMap, { zoomControl: true }).setView([19.195, -96.138], 14);
    m.setLeafletPrefix(map);
    m.addBaseTiles(map, config, () => el.wifiMap.classList.add('no-tiles'));
    const bounds = [];
    for (const s of sites) {
      const color = COLOR[s.status] || '#555';
      L.circle([s.lat, s.lon], { radius: s.coverageRadiusM, color, weight: 1, fillOpacity: 0.15, className: 'wifi-coverage-circle' }).addTo(map);
      const marker = L.circleMarker([s.lat, s.lon], { radius: 7, color: '#fff', weight: 2, fillColor: color, fillOpacity: 1, className: 'wifi-site' }).addTo(map);
      const popup = document.createElement('div');
      const name = document.createElement('strong');
      name.textContent = s.name;
      const facts = document.createElement('div');
      facts.textContent = `${STATUS[s.status] || s.status} · alcance ${integer(s.coverageRadiusM)} m · ${integer(s.population)} habitantes cerca`;
      popup.append(name, facts);
      marker.bindPopup(popup);
      bounds.push([s.lat, s.lon]);
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
  } catch (err) {
    el.wifiMap.textContent = 'No se pudo cargar el mapa; la búsqueda sigue funcionando.';
    console.warn(err);
  }
}

function showNearest(result) {
  el.wifiNearest.replaceChildren();
  for (const s of result.sites) {
    const li = document.createElement('li');
    li.className = 'wifi-result';
    li.dataset.code = s.code;
    const name = document.createElement('strong');
    name.textContent = s.name;
    const meta = document.createElement('span');
    meta.className = 'meta';
    const where = s.inside ? 'está dentro de su cobertura' : `a ${integer(s.distanceM)} m`;
    meta.textContent = `${where} · ${STATUS[s.status] || s.status} · horario ${s.hours} · ${s.address}`;
    li.append(name, meta);
    el.wifiNearest.append(li);
  }
  const first = result.sites[0];
  setMessage(el.wifiMessage, first ? `El más cercano: ${first.name}.` : 'No hay espacios WiFi registrados.', 'ok');
  if (map && L) {
    here?.remove();
    here = L.marker([result.lat, result.lon], { title: 'Punto de búsqueda' }).addTo(map);
    if (first) map.fitBounds([[result.lat, result.lon], [first.lat, first.lon]], { padding: [40, 40], maxZoom: 17 });
  }
}

async function nearest(params) {
  setMessage(el.wifiMessage, 'Buscando…');
  try {
    showNearest(await fetchJson(withQuery('/api/wifi/nearest', { ...params, limit: 3 })));
  } catch (err) {
    el.wifiNearest.replaceChildren();
    setMessage(el.wifiMessage, err.message, 'error');
  }
}

el.wifiLocate.addEventListener('click', () => {
  if (!navigator.geolocation) { setMessage(el.wifiMessage, 'Su navegador no comparte la ubicación; escriba una clave catastral.', 'error'); return; }
  setMessage(el.wifiMessage, 'Obteniendo su ubicación…');
  navigator.geolocation.getCurrentPosition(
    (p) => nearest({ lon: p.coords.longitude.toFixed(6), lat: p.coords.latitude.toFixed(6) }),
    () => setMessage(el.wifiMessage, 'No se pudo obtener su ubicación; escriba una clave catastral.', 'error'),
    { enableHighAccuracy: true, timeout: 10000 });
});

el.wifiClaveForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const clave = el.wifiClave.value.trim();
  if (!clave) { setMessage(el.wifiMessage, 'Escriba la clave catastral (zona-manzana-lote, p. ej. 001-0012-007).', 'error'); return; }
  nearest({ clave });
});

try {
  const coverage = await fetchJson('/api/wifi/coverage');
  el.wifiCoverage.replaceChildren();
  const share = document.createElement('strong');
  share.id = 'wifi-share';
  share.textContent = `${number(coverage.percentCovered)} %`;
  el.wifiCoverage.append(share, ` de la población del municipio vive dentro del alcance de un espacio WiFi público: ${integer(coverage.populationCovered)} de ${integer(coverage.municipalPopulation)} habitantes, en ${integer(coverage.sites.length)} sitios.`);
  await startMap(coverage.sites);
  document.documentElement.dataset.ovState = 'ready';
} catch (err) {
  setMessage(el.wifiCoverage, err.message, 'error');
  document.documentElement.dataset.ovState = 'error';
}
