// OpenVeracruz · teselas vectoriales (Mapbox Vector Tiles de /ogc/collections/{id}/tiles) dibujadas en Leaflet con
// protomaps-leaflet. Su build para navegador es un script clásico que lee el `L` global (L.GridLayer, L.DomUtil) y
// publica window.protomapsL; el build ES de Leaflet no crea ese global, así que se publica aquí (sólo se lee) y después
// se carga el script. Las páginas lo cargan con import(), como lib/map.js: si no llega, el mapa sigue sin teselas.
import { L } from '/lib/map.js';

if (!window.L) window.L = L;

const protomaps = window.protomapsL || await new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = '/vendor/protomaps/protomaps-leaflet.js';
  script.onload = () => (window.protomapsL ? resolve(window.protomapsL) : reject(new Error('protomaps-leaflet no se inicializó')));
  script.onerror = () => reject(new Error('No se pudo cargar protomaps-leaflet'));
  document.head.append(script);
});

// Las teselas de la plataforma son de 256 px y se piden al zoom del mapa (levelDiff 0): al zoom 14 se piden las del 14.
// Más allá de maxDataZoom se amplían las del último nivel pedido (las del 16 ya llevan todos los atributos).
export function vectorTileLayer(def, { paintRules, pane = 'overlayPane', minZoom = 0, maxDataZoom = 16, attribution = '' }) {
  return protomaps.leafletLayer({
    url: def.tilesUrl,
    paintRules,
    labelRules: [],
    pane,
    minZoom,
    maxZoom: 22,
    maxDataZoom,
    levelDiff: 0,
    attribution,
  });
}

// Estilos de relleno, contorno y punto: los símbolos de protomaps aceptan un valor o una función (zoom, elemento).
export const symbols = {
  fill: (options) => new protomaps.PolygonSymbolizer(options),
  line: (options) => new protomaps.LineSymbolizer(options),
  circle: (options) => new protomaps.CircleSymbolizer(options),
};

// Propiedades de los elementos dibujados bajo un punto, por capa de datos: { parcels: [{ clave: … }], … }.
export function featuresAt(layer, latlng) {
  const found = {};
  for (const picked of layer.queryTileFeaturesDebug(latlng.lng, latlng.lat, 4).values()) {
    for (const { feature, layerName } of picked) (found[layerName] ||= []).push(feature.props);
  }
  return found;
}
