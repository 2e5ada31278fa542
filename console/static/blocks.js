// Uploading a file to an upload session the way the Azure Storage SDKs do:
// Put Block for each block, then Put Block List. The blocks already
// acknowledged are remembered, so that after a network error a resume sends
// only the ones missing.

const BLOCK_SIZE = 1 << 20;
const VERSION = "2025-01-05";

// blockId is the base64 id of block i; Azure wants every id of a blob of
// the same length.
function blockId(i) {
  return btoa(`block-${String(i).padStart(6, "0")}`);
}

// blobURL is the URL of a blob of the container sessionUrl names, with the
// session's signature and the extra query parameters.
function blobURL(sessionPath, name, extra) {
  const u = new URL(sessionPath, location.href);
  u.pathname = `${u.pathname.replace(/\/$/, "")}/${encodeURIComponent(name)}`;
  for (const [k, v] of Object.entries(extra)) u.searchParams.set(k, v);
  return u.pathname + u.search;
}

async function put(url, body, headers) {
  let res;
  try {
    res = await fetch(url, {
      method: "PUT", body, credentials: "omit", cache: "no-store",
      headers: { "x-ms-version": VERSION, ...headers },
    });
  } catch {
    throw new Error("The network connection failed");
  }
  if (!res.ok) {
    const code = res.headers.get("x-ms-error-code") || "";
    const err = new Error(`The upload was refused: ${res.status} ${code}`.trim());
    err.status = res.status;
    throw err;
  }
}

// FileUpload is one file's upload, resumable.
export class FileUpload {
  constructor(file, onProgress) {
    this.file = file;
    this.onProgress = onProgress;
    this.count = Math.max(1, Math.ceil(file.size / BLOCK_SIZE));
    this.done = new Set();
    this.committed = false;
    this.sent = 0; // blocks sent by the last call of run: a resume sends fewer
  }

  // run sends the missing blocks and commits the list; a failure leaves the
  // acknowledged blocks acknowledged, for the next run.
  async run(sessionPath) {
    this.sent = 0;
    for (let i = 0; i < this.count; i++) {
      if (this.done.has(i)) continue;
      const chunk = this.file.slice(i * BLOCK_SIZE, Math.min(this.file.size, (i + 1) * BLOCK_SIZE));
      await put(blobURL(sessionPath, this.file.name, { comp: "block", blockid: blockId(i) }), chunk, {});
      this.done.add(i);
      this.sent++;
      this.onProgress(this.done.size, this.count + 1);
    }
    const ids = Array.from({ length: this.count }, (_, i) => `<Latest>${blockId(i)}</Latest>`).join("");
    await put(blobURL(sessionPath, this.file.name, { comp: "blocklist" }),
      `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids}</BlockList>`,
      { "Content-Type": "application/xml", "x-ms-blob-content-type": "text/csv" });
    this.committed = true;
    this.onProgress(this.count + 1, this.count + 1);
  }
}
