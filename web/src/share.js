// The share link: the page state as JSON, deflated (CompressionStream "deflate-raw") and
// base64url-encoded into the URL fragment, which never leaves the browser.

const PREFIX = "#s=";

function toBase64Url(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

export async function encodeState(state) {
  const json = new TextEncoder().encode(JSON.stringify(state));
  return PREFIX + toBase64Url(await pipe(json, new CompressionStream("deflate-raw")));
}

// What is wrong with a share link that does not read: the message names the stage that failed.
export class LinkError extends Error {}

// The state in a fragment, or null when the fragment holds none; throws a LinkError saying what is
// wrong when it is damaged (not base64url, does not decompress, not JSON, not a page state).
export async function decodeState(hash) {
  if (!hash || !hash.startsWith(PREFIX)) return null;
  const data = hash.slice(PREFIX.length);
  let packed;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(data) || data.length % 4 === 1) throw new Error("not base64url");
    packed = fromBase64Url(data);
  } catch {
    throw new LinkError("the link is damaged: the part after #s= is not valid base64url (was it cut or edited?)");
  }
  let bytes;
  try {
    bytes = await pipe(packed, new DecompressionStream("deflate-raw"));
  } catch {
    throw new LinkError("the link is damaged or truncated: its data does not decompress (copy the whole link again)");
  }
  let state;
  try {
    state = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new LinkError("the link is damaged: its data decompresses but is not valid JSON");
  }
  if (!state || typeof state !== "object" || Array.isArray(state)) throw new LinkError("the link is damaged: it holds no page state");
  return state;
}
