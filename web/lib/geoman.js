// OpenVeracruz · Leaflet con Leaflet-Geoman, para las páginas que dibujan y editan geometrías (el editor).
// Geoman no es un módulo ES: es un script que extiende el `L` global (L.PM, L.Control.PMButton, ganchos en L.Map…).
// El build ES de Leaflet no crea ese global, y su espacio de nombres de módulo no admite propiedades nuevas; por eso
// aquí se publica como window.L una copia extensible (las mismas clases y funciones) y sólo después se carga Geoman,
// con import() dinámico: un import estático se evaluaría antes de esta asignación. Los mapas creados luego traen map.pm.
import * as Leaflet from 'leaflet';

const L = { ...Leaflet };
window.L = L;
await import('@geoman-io/leaflet-geoman-free');

export default L;
