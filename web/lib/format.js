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
