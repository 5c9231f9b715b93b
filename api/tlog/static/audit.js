// The audit page's check: an appeal's leaves and proofs against the signed checkpoint,
// computed here with Web Crypto, so a wrong answer from the server shows as a failure.
"use strict";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = "appeals-ledger/leaf/1\n";
const text = new TextEncoder();

function fromB64(value) {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

function toB64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}

const leafHash = (entry) => sha256(Uint8Array.of(0), entry);
const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);
const plural = new Intl.PluralRules("ru-RU");
const EVENT_WORDS = { one: "событие", few: "события", many: "событий", other: "события" };
const RECORD_WORDS = { one: "записи", few: "записей", many: "записей", other: "записи" };
const counted = (n, words) => `${n} ${words[plural.select(n)]}`;
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// RFC 9162, section 2.1.3.2.
async function verifyInclusion(leaf, index, size, proof, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

// The leaf layout of ledger.verify.encode_leaf.
function decodeEntry(entry) {
  const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
  const decoder = new TextDecoder("utf-8", { fatal: true });
  if (decoder.decode(entry.subarray(0, TAG.length)) !== TAG) throw new Error("tag");
  let at = TAG.length;
  const index = Number(view.getBigUint64(at));
  const appealLength = view.getUint32(at + 16);
  at += 20;
  const appeal = decoder.decode(entry.subarray(at, at + appealLength));
  at += appealLength;
  const version = Number(view.getBigUint64(at));
  const topicLength = view.getUint32(at + 8);
  at += 12;
  const topic = decoder.decode(entry.subarray(at, at + topicLength));
  if (entry.length !== at + topicLength + 32) throw new Error("length");
  return { index, appeal, version, topic };
}

function parseNote(note) {
  const split = note.lastIndexOf("\n\n");
  const body = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n").map((line) => {
    const [, name, sig] = line.match(/^\u2014 (\S+) (\S+)$/) || [];
    return { name, sig: sig ? fromB64(sig) : new Uint8Array() };
  });
  const [origin, size, root] = body.split("\n");
  return { body, lines, origin, size: Number(size), root: fromB64(root) };
}

async function checkSignature(note, vkeyText) {
  const [name, keyId, material] = vkeyText.trim().split(/\+(.*?)\+(.*)/s).filter(Boolean);
  const raw = fromB64(material || "");
  const line = note.lines.find(
    (l) => l.name === name && l.sig.length === 68 && l.sig.slice(0, 4).every(
      (b, i) => b === parseInt(keyId.slice(2 * i, 2 * i + 2), 16)),
  );
  if (!line || raw[0] !== 1) return { state: "fail", say: "нет подписи журнала этим ключом" };
  let key;
  try {
    key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    return { state: "unknown", say: "браузер не умеет Ed25519: проверьте подпись по шагам ниже" };
  }
  const good = await crypto.subtle.verify({ name: "Ed25519" }, key, line.sig.slice(4),
                                          text.encode(note.body));
  return good ? { state: "ok", say: "подпись журнала верна (Ed25519)" }
              : { state: "fail", say: "подпись журнала НЕ сходится" };
}

function item(list, ok, words) {
  const li = document.createElement("li");
  li.className = ok ? "ok" : "fail";
  li.textContent = (ok ? "✓ " : "✗ ") + words;
  list.appendChild(li);
}

async function check(appealId, result) {
  result.replaceChildren();
  const head = document.createElement("p");
  result.appendChild(head);
  if (!UUID.test(appealId)) {
    head.className = "fail";
    head.textContent = "Это не идентификатор обращения (нужен вид xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).";
    return;
  }
  head.textContent = "Проверяю…";
  const answer = await fetch(`/ledger/inclusion/${appealId.toLowerCase()}`);
  if (answer.status === 404) {
    head.className = "fail";
    head.textContent = "Обращение не найдено в журнале или ещё не вошло в контрольную точку.";
    return;
  }
  if (!answer.ok) {
    head.className = "fail";
    head.textContent = `Сервер ответил ${answer.status}.`;
    return;
  }
  const data = await answer.json();
  const note = parseNote(data.checkpoint);
  const list = document.createElement("ul");
  list.className = "events";
  const signature = await checkSignature(note, document.getElementById("vkey").textContent);
  item(list, signature.state === "ok", signature.say);
  const witnesses = note.lines.slice(1).map((l) => l.name);
  if (witnesses.length) item(list, true, `заверили свидетели: ${witnesses.join(", ")}`);
  let all = signature.state !== "fail";
  for (const event of data.events) {
    const entry = fromB64(event.entry);
    let fields;
    try {
      fields = decodeEntry(entry);
    } catch (error) {
      item(list, false, `запись №${event.leafIndex} повреждена`);
      all = false;
      continue;
    }
    const mine = fields.appeal === appealId.toLowerCase() && fields.index === event.leafIndex;
    const included = mine && await verifyInclusion(await leafHash(entry), event.leafIndex,
                                                   note.size, event.proof.map(fromB64), note.root);
    const kind = fields.topic.split(/[:.]/).pop();
    item(list, included, `версия ${fields.version}, ${kind}, запись №${event.leafIndex}: ` +
         (included ? "включена в дерево" : "НЕ сходится с корнем"));
    all = all && included;
  }
  head.className = all ? "ok" : "fail";
  head.textContent = all
    ? `История обращения (${counted(data.events.length, EVENT_WORDS)}) включена в дерево ` +
      `из ${counted(note.size, RECORD_WORDS)} с корнем ${toB64(note.root)}.`
    : "Проверка не прошла: см. строки ниже.";
  result.appendChild(list);
}

document.getElementById("check").addEventListener("submit", (event) => {
  event.preventDefault();
  const result = document.getElementById("result");
  check(document.getElementById("appeal").value.trim(), result).catch((error) => {
    result.replaceChildren();
    const p = document.createElement("p");
    p.className = "fail";
    p.textContent = `Проверка не удалась: ${error}`;
    result.appendChild(p);
  });
});
