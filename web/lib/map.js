// OpenVeracruz · Leaflet y lo común de los mapas (mapa ciudadano, catálogo, editor). Las páginas públicas cargan este
// módulo con import(): si Leaflet no llega, el resto de la página sigue funcionando y lo dice.
import * as L from 'leaflet';
import { fetchJson } from '/lib/api.js';
import { escapeHtml } from '/lib/dom.js';

export { L };

export const DEFAULT_MAP_CONFIG = Object.freeze({
  tileUrl: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png', tileAttribution: '© OpenStreetMap contributors',
  center: [19.17, -96.14], zoom: 12, parcelMinZoom: 14,
});
const TILE_ERRORS_BEFORE_NOTICE = 3;

L.Icon.Default.imagePath = '/vendor/leaflet/images/';

// Configuración del mapa (/api/config) sobre los valores por omisión.
export async function mapConfig(signal) {
  return { ...DEFAULT_MAP_CONFIG, ...(await fetchJson('/api/config', signal)) };
}

export function setLeafletPrefix(map) {
  map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener">Leaflet</a>');
}

// Mapa base con tolerancia a la falta de red: tras varios errores de mosaico (o sin URL configurada)
// se llama a onUnavailable y el mapa sigue mostrando las capas de la plataforma.
export function addBaseTiles(map, config, onUnavailable) {
  if (!config.tileUrl) { onUnavailable(); return null; }
  let errors = 0;
  let reported = false;
  const tiles = L.tileLayer(config.tileUrl, {
    maxZoom: 19,
    attribution: escapeHtml(config.tileAttribution || ''),
  });
  tiles.on('tileerror', () => {
    errors += 1;
    if (errors >= TILE_ERRORS_BEFORE_NOTICE && !reported) {
      reported = true;
      onUnavailable();
    }
  });
  return tiles.addTo(map);
}

// Capas temáticas (coropletas): el color de cada elemento sale de una de sus propiedades; [valor, etiqueta, color].
export const THEMATIC_STYLES = Object.freeze({
  predial_blocks: {
    property: 'status',
    categories: [['paid', 'Pagado', '#2a9d8f'], ['partly_paid', 'Pagado en parte', '#e9c46a'], ['owing', 'Con adeudo', '#e76f51']],
  },
});

export function thematicColor(theme, props) {
  const hit = theme.categories.find(([value]) => value === (props || {})[theme.property]);
  return hit ? hit[2] : '#8d99ae';
}

// Estilo de las capas de referencia, el mismo en el mapa ciudadano y en el del catálogo.
export function referenceStyle(geometryType, layerId) {
  if (/Point/.test(geometryType || '')) {
    return { kind: 'point', color: '#ffffff', fillColor: '#7a1f5c', weight: 1, radius: 4, fillOpacity: 0.9 };
  }
  if (/munic/i.test(layerId || '')) {
    return { kind: 'line', color: '#1d3557', weight: 3, opacity: 0.9, fill: false };
  }
  return { kind: 'area', color: '#2a9d8f', weight: 1, opacity: 0.8, fillColor: '#2a9d8f', fillOpacity: 0.12 };
}

export function featureLabel(props) {
  const p = props || {};
  return p.nombre || p.name || p.nom_loc || p.nomgeo || p.NOMGEO || p.NOM_LOC || p.title || '';
}
