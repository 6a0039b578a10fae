// Merak console: verify a ledger entry's inclusion proof and its signed tree head in the
// browser, with nothing from the server's code: RFC 9162 hashing (SHA-256, 0x00 leaf and
// 0x01 node prefixes), the RFC 9162 §2.1.3.2 inclusion-proof algorithm, the C2SP checkpoint
// body, and the Ed25519 signature, all through the browser's Web Crypto API.
"use strict";

const MerakVerify = (() => {
  const enc = new TextEncoder();

  function b64decode(text) {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function b64encode(bytes) {
    let bin = "";
    for (const b of bytes) bin += String.fromCharCode(b);
    return btoa(bin);
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function concat(...parts) {
    const n = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    let d = 0;
    for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  const leafHash = (data) => sha256(concat(new Uint8Array([0]), data));
  const nodeHash = (left, right) => sha256(concat(new Uint8Array([1]), left, right));

  // RFC 9162 §2.1.3.2: the root that `path` proves for `leaf` at `index` in a tree of `size`.
  async function rootFromInclusionProof(index, size, leaf, path) {
    if (!(index >= 0 && index < size)) throw new Error(`leaf index ${index} is not below tree size ${size}`);
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of path) {
      if (p.length !== 32) throw new Error(`proof hash of ${p.length} bytes, expected 32`);
      if (sn === 0) throw new Error("proof is longer than the tree is deep");
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("proof is shorter than the tree is deep");
    return r;
  }

  function checkpointBody(head) {
    const nanos = String(head.timestamp_nanos).padStart(9, "0");
    return `${head.origin}\n${head.tree_size}\n${head.root_hash}\ntimestamp ${head.timestamp_seconds}.${nanos}\n`;
  }

  async function verifyHead(head, publicKey) {
    if (!crypto.subtle) throw new Error("this page is not a secure context (serve the console over TLS or on localhost)");
    const keyId = await sha256(publicKey);
    if (!equal(keyId, b64decode(head.key_id))) {
      throw new Error(`tree head is signed by key ${hex(b64decode(head.key_id)).slice(0, 16)}…, not the pinned key ${hex(keyId).slice(0, 16)}…`);
    }
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, b64decode(head.signature), enc.encode(checkpointBody(head)));
    if (!ok) throw new Error("the tree head's Ed25519 signature does not verify");
  }

  // Minimal protobuf reader: enough to show what the verified bytes say (LedgerEntry).
  function readVarint(buf, at) {
    let value = 0n, shift = 0n, i = at;
    for (;;) {
      if (i >= buf.length) throw new Error("truncated varint");
      const b = buf[i++];
      value |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return [value, i];
      shift += 7n;
      if (shift > 63n) throw new Error("varint too long");
    }
  }

  function decodeFields(buf) {
    const fields = [];
    let at = 0;
    while (at < buf.length) {
      let key;
      [key, at] = readVarint(buf, at);
      const no = Number(key >> 3n), wire = Number(key & 7n);
      if (wire === 0) { let v; [v, at] = readVarint(buf, at); fields.push([no, v]); }
      else if (wire === 2) {
        let n; [n, at] = readVarint(buf, at); n = Number(n);
        if (at + n > buf.length) throw new Error("truncated field");
        fields.push([no, buf.subarray(at, at + n)]); at += n;
      } else if (wire === 1) { fields.push([no, buf.subarray(at, at + 8)]); at += 8; }
      else if (wire === 5) { fields.push([no, buf.subarray(at, at + 4)]); at += 4; }
      else throw new Error(`unsupported wire type ${wire}`);
    }
    return fields;
  }

  const ENTRY_TYPES = ["UNSPECIFIED", "ASSESSMENT", "DECISION", "DETECTION_VERDICT", "INSPECTION_OUTCOME",
    "MODEL_PROMOTION", "SENSOR_GAP_REPORT", "SENSOR_HEALTH", "ALERT_ACKNOWLEDGEMENT"];

  function describeEntry(data) {
    const dec = new TextDecoder();
    const out = { type: "UNSPECIFIED", appended_by: "", subject_id: "", payload_type: "", payload_bytes: 0, blobs: 0 };
    for (const [no, v] of decodeFields(data)) {
      if (no === 1) out.type = ENTRY_TYPES[Number(v)] || `type ${v}`;
      else if (no === 2) out.appended_by = dec.decode(v);
      else if (no === 4) out.subject_id = dec.decode(v);
      else if (no === 5) out.payload_bytes = v.length;
      else if (no === 6) out.payload_type = dec.decode(v);
      else if (no === 7) out.blobs += 1;
    }
    return out;
  }

  // The whole check. Returns {ok, steps, entry}; never throws.
  async function verifyEntry(bundle, publicKeyB64) {
    const steps = [];
    const result = { ok: false, steps, entry: null };
    try {
      const data = b64decode(bundle.leaf_data);
      result.entry = describeEntry(data);
      const leaf = await leafHash(data);
      steps.push(`leaf hash SHA-256(0x00 ‖ entry) = ${hex(leaf).slice(0, 16)}…`);
      const path = bundle.proof.hashes.map(b64decode);
      const root = await rootFromInclusionProof(bundle.proof.leaf_index, bundle.proof.tree_size, leaf, path);
      const head = bundle.tree_head;
      if (head.tree_size !== bundle.proof.tree_size) throw new Error(`proof is for size ${bundle.proof.tree_size}, head for ${head.tree_size}`);
      const signedRoot = b64decode(head.root_hash);
      if (!equal(root, signedRoot)) {
        throw new Error(`root expected ${hex(signedRoot).slice(0, 16)}…, calculated ${hex(root).slice(0, 16)}… from the ${path.length}-hash audit path`);
      }
      steps.push(`audit path of ${path.length} hashes leads to the root of tree size ${head.tree_size}`);
      await verifyHead(head, b64decode(publicKeyB64));
      steps.push(`Ed25519 signature of ${head.origin} at size ${head.tree_size} verifies with the pinned key`);
      result.ok = true;
    } catch (err) {
      steps.push(String(err.message || err));
    }
    return result;
  }

  return { verifyEntry, rootFromInclusionProof, leafHash, nodeHash, checkpointBody, b64decode, b64encode, hex };
})();

document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("verify-panel");
  if (!panel) return;
  const button = document.getElementById("verify-button");
  const status = document.getElementById("verify-status");
  const steps = document.getElementById("verify-steps");
  const keyInput = document.getElementById("verify-key");
  button.addEventListener("click", async () => {
    status.textContent = "verifying…";
    status.className = "verdict pending";
    steps.replaceChildren();
    let bundle;
    try {
      const resp = await fetch(panel.dataset.proofUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!resp.ok) throw new Error(`proof request answered ${resp.status}`);
      bundle = await resp.json();
    } catch (err) {
      status.textContent = "not verified";
      status.className = "verdict bad";
      const li = document.createElement("li"); li.textContent = String(err.message || err); steps.append(li);
      return;
    }
    const result = await MerakVerify.verifyEntry(bundle, keyInput.value.trim());
    status.textContent = result.ok ? "verified" : "not verified";
    status.className = result.ok ? "verdict good" : "verdict bad";
    for (const s of result.steps) { const li = document.createElement("li"); li.textContent = s; steps.append(li); }
    if (result.entry) {
      const e = result.entry;
      document.getElementById("verify-entry").textContent =
        `${e.type} · subject ${e.subject_id || "—"} · appended by ${e.appended_by || "—"} · ${e.payload_type} (${e.payload_bytes} bytes) · ${e.blobs} blob(s)`;
    }
  });
});
