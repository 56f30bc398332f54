// The chat page: what the resident types or taps goes to POST /api/chat, the answer is shown.
// Built for slow rural mobile data: one request at a time (no double send), a typing
// indicator while the assistant answers, automatic retries with backoff (the same message id,
// so the server never applies a message twice), and the last step stays usable meanwhile.
// Text is inserted as DOM text nodes, never as HTML; only **bold**, phone numbers and web
// addresses become elements. No inline script or style: the page works under a strict CSP.
import { findLinks } from "./links.js";
import { PICTURE_TEXTS, sendPicture } from "./picture.js";
import { startUpdates } from "./updates.js";

const RETRY_DELAYS = [1000, 2000, 4000, 8000];  // before each automatic retry, in ms
const REQUEST_TIMEOUT = 20000;
const TYPING_AFTER = 300;  // a quick answer shows no indicator at all
const HISTORY_LIMIT = 60;  // bubbles kept on this device, per resident
const STORED_TEXT = 4000;
const TEXTS = {
  typing: "Cháu đang trả lời",
  retrying: seconds => `Mạng đang chậm nên tin của bác chưa tới. Cháu tự gửi lại sau ${seconds} giây…`,
  offline: "Điện thoại đang mất mạng. Khi có mạng lại, cháu tự gửi tin của bác đi ạ.",
  failed: "Cháu chưa gửi được tin của bác vì mạng yếu. Bác kiểm tra Wi-Fi hoặc 4G rồi bấm " +
          "\"Gửi lại\" nhé. Các nút ở trên bác vẫn bấm được.",
  retry: "🔄 Gửi lại",
  rejected: "Cháu chưa đọc được tin này ạ. Bác gõ ngắn gọn hơn rồi gửi lại nhé.",
  delivered: "Tin của bác đã tới cháu rồi ạ. Bác bấm nút ở tin nhắn trên để làm tiếp nhé.",
  earlier: "▲ Các tin nhắn lần trước",
};

const log = document.getElementById("log");
const form = document.getElementById("form");
const input = document.getElementById("text");
const sendButton = document.getElementById("send");

function randomId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
}

function stored(key, make) {
  try {
    let value = localStorage.getItem(key);
    if (!value) { value = make(); localStorage.setItem(key, value); }
    return value;
  } catch { return make(); }  // storage off (private mode): this visit only
}

const user = stored("digiguide-user", () => "web-" + randomId());
const history = historyStore("digiguide-history:" + user);

let inFlight = false;      // a request is on the wire: nothing else is sent meanwhile
let pending = null;        // a failed request waiting for its retry
let typingTimer = 0, typingBubble = null, notice = null;
let answerButtons = [];    // the newest answer's buttons: usable until something is sent

// ----------------------------------------------------------------------- history on device
// The recent conversation, kept so that reopening the page shows it again. What the resident
// typed is stored with long numbers and passwords masked, as the server stores it.
const DIGIT_RUN = /(?<![\p{L}\p{N}_])\+?[0-9](?:[ .-]?[0-9]){3,}(?![\p{L}\p{N}_])/gu;
const SECRET = /(m[aậ]t\s*kh[aẩ]u|\bmk|\bpass(?:word|code)?|\bm[aã]\s*pin|\bpin)(\s*(?:l[aà]|:|=)\s*)\S+/giu;

function maskSecrets(text) {
  return text.replace(SECRET, "$1$2•••").replace(DIGIT_RUN, "•••");
}

function historyStore(key) {
  const valid = e => e && (e.who === "me" || e.who === "bot") && typeof e.text === "string";
  let data = {entries: [], guide: "unknown"};
  try {
    const saved = JSON.parse(localStorage.getItem(key) || "null");
    if (saved && Array.isArray(saved.entries)) {
      data = {entries: saved.entries.filter(valid).slice(-HISTORY_LIMIT),
              guide: "guide" in saved ? saved.guide : "unknown"};
    }
  } catch { /* unreadable: start afresh */ }
  function save() {
    let entries = data.entries.slice(-HISTORY_LIMIT);
    for (;;) {
      try {
        localStorage.setItem(key, JSON.stringify({entries, guide: data.guide}));
        data.entries = entries;
        return;
      } catch {
        if (!entries.length) return;
        entries = entries.slice(Math.ceil(entries.length / 2));  // storage full: keep fewer
      }
    }
  }
  return {
    entries: () => data.entries,
    guide: () => data.guide,
    add(entry, guide) {
      data.entries.push({...entry, text: entry.text.slice(0, STORED_TEXT)});
      if (guide !== undefined) data.guide = guide;
      save();
    },
  };
}

// ----------------------------------------------------------------------- rendering
function addRich(el, text) {
  // **bold** runs, then tappable phone numbers and addresses found in the whole text.
  const runs = [];
  let last = 0;
  for (const m of text.matchAll(/\*\*(.+?)\*\*/g)) {
    runs.push([text.slice(last, m.index), false], [m[1], true]);
    last = m.index + m[0].length;
  }
  runs.push([text.slice(last), false]);
  const plain = runs.map(r => r[0]).join("");
  const links = findLinks(plain);
  let offset = 0;
  for (const [run, bold] of runs) {
    const end = offset + run.length;
    const edges = new Set([offset, end]);
    for (const l of links) {
      for (const edge of [l.start, l.end]) if (edge > offset && edge < end) edges.add(edge);
    }
    const sorted = [...edges].sort((a, b) => a - b);
    for (let i = 0; i + 1 < sorted.length; i++) {
      const [from, to] = [sorted[i], sorted[i + 1]];
      let node = document.createTextNode(plain.slice(from, to));
      if (bold) { const b = document.createElement("b"); b.append(node); node = b; }
      const link = links.find(l => l.start <= from && to <= l.end);
      if (link) {
        const a = document.createElement("a");
        a.href = link.href;
        if (link.kind === "web") { a.target = "_blank"; a.rel = "noopener noreferrer"; }
        a.append(node);
        node = a;
      }
      el.append(node);
    }
    offset = end;
  }
}

function bubble(kind, text, rich) {
  const el = document.createElement("div");
  el.className = "msg " + kind;
  if (rich) addRich(el, text); else el.textContent = text;
  log.append(el);
  return el;
}

function renderBot(message) {
  const el = bubble("bot", message.text, true);
  if (message.image) {
    const img = document.createElement("img");
    img.src = /^https?:/.test(message.image) ? message.image : "/images/" + message.image;
    img.alt = "";
    el.append(img);
  }
  const buttons = (message.buttons || []).map(b => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = b.label;
    button.addEventListener("click", () => {
      if (inFlight) return;
      button.classList.add("chosen");
      send({payload: b.payload}, b.label);
    });
    return button;
  });
  if (buttons.length) {
    const row = document.createElement("div");
    row.className = "buttons";
    row.append(...buttons);
    el.append(row);
  }
  return {el, buttons};
}

function showTyping() {
  typingTimer = setTimeout(() => {
    typingBubble = document.createElement("div");
    typingBubble.className = "msg typing";
    typingBubble.setAttribute("role", "status");
    typingBubble.append(TEXTS.typing);
    for (let i = 0; i < 3; i++) {
      const dot = document.createElement("span");
      dot.className = "dot";
      typingBubble.append(dot);
    }
    log.append(typingBubble);
    scrollToBottom();
  }, TYPING_AFTER);
}

function hideTyping() {
  clearTimeout(typingTimer);
  typingBubble?.remove();
  typingBubble = null;
}

function showNotice(text, request) {
  clearNotice();
  notice = document.createElement("div");
  notice.className = "notice";
  notice.setAttribute("role", "status");
  notice.append(text);
  if (request) {
    const retry = document.createElement("button");
    retry.type = "button";
    retry.textContent = TEXTS.retry;
    retry.addEventListener("click", () => {
      if (pending !== request || inFlight) return;
      request.attempt = RETRY_DELAYS.length;  // after a manual retry, the next is manual too
      attempt(request);
    });
    notice.append(retry);
  }
  log.append(notice);
  scrollToBottom();
}

function clearNotice() {
  notice?.remove();
  notice = null;
}

function scrollToBottom() {
  log.scrollTop = log.scrollHeight;
}

function scrollToStart(el) {
  // The start of a long reply ("Bước 2/6", urgent advice) matters most on a small screen.
  log.scrollTop += el.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
}

// ----------------------------------------------------------------------- sending
function setBusy(busy) {
  inFlight = busy;
  sendButton.disabled = busy;
  for (const button of answerButtons) {
    button.disabled = busy;
    if (!busy) button.classList.remove("chosen");
  }
}

function send(body, shown) {
  if (inFlight) return false;
  if (pending) {  // a new message replaces one that could not be sent
    clearTimeout(pending.timer);
    pending.mine?.classList.add("failed");
    pending = null;
  }
  const mine = shown === undefined ? null : bubble("me", shown, false);
  attempt({body: {...body, id: randomId()}, shown, mine, attempt: 0, timer: 0});
  return true;
}

async function post(body) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT);
  try {
    const res = await fetch("/api/chat", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({user, ...body}),
      signal: controller.signal,
    });
    if (res.ok) {
      const data = await res.json();
      return Array.isArray(data.messages) ? {ok: true, data} : {ok: false, retry: true};
    }
    const wait = Number(res.headers.get("Retry-After")) * 1000;
    const retry = res.status === 408 || res.status === 429 || res.status >= 500;
    return {ok: false, retry, wait: wait > 0 ? Math.min(wait, 60000) : undefined};
  } catch {
    return {ok: false, retry: true};  // no answer: offline, timed out, connection dropped
  } finally {
    clearTimeout(timer);
  }
}

async function attempt(request) {
  pending = null;
  clearTimeout(request.timer);
  clearNotice();
  setBusy(true);
  showTyping();
  scrollToBottom();
  const outcome = await post(request.body);
  hideTyping();
  setBusy(false);
  if (outcome.ok) {
    answered(request, outcome.data);
  } else if (!outcome.retry) {
    request.mine?.classList.add("failed");
    showNotice(TEXTS.rejected, null);
  } else {
    failed(request, outcome.wait);
  }
}

function failed(request, wait) {
  request.attempt += 1;
  pending = request;
  if (!navigator.onLine) {
    showNotice(TEXTS.offline, request);  // the "online" event sends it
  } else if (request.attempt > RETRY_DELAYS.length) {
    showNotice(TEXTS.failed, request);
  } else {
    const delay = wait ?? RETRY_DELAYS[request.attempt - 1];
    showNotice(TEXTS.retrying(Math.ceil(delay / 1000)), request);
    request.timer = setTimeout(() => {
      if (pending === request && !inFlight) attempt(request);
    }, delay);
  }
}

function answered(request, data) {
  if (request.mine) history.add({who: "me", text: maskSecrets(request.shown)});
  const guide = "guide" in data ? data.guide : "unknown";
  if (!data.messages.length) {  // a retry of a message the server had already answered
    if (request.attempt > 0) showNotice(TEXTS.delivered, null);
    return;
  }
  // Older steps' buttons stop working, so a late tap can never skip a step.
  for (const button of log.querySelectorAll(".buttons button")) button.disabled = true;
  answerButtons = [];
  let first = null;
  for (const message of data.messages) {
    const {el, buttons} = renderBot(message);
    first ??= el;
    answerButtons.push(...buttons);
    history.add({who: "bot", text: message.text, buttons: message.buttons || [],
                 image: message.image || null}, guide);
  }
  scrollToStart(first);
}

function arrived(messages) {
  // Later messages (a team member's answer): shown as they come; the current step's buttons
  // stay usable, and the new buttons join them.
  let first = null;
  for (const message of messages) {
    const {el, buttons} = renderBot(message);
    first ??= el;
    for (const button of buttons) button.disabled = inFlight;
    answerButtons.push(...buttons);
    history.add({who: "bot", text: message.text, buttons: message.buttons || [],
                 image: message.image || null});
  }
  if (first) scrollToStart(first);
}

// ----------------------------------------------------------------------- start
function restore() {
  const entries = history.entries();
  if (!entries.length) return false;
  const lastMine = entries.map(e => e.who).lastIndexOf("me");
  entries.forEach((entry, index) => {
    if (entry.who === "me") { bubble("me", entry.text, false); return; }
    const {buttons} = renderBot(entry);
    if (index > lastMine) answerButtons.push(...buttons);
    else for (const button of buttons) button.disabled = true;
  });
  const divider = document.createElement("div");
  divider.className = "divider";
  divider.textContent = TEXTS.earlier;
  log.append(divider);
  scrollToBottom();
  return true;
}

form.addEventListener("submit", event => {
  event.preventDefault();
  const text = input.value.trim();
  if (text && send({text}, text)) input.value = "";
});

// A picture of the screen: read by the server, answered like a message.
document.getElementById("picture").addEventListener("change", async event => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file || inFlight) return;
  const request = {mine: bubble("me", PICTURE_TEXTS.sent, false), shown: PICTURE_TEXTS.sent,
                   attempt: 0};
  clearNotice();
  setBusy(true);
  scrollToBottom();
  const reading = setTimeout(() => showNotice(PICTURE_TEXTS.reading, null), 1000);
  const outcome = await sendPicture(user, file, randomId());
  clearTimeout(reading);
  clearNotice();
  setBusy(false);
  if (outcome.ok) {
    answered(request, outcome.data);
  } else {
    request.mine.classList.add("failed");
    scrollToStart(renderBot({text: outcome.error}).el);
  }
});

window.addEventListener("online", () => {
  if (pending && !inFlight) attempt(pending);
});

const start = new URLSearchParams(location.search).get("start");
const restored = restore();
// A team's link opens its guide. Otherwise the greeting, unless the history shows the
// resident idle: a resident in the middle of a guide is offered to continue it, by name.
if (start) send({text: "/start " + start});
else if (!restored || history.guide() !== null) send({text: "/start"});
startUpdates(user, arrived);
