// OpenVeracruz · el único módulo de formato (Intl): todo número, importe y fecha que lee una persona se escribe aquí,
// en español de México y con la hora de Veracruz (el servidor también lee una fecha sola como ese día en Veracruz).
const LOCALE = 'es-MX';
const TIME_ZONE = 'America/Mexico_City';

const integerFormat = new Intl.NumberFormat(LOCALE);
const numberFormat = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const fixedFormat = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const moneyFormat = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'MXN' });
const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'medium', timeZone: TIME_ZONE });
const longDateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'long', timeZone: TIME_ZONE });

/** Cuentas: 12,345. */
export const integer = (n) => integerFormat.format(n);
/** Cantidades, hasta dos decimales: 1,234.5. */
export const number = (n) => numberFormat.format(n);
/** Cantidades con dos decimales exactos: 1,234.50. */
export const fixed = (n) => fixedFormat.format(n);
/** Pesos: $1,234.50. */
export const money = (n) => moneyFormat.format(n);
/** Un instante (Date, texto ISO o ms) con su hora; '' si no hay. */
export const dateTime = (value) => (value ? dateTimeFormat.format(new Date(value)) : '');
/** Un día con letra: 5 de enero de 2026. */
export const longDate = (value) => longDateFormat.format(value);

const timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: TIME_ZONE });
const dayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', timeZone: TIME_ZONE });
const shortDayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'short', day: 'numeric', month: 'short', timeZone: TIME_ZONE });
const monthFormat = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const isoDayFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: TIME_ZONE });

/** La hora de un instante en Veracruz: 09:30. */
export const timeOfDay = (value) => timeFormat.format(new Date(value));
/** Un día con su nombre: lunes, 1 de diciembre. */
export const dayName = (value) => dayFormat.format(new Date(value));
/** Un día corto: lun, 1 dic. */
export const shortDay = (value) => shortDayFormat.format(new Date(value));
/** El mes de un día aaaa-mm-dd: diciembre de 2026. */
export const monthName = (isoDay) => monthFormat.format(new Date(`${isoDay}T12:00:00Z`));
/** El día (aaaa-mm-dd) de un instante en Veracruz; sin argumento, hoy. */
export const isoDay = (value = Date.now()) => isoDayFormat.format(new Date(value));
/** Un día aaaa-mm-dd (sin hora) como «lunes, 1 de diciembre»: se lee a mediodía de Veracruz. */
export const dayNameOf = (isoDate) => dayFormat.format(new Date(`${isoDate}T12:00:00-06:00`));
