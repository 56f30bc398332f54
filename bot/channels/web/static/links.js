// Phone numbers and web addresses in the assistant's text, as spans to make tappable.
// The same rules live in bot/channels/links.py (Telegram); tests/fixtures/links.json holds
// the cases both must agree on. Only the assistant's own text is scanned, never a resident's.

const NUMBER = /(?<![\p{L}\p{N}_+*#.,/-])\+?[0-9]+(?:[ .-][0-9]+)*/gu;
const USSD = /(?<![\p{L}\p{N}_*#])\*[0-9]{2,4}(?:\*[0-9]{1,4})*#/gu;
const WEB = new RegExp(
  String.raw`(?<![\p{L}\p{N}_@./-])(?:https?://[^\s<>"'\x60]+|` +
  String.raw`(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:vn|com|net|org)(?![\p{L}\p{N}_-])` +
  String.raw`(?:/[^\s<>"'\x60]*)?)`, "giu");
// A short number (113, 156) is a phone only right after "gọi"/"tổng đài"/"hotline", up to
// three words before it ("gọi ngay 113", "gọi tổng đài 1900 9068").
const CALL_BEFORE = /(?:^|[^\p{L}])(?:gọi|hotline|tổng đài|đường dây nóng)(?:\s+[^\s\d.,;:!?()]+){0,3}\s+$/iu;
const TRAILING = /[.,;:!?…)\]}'"]+$/u;
const AFTER_NUMBER = /^[\p{L}\p{N}_]/u;

function isPhone(raw, digits, before) {
  if (raw.startsWith("+")) return /^84[0-9]{9,10}$/.test(digits);
  if (/^1[89]00(?:[0-9]{4}|[0-9]{6})$/.test(digits)) return true;
  if (/^0[0-9]{9,10}$/.test(digits)) return true;
  return /^[0-9]{3,5}$/.test(raw) && CALL_BEFORE.test(before);
}

function phoneAt(text, match) {
  // "1900 9068 7 ngày": the longest prefix of the digit groups that is a phone number.
  const parts = match[0].split(/(?=[ .-])/);
  for (let n = parts.length; n > 0; n--) {
    const raw = parts.slice(0, n).join("");
    const end = match.index + raw.length;
    if (AFTER_NUMBER.test(text.slice(end, end + 1))) continue;
    const digits = raw.replace(/[^0-9]/g, "");
    const before = text.slice(Math.max(0, match.index - 40), match.index);
    if (isPhone(raw, digits, before)) {
      return {start: match.index, end, href: "tel:" + (raw.startsWith("+") ? "+" : "") + digits,
              kind: "tel"};
    }
  }
  return null;
}

export function findLinks(text) {
  const links = [];
  for (const m of text.matchAll(WEB)) {
    const raw = m[0].replace(TRAILING, "");
    if (!raw.includes(".")) continue;
    const href = /^https?:\/\//i.test(raw) ? raw : "https://" + raw;
    links.push({start: m.index, end: m.index + raw.length, href, kind: "web"});
  }
  const free = (start, end) => links.every(l => end <= l.start || start >= l.end);
  for (const m of text.matchAll(USSD)) {
    if (free(m.index, m.index + m[0].length)) {
      links.push({start: m.index, end: m.index + m[0].length,
                  href: "tel:" + m[0].replace(/#/g, "%23"), kind: "tel"});
    }
  }
  for (const m of text.matchAll(NUMBER)) {
    const phone = phoneAt(text, m);
    if (phone && free(phone.start, phone.end)) links.push(phone);
  }
  return links.sort((a, b) => a.start - b.start);
}
