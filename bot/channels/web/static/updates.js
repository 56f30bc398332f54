// Messages for this resident that come later, outside an answer: a team member's words, "the
// team has your question". GET /api/chat/updates is long-polled (the server holds the request
// up to 25 s until something arrives). The cursor is kept on the device and sent back only
// after the messages were shown, so the server forgets a message only once the page has it:
// a page closed meanwhile gets what arrived when it is opened again, once.
const WAIT = 25;                               // seconds the server may hold a poll
const TIMEOUT = (WAIT + 15) * 1000;            // no answer by then: the connection is gone
const BACKOFF = [2000, 5000, 15000, 30000];    // after failures, before trying again

function load(key) {
  try { return localStorage.getItem(key) || ""; } catch { return ""; }
}

function save(key, value) {
  try { localStorage.setItem(key, value); } catch { /* storage off: this visit only */ }
}

export function startUpdates(user, show) {
  const key = "digiguide-cursor:" + user;
  let cursor = load(key);
  let failures = 0;
  let wakeUp = null;
  window.addEventListener("online", () => wakeUp?.());

  function pause(ms) {
    return new Promise(resolve => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); wakeUp = null; resolve(); }
      wakeUp = done;
    });
  }

  async function once() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT);
    try {
      const query = new URLSearchParams({user, after: cursor, wait: String(WAIT)});
      const res = await fetch("/api/chat/updates?" + query, {cache: "no-store",
                                                             signal: controller.signal});
      if (res.status === 404) return false;  // this server sends no updates
      if (res.status === 400) { cursor = ""; save(key, cursor); throw new Error("cursor"); }
      if (!res.ok) throw new Error(String(res.status));
      const data = await res.json();
      if (Array.isArray(data.messages) && data.messages.length) show(data.messages);
      if (typeof data.cursor === "string") { cursor = data.cursor; save(key, cursor); }
      failures = 0;
    } catch {
      failures += 1;
      await pause(BACKOFF[Math.min(failures, BACKOFF.length) - 1]);
    } finally {
      clearTimeout(timer);
    }
    return true;
  }

  (async () => { while (await once()) { /* the next poll at once */ } })();
}
