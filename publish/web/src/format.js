// Formatting of values for people: dates in the province's time zone
// (dd/mm/yyyy HH:mm whatever the phone's zone), numbers, distances,
// accent-insensitive search keys and safe tel: links.

import { lang, t } from './i18n.js';

export const DEFAULT_TZ = 'Asia/Ho_Chi_Minh';
let provinceTz = DEFAULT_TZ;
const partFormatters = new Map();

export function setTimeZone(tz) {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    provinceTz = tz;
  } catch {
    provinceTz = DEFAULT_TZ;
  }
}

function parts(date) {
  let f = partFormatters.get(provinceTz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: provinceTz, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
    });
    partFormatters.set(provinceTz, f);
  }
  const out = {};
  for (const p of f.formatToParts(date)) out[p.type] = p.value;
  return out;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "dd/mm/yyyy HH:mm" in province time for an ISO instant; "dd/mm/yyyy" for
 * a calendar date (no zone conversion: a date is a date). */
export function formatDateTime(value) {
  if (value == null || value === '') return '';
  const text = String(value);
  const d = DATE_ONLY.exec(text);
  if (d) return `${d[3]}/${d[2]}/${d[1]}`;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  const p = parts(date);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

export function formatDate(value) {
  if (value == null || value === '') return '';
  const text = String(value);
  const d = DATE_ONLY.exec(text.slice(0, 10));
  if (d && text.length === 10) return `${d[3]}/${d[2]}/${d[1]}`;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return text;
  const p = parts(date);
  return `${p.day}/${p.month}/${p.year}`;
}

export function formatAgo(value, now = Date.now()) {
  const date = new Date(value);
  const minutes = Math.floor((now - date.getTime()) / 60000);
  if (!Number.isFinite(minutes) || minutes < 0) return '';
  if (minutes < 1) return t('ago_now');
  if (minutes < 60) return t('ago_minutes', { n: minutes });
  if (minutes < 48 * 60) return t('ago_hours', { n: Math.floor(minutes / 60) });
  return t('ago_days', { n: Math.floor(minutes / 1440) });
}

export function formatNumber(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value ?? '');
  return new Intl.NumberFormat(lang() === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

export function formatDistance(meters) {
  if (meters < 1000) return `${Math.max(0, Math.round(meters / 10) * 10)} m`;
  const km = new Intl.NumberFormat(lang() === 'vi' ? 'vi-VN' : 'en-GB', {
    maximumFractionDigits: 1,
  }).format(meters / 1000);
  return `${km} km`;
}

/** Lower case, no Vietnamese diacritics: "Chợ Mới" -> "cho moi". */
export function searchKey(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** The phone number a duty-phone text starts with ("0209 3870 115 (trực
 * 24/24)"): {href, number, rest}, or null when it does not start with one.
 * Only digits and one leading + reach the tel: URL, so nothing else (a
 * "javascript:" prefix, quotes, markup) can. */
export function telLink(text) {
  const raw = String(text ?? '');
  const m = /^\s*(\+?\d[\d\s().-]*\d)/.exec(raw);
  if (!m) return null;
  const digits = m[1].replace(/\D/g, '');
  if (digits.length < 3 || digits.length > 15) return null;
  return {
    href: `tel:${m[1].startsWith('+') ? '+' : ''}${digits}`,
    number: m[1],
    rest: raw.slice(m[0].length),
  };
}

/** Long untrusted text is cut, so one feature cannot flood a popup. */
export function clip(text, max = 600) {
  const s = String(text ?? '');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
