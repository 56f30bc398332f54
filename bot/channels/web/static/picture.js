// The chat page's 📎 button: one picture of the resident's screen to POST /api/chat/image
// (multipart: user, file, id). The server reads it and answers like a message; the picture
// is checked here first (type, 5 MB) so a slow connection does not carry a file for nothing.
const MAX_BYTES = 5 * 1024 * 1024;
const TYPES = ["image/jpeg", "image/png", "image/webp"];
const TIMEOUT = 45000;  // reading takes a few seconds; slow data takes longer

export const PICTURE_TEXTS = {
  sent: "🖼️ Ảnh màn hình",
  reading: "Cháu đang đọc ảnh…",
  wrongType: "Cháu chỉ đọc được ảnh JPEG, PNG hoặc WebP (ví dụ ảnh chụp màn hình) ạ. Bác " +
             "gửi ảnh chụp màn hình, hoặc gõ chữ cho cháu nhé.",
  tooBig: "Ảnh này lớn quá (quá 5 MB), cháu chưa mở được ạ. Bác chụp màn hình rồi gửi ảnh " +
          "chụp đó cho cháu nhé.",
  failed: "Cháu chưa nhận được ảnh vì mạng yếu ạ. Bác kiểm tra Wi-Fi hoặc 4G rồi gửi lại nhé.",
};

export async function sendPicture(user, file, id) {
  if (!TYPES.includes(file.type)) return {ok: false, error: PICTURE_TEXTS.wrongType};
  if (file.size > MAX_BYTES) return {ok: false, error: PICTURE_TEXTS.tooBig};
  const body = new FormData();
  body.append("user", user);
  body.append("id", id);
  body.append("file", file);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT);
  try {
    const res = await fetch("/api/chat/image", {method: "POST", body, signal: controller.signal});
    const data = await res.json().catch(() => ({}));
    if (res.ok && Array.isArray(data.messages)) return {ok: true, data};
    return {ok: false, error: typeof data.error === "string" ? data.error : PICTURE_TEXTS.failed};
  } catch {
    return {ok: false, error: PICTURE_TEXTS.failed};
  } finally {
    clearTimeout(timer);
  }
}
