// djust.js: the djust browser client. One dependency-free ES module, no build step.
// This is the single source; Django serves it as the static file "djust/djust.js".
// It reads in data-flow order: constants -> helpers -> patch apply -> DOM -> hooks
// -> view -> socket. The wire format is docs/protocol.md ("Envelope").

// ---- constants -------------------------------------------------------------------

/** The client's version; the server compares it at join. */
export const VERSION = "0.1.0";
/** Envelope version (server: djust.events.PROTOCOL_VERSION). */
export const PROTOCOL_VERSION = 1;

// Message types (server: djust/events.py).
const T_JOIN = "join";
const T_EVENT = "event";
const T_HEARTBEAT = "hb";
const T_JOINED = "joined";
const T_REPLY = "reply";
const T_PUSH = "push";
const T_REDIRECT = "redirect";
const T_NAVIGATE = "navigate";
const T_ERROR = "error";
// Reply keys: a full render of the root (fallback renderer), or a live patch.
const K_HTML = "html";
const K_PATCH = "patch";
const K_LIVE = "live";

// Live rendering (docs/protocol.md "Patches"; server: vdom/src/live/patch.rs).
/** Patch format version the applier understands. */
export const PATCH_VERSION = 1;
const OP_SET = "s";
const OP_REPLACE = "r";
const OP_DELETE = "d";
const OP_INSERT = "i";
const OP_MOVE = "m";
const SLOT_TEXT = "t";
const SLOT_IF = "i";
const SLOT_LOOP = "l";
const SLOT_WITH = "w";
const KEY_ATTR = "dj-key";
/** Reserved event name for dj-model (server: djust.session.MODEL_EVENT). */
const MODEL_EVENT = "dj:model";

const ROOT_ATTR = "dj-root";
const VALUE_PREFIX = "dj-value-";
const LOADING_CLASS = "dj-loading";
const DISCONNECTED_CLASS = "dj-disconnected";
const ERROR_CLASS = "dj-error";
/** Reconnect delays in ms; the last one repeats. Jittered so tabs do not stampede. */
const BACKOFF_MS = [100, 500, 1000, 2000, 5000];
const HEARTBEAT_MS = 30000;

// ---- helpers ---------------------------------------------------------------------

/** dj-value-* attributes of an element as {name: string}. */
function valuesOf(el) {
  const out = {};
  for (const attr of el.attributes) {
    if (attr.name.startsWith(VALUE_PREFIX)) out[attr.name.slice(VALUE_PREFIX.length)] = attr.value;
  }
  return out;
}

/** A form's fields as {name: value | [values]}; repeated names (checkboxes, multi-select) become lists. */
export function serializeForm(form) {
  const out = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value !== "string") continue; // files are not sent over the socket
    if (name in out) out[name] = [].concat(out[name], value);
    else out[name] = value;
  }
  for (const el of form.querySelectorAll("select[multiple][name]")) {
    if (!(el.name in out)) out[el.name] = [];
    else if (!Array.isArray(out[el.name])) out[el.name] = [out[el.name]];
  }
  return out;
}

/** The value an input contributes: checked state for checkboxes, else its value. */
function inputValue(el) {
  if (el.type === "checkbox") return el.checked;
  if (el.tagName === "SELECT" && el.multiple) return [...el.selectedOptions].map((o) => o.value);
  return el.value;
}

/** Parse dj-model="field", "field.lazy", "field.debounce-300" (modifier may come first too). */
export function parseModel(attr) {
  const parts = attr.split(".");
  let field = "";
  let lazy = false;
  let debounce = 0;
  for (const part of parts) {
    const m = /^debounce-(\d+)$/.exec(part);
    if (m) debounce = Number(m[1]);
    else if (part === "lazy") lazy = true;
    else if (!field) field = part;
  }
  return { field, lazy, debounce };
}

/** The delay before reconnect attempt n (0-based), jittered by up to 50%. */
export function backoff(n) {
  const base = BACKOFF_MS[Math.min(n, BACKOFF_MS.length - 1)];
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** A key that finds "the same" element across a re-render: id, else name in its form, else dj-model. */
function identity(el) {
  if (!el || el.nodeType !== 1) return null;
  if (el.id) return "#" + el.id;
  const name = el.getAttribute("name");
  if (name) {
    const form = el.form;
    return "@" + (form && form.id ? form.id + "/" : "") + el.tagName + ":" + name;
  }
  const model = modelOf(el);
  if (model) return "~" + model.field;
  return null;
}

function findByIdentity(root, key) {
  for (const el of root.querySelectorAll("[id], [name], input, textarea, select")) {
    if (identity(el) === key) return el;
  }
  return null;
}

/** The first attribute of el whose name starts with prefix (dj-model carries its modifiers in the name). */
function attrStarting(el, prefix) {
  for (const attr of el.attributes) {
    if (attr.name === prefix || attr.name.startsWith(prefix + ".")) return attr;
  }
  return null;
}

/** The dj-model spec of an element: modifiers may be on the attribute name or its value. */
function modelOf(el) {
  const attr = attrStarting(el, "dj-model");
  if (!attr) return null;
  const spec = parseModel(attr.value);
  const nameSpec = parseModel(attr.name.slice("dj-model".length + 1) || "");
  return { field: spec.field, lazy: spec.lazy || nameSpec.lazy, debounce: spec.debounce || nameSpec.debounce };
}

// ---- patch apply -----------------------------------------------------------------

/**
 * One view's rendered state: the join payload's fragment and slot tables plus
 * the current slot values. apply() mirrors vdom/src/live/dom.rs op for op;
 * html() renders the values exactly as the server's first render.
 */
export class Rendered {
  constructor(join) {
    if (join.v !== PATCH_VERSION) throw new Error(`patch format ${join.v}, client speaks ${PATCH_VERSION}`);
    this.frags = join.f;
    this.slots = join.s;
    this.root = join.r;
  }

  /** Apply a patch message ({v, d: [ops]}) in order. Throws on a malformed op (the caller reloads). */
  apply(patch) {
    if (patch.v !== PATCH_VERSION) throw new Error(`patch format ${patch.v}, client speaks ${PATCH_VERSION}`);
    for (const op of patch.d) this.applyOp(op);
  }

  applyOp(op) {
    const [holder, index] = this.locate(this.root, 0, op.p);
    const target = holder[index];
    switch (op.o) {
      case OP_SET:
      case OP_REPLACE:
        holder[index] = op.v;
        return;
      case OP_DELETE:
        removeItem(target, keyIndex(target, op.k));
        return;
      case OP_INSERT:
        insertItem(target, insertPos(target, op.a), op.k, op.v);
        return;
      case OP_MOVE: {
        const item = removeItem(target, keyIndex(target, op.k));
        insertItem(target, insertPos(target, op.a), op.k, item);
        return;
      }
      default:
        throw new Error(`unknown op ${op.o}`);
    }
  }

  /** The array holding slot path[0]'s value in fragment fid's values, and its index; then descend. */
  locate(vals, fid, path) {
    const sid = path[0];
    const idx = this.frags[fid].d.indexOf(sid);
    if (idx < 0 || !Array.isArray(vals) || idx >= vals.length) throw new Error(`no slot ${sid} in fragment ${fid}`);
    if (path.length === 1) return [vals, idx];
    const v = vals[idx];
    const desc = this.slots[sid];
    switch (desc.t) {
      case SLOT_WITH:
        return this.locate(v.d, desc.f, path.slice(1));
      case SLOT_IF:
        return this.locate(v.d, desc.f[v.b], path.slice(1));
      case SLOT_LOOP:
        if (typeof path[1] === "string") return this.locate(v.i[keyIndex(v, path[1])], desc.f, path.slice(2));
        return this.locate(v.e, desc.e, path.slice(1));
      default:
        throw new Error(`cannot enter text slot ${sid}`);
    }
  }

  html() {
    const out = [];
    this.fragHtml(0, this.root, out);
    return out.join("");
  }

  /**
   * The innermost loop item an op's path stays inside (the path goes on past the
   * item's key), as {key, html}, or null when the op touches something outside any
   * item (a loop's own order, a top-level slot). Read after the patch was applied.
   */
  itemScope(path) {
    let vals = this.root;
    let fid = 0;
    let scope = null;
    for (let n = 0; n < path.length - 1; n++) {
      const sid = path[n];
      const v = vals[this.frags[fid].d.indexOf(sid)];
      const desc = this.slots[sid];
      if (desc.t === SLOT_WITH) [vals, fid] = [v.d, desc.f];
      else if (desc.t === SLOT_IF) [vals, fid] = [v.d, desc.f[v.b]];
      else if (desc.t === SLOT_LOOP && typeof path[n + 1] === "string") {
        const key = path[n + 1];
        const item = v.i[keyIndex(v, key)];
        const body = desc.f;
        if (n + 2 < path.length) scope = { key, html: () => this.fragOnly(body, item) };
        [vals, fid] = [item, body];
        n += 1;
      } else if (desc.t === SLOT_LOOP) [vals, fid] = [v.e, desc.e];
      else return null;
    }
    return scope;
  }

  fragOnly(fid, vals) {
    const out = [];
    this.fragHtml(fid, vals, out);
    return out.join("");
  }

  fragHtml(fid, vals, out) {
    const f = this.frags[fid];
    if (!f) return;
    out.push(f.s[0]);
    for (let i = 0; i < f.d.length && i < vals.length; i++) {
      const v = vals[i];
      const desc = this.slots[f.d[i]];
      if (typeof v === "string") out.push(v);
      else if (desc.t === SLOT_WITH) this.fragHtml(desc.f, v.d || [], out);
      else if (desc.t === SLOT_IF) {
        if (v.b !== null && v.b !== undefined && desc.f[v.b] !== undefined) this.fragHtml(desc.f[v.b], v.d || [], out);
      } else if (desc.t === SLOT_LOOP) {
        for (const item of v.i || []) this.fragHtml(desc.f, item, out);
        if (Array.isArray(v.e)) this.fragHtml(desc.e, v.e, out);
      }
      out.push(f.s[i + 1] === undefined ? "" : f.s[i + 1]);
    }
  }
}

function keyIndex(list, key) {
  const i = list.k.indexOf(key);
  if (i < 0) throw new Error(`no key ${key}`);
  return i;
}

function insertPos(list, after) {
  return after === null || after === undefined ? 0 : keyIndex(list, after) + 1;
}

function removeItem(list, i) {
  list.k.splice(i, 1);
  return list.i.splice(i, 1)[0];
}

function insertItem(list, at, key, item) {
  if (at > list.k.length) throw new Error("insert position");
  list.k.splice(at, 0, key);
  list.i.splice(at, 0, item);
}

// ---- DOM morph -----------------------------------------------------------------------

/**
 * Bring `from`'s children in line with the HTML `html`, touching only what differs.
 * Invariants: an element keeps its identity when its tag (and id, and dj-key) match, so
 * focus, caret, selection, hook state and listeners survive; children with a dj-key are
 * matched by key wherever they moved, so a moved row is the same element; the focused
 * field's value is never overwritten (patches do not fight typing).
 */
export function morph(from, html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  morphChildren(from, template.content);
}

function keyOf(node) {
  return node.nodeType === 1 ? node.getAttribute(KEY_ATTR) : null;
}

function sameKind(a, b) {
  if (a.nodeType !== b.nodeType) return false;
  if (a.nodeType !== 1) return true;
  return a.tagName === b.tagName && (a.id || "") === (b.id || "") && keyOf(a) === keyOf(b);
}

function morphChildren(from, to) {
  const keyed = new Map();
  for (let c = from.firstChild; c; c = c.nextSibling) {
    const k = keyOf(c);
    if (k !== null) keyed.set(k, c);
  }
  let cur = from.firstChild;
  for (let next = to.firstChild; next; ) {
    const following = next.nextSibling;
    const k = keyOf(next);
    let match = null;
    if (k !== null) {
      const old = keyed.get(k);
      if (old && old.tagName === next.tagName) match = old;
      keyed.delete(k);
    } else if (cur && keyOf(cur) === null && sameKind(cur, next)) {
      match = cur;
    }
    if (match) {
      if (match === cur) cur = cur.nextSibling;
      else from.insertBefore(match, cur);
      morphNode(match, next);
    } else {
      from.insertBefore(next, cur); // adopts the parsed node
    }
    next = following;
  }
  while (cur) {
    const after = cur.nextSibling;
    from.removeChild(cur);
    cur = after;
  }
}

function morphNode(a, b) {
  if (a.nodeType !== 1) {
    if (a.data !== b.data) a.data = b.data;
    return;
  }
  const before = formState(a);
  for (const attr of [...a.attributes]) if (!b.hasAttribute(attr.name)) a.removeAttribute(attr.name);
  for (const attr of b.attributes) {
    if (a.getAttribute(attr.name) !== attr.value) a.setAttribute(attr.name, attr.value);
  }
  if (a.tagName === "TEXTAREA") {
    if (a.defaultValue !== b.textContent) a.defaultValue = b.textContent;
  } else if (a.tagName !== "INPUT") {
    morphChildren(a, b);
  }
  // The live value follows the server only when the server changed it, and never
  // while the user is in the field: what the user typed is not overwritten by a
  // re-render of the same markup.
  if (a !== document.activeElement && before !== formState(a)) syncFormValue(a);
}

/** The server-rendered default of a form control (its attributes), or null for other elements. */
function formState(el) {
  if (el.tagName === "INPUT") return (el.getAttribute("value") || "") + "|" + el.hasAttribute("checked");
  if (el.tagName === "TEXTAREA") return el.defaultValue;
  if (el.tagName === "SELECT") return [...el.options].map((o) => o.value + (o.hasAttribute("selected") ? "+" : "")).join("|");
  return null;
}

function syncFormValue(el) {
  if (el.tagName === "INPUT") {
    if (el.type === "checkbox" || el.type === "radio") el.checked = el.hasAttribute("checked");
    else el.value = el.getAttribute("value") || "";
  } else if (el.tagName === "TEXTAREA") {
    el.value = el.defaultValue;
  } else if (el.tagName === "SELECT") {
    for (const opt of el.options) opt.selected = opt.hasAttribute("selected");
  }
}

// ---- focus safety net ------------------------------------------------------------

/** What the user is doing in a focused field: kept across a patch so patches never fight typing. */
function captureFocus(root) {
  const el = document.activeElement;
  if (!el || !root.contains(el)) return null;
  const key = identity(el);
  if (!key) return null;
  const state = { key, value: undefined, start: null, end: null, dir: null };
  if ("value" in el && el.type !== "checkbox" && el.type !== "radio") state.value = el.value;
  try {
    state.start = el.selectionStart;
    state.end = el.selectionEnd;
    state.dir = el.selectionDirection;
  } catch (_) {
    // selection is not available on this input type (e.g. number, email)
  }
  return state;
}

function restoreFocus(root, state) {
  if (!state) return;
  const el = findByIdentity(root, state.key);
  if (!el) return;
  if (state.value !== undefined && el.value !== state.value) el.value = state.value;
  el.focus({ preventScroll: true });
  if (state.start !== null) {
    try {
      el.setSelectionRange(state.start, state.end, state.dir || "none");
    } catch (_) {
      // as above
    }
  }
}

/**
 * Bring the view root's content to `html` (morph). Invariant: the focused field keeps
 * its value, caret and selection; if a patch removed its element, an equivalent one
 * (same id or name) gets them back.
 */
export function applyHtml(root, html) {
  const focus = captureFocus(root);
  morph(root, html);
  if (focus && !root.contains(document.activeElement)) restoreFocus(root, focus);
}

/**
 * Bring the DOM under `root` up to date after `patch` was applied to `rendered`.
 * O(changed) path: when every op stays inside a keyed loop item whose element is
 * unambiguous in the page (one element with that dj-key, rendered as one element),
 * only those elements are morphed; otherwise the whole root is morphed from the
 * rendered values. Returns "items" or "root" (which path ran).
 */
export function updateDom(root, rendered, patch) {
  const work = itemWork(root, rendered, patch);
  if (!work) {
    applyHtml(root, rendered.html());
    return "root";
  }
  const focus = captureFocus(root);
  for (const [el, next] of work) morphNode(el, next);
  if (focus && !root.contains(document.activeElement)) restoreFocus(root, focus);
  return "items";
}

function itemWork(root, rendered, patch) {
  const items = new Map();
  for (const op of patch.d) {
    const scope = rendered.itemScope(op.p);
    if (!scope) return null;
    items.set(scope.key, scope);
  }
  const work = [];
  for (const [key, scope] of items) {
    const found = root.querySelectorAll(`[${KEY_ATTR}="${CSS.escape(key)}"]`);
    const template = document.createElement("template");
    template.innerHTML = scope.html();
    const next = template.content;
    if (found.length !== 1 || next.childNodes.length !== 1 || keyOf(next.firstChild) !== key) return null;
    work.push([found[0], next.firstChild]);
  }
  return work;
}

// ---- DOM -------------------------------------------------------------------------

/** Values of every dj-model input and of forms with dj-change, keyed by identity (for auto-recover). */
function captureInputs(root) {
  const out = [];
  for (const el of root.querySelectorAll("input, textarea, select")) {
    const key = identity(el);
    if (!key || el.type === "hidden" || el.type === "file") continue;
    if (!modelOf(el) && !(el.form && el.form.hasAttribute("dj-change"))) continue;
    out.push({ key, value: el.value, checked: el.checked });
  }
  return out;
}

function restoreInputs(root, captured) {
  const changed = [];
  for (const { key, value, checked } of captured) {
    const el = findByIdentity(root, key);
    if (!el) continue;
    const before = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
    if (el.type === "checkbox" || el.type === "radio") el.checked = checked;
    else el.value = value;
    const after = el.type === "checkbox" || el.type === "radio" ? el.checked : el.value;
    if (before !== after) changed.push(el);
  }
  return changed;
}

// ---- hooks -----------------------------------------------------------------------

/** The hook registry: djust.hooks.Name = {mounted() {...}, ...} or connect({hooks}). */
export const hooks = {};

/**
 * A hook instance bound to one element. Callbacks on the definition:
 * - mounted(): the element is in the page and the view is joined.
 * - updated(): a patch changed the element (this.el may be a new node with the same id).
 * - destroyed(): the element left the page.
 * - disconnected(): the socket dropped; the page is stale until reconnected().
 * - reconnected(): the view joined again after a disconnect.
 */
class HookInstance {
  constructor(view, el, def) {
    this.__view = view;
    this.el = el;
    this.__handlers = [];
    for (const key of Object.keys(def)) this[key] = def[key];
  }

  /** Send an event to the view's handler; onReply(payload) gets the handler's returned dict. */
  pushEvent(name, payload, onReply) {
    this.__view.pushEvent(name, payload || {}, null, onReply);
  }

  /** Run callback(payload) when the server calls self.push_event(name, payload). */
  handleEvent(name, callback) {
    this.__handlers.push(this.__view.onPush(name, callback));
  }

  __call(name) {
    const fn = this[name];
    if (typeof fn !== "function") return;
    try {
      fn.call(this);
    } catch (err) {
      console.error(`djust: hook ${name} failed`, err);
    }
  }

  __destroy() {
    for (const off of this.__handlers) off();
    this.__handlers = [];
    this.__call("destroyed");
  }
}

// ---- view ------------------------------------------------------------------------

const views = new Map(); // root element -> View

class View {
  constructor(root) {
    this.root = root;
    this.token = root.getAttribute("dj-token");
    this.wsPath = root.getAttribute("dj-ws") || "/djust/ws/";
    this.ref = 0;
    this.pending = new Map(); // ref -> {els, restore, onReply}
    this.pushHandlers = new Map(); // event name -> Set(callback)
    this.hookInstances = new Map(); // element -> HookInstance
    this.debounces = new WeakMap(); // input -> timer
    this.socket = null;
    this.joins = 0;
    this.attempts = 0;
    this.closed = false;
    this.connected = false;
  }

  // -- hooks --

  /** Mount, update or destroy hook instances after the root's content changed. */
  syncHooks(firstJoin) {
    const seen = new Set();
    const byId = new Map();
    for (const [el, inst] of this.hookInstances) if (el.id) byId.set(el.id + "|" + inst.__name, inst);
    for (const el of this.root.querySelectorAll("[dj-hook]")) {
      const name = el.getAttribute("dj-hook");
      const def = hooks[name];
      if (!def) {
        console.warn(`djust: no hook named ${name}`);
        continue;
      }
      let inst = this.hookInstances.get(el);
      if (!inst && el.id) {
        // A re-render replaced the node: the hook follows the element's id.
        inst = byId.get(el.id + "|" + name);
        if (inst) {
          for (const [old, i] of this.hookInstances) if (i === inst) this.hookInstances.delete(old);
          inst.el = el;
          this.hookInstances.set(el, inst);
        }
      }
      if (inst) {
        seen.add(inst);
        const html = el.outerHTML;
        if (!firstJoin && html !== inst.__html) inst.__call("updated");
        inst.__html = html;
        continue;
      }
      inst = new HookInstance(this, el, def);
      inst.__name = name;
      inst.__html = el.outerHTML;
      this.hookInstances.set(el, inst);
      seen.add(inst);
      inst.__call("mounted");
    }
    for (const [el, inst] of [...this.hookInstances]) {
      if (!seen.has(inst)) {
        this.hookInstances.delete(el);
        inst.__destroy();
      }
    }
  }

  eachHook(name) {
    for (const inst of this.hookInstances.values()) inst.__call(name);
  }

  onPush(name, callback) {
    if (!this.pushHandlers.has(name)) this.pushHandlers.set(name, new Set());
    this.pushHandlers.get(name).add(callback);
    return () => this.pushHandlers.get(name).delete(callback);
  }

  // -- events up --

  /** Send an event; els get the loading class (and dj-disable-with) until its reply. */
  pushEvent(name, value, els, onReply) {
    const ref = ++this.ref;
    const restore = [];
    for (const el of els || []) {
      el.classList.add(LOADING_CLASS);
      restore.push(() => el.classList.remove(LOADING_CLASS));
      const disableWith = el.getAttribute && el.getAttribute("dj-disable-with");
      if (disableWith !== null && disableWith !== undefined) {
        const text = el.textContent;
        const disabled = el.disabled;
        el.textContent = disableWith;
        el.disabled = true;
        restore.push(() => {
          if (el.isConnected) {
            el.textContent = text;
            el.disabled = disabled;
          }
        });
      }
    }
    this.pending.set(ref, { restore, onReply });
    this.send({ t: T_EVENT, ref, name, value });
    return ref;
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN && this.connected) {
      this.socket.send(JSON.stringify(message));
    } else if (message.t === T_EVENT) {
      // Not joined: the event is dropped; inputs are replayed on rejoin (auto-recover).
      this.settle(message.ref);
    }
  }

  settle(ref) {
    const entry = this.pending.get(ref);
    if (!entry) return null;
    this.pending.delete(ref);
    for (const fn of entry.restore) fn();
    return entry;
  }

  // -- messages down --

  receive(msg) {
    switch (msg.t) {
      case T_JOINED:
        return this.joined(msg);
      case T_REPLY: {
        if (K_PATCH in msg) this.applyPatch(msg[K_PATCH]);
        else if (K_HTML in msg) this.patch(msg[K_HTML]);
        const entry = this.settle(msg.ref);
        if (entry && entry.onReply && msg.payload !== undefined) entry.onReply(msg.payload);
        return;
      }
      case T_PUSH:
        for (const cb of this.pushHandlers.get(msg.name) || []) cb(msg.payload);
        this.root.dispatchEvent(new CustomEvent("djust:" + msg.name, { detail: msg.payload }));
        return;
      case T_REDIRECT:
        this.close();
        window.location.assign(msg.url);
        return;
      case T_NAVIGATE:
        navigate(this, msg.url, msg.replace);
        return;
      case T_ERROR:
        return this.error(msg);
      case T_HEARTBEAT:
        return;
      default:
        console.warn("djust: unknown message", msg.t);
    }
  }

  joined(msg) {
    if (msg.v !== PROTOCOL_VERSION) {
      console.warn(`djust: protocol version ${msg.v} from the server, client speaks ${PROTOCOL_VERSION}`);
    }
    const rejoin = this.joins > 0;
    this.joins += 1;
    this.attempts = 0;
    this.connected = true;
    this.root.classList.remove(DISCONNECTED_CLASS, ERROR_CLASS);
    // Auto-recover: what the user typed survives a remount, then goes to the server.
    const typed = captureInputs(this.root);
    this.rendered = msg[K_LIVE] ? new Rendered(msg[K_LIVE]) : null;
    if (this.rendered) applyHtml(this.root, this.rendered.html());
    else if (K_HTML in msg) applyHtml(this.root, msg[K_HTML]);
    const changed = restoreInputs(this.root, typed);
    this.syncHooks(true);
    if (rejoin) this.eachHook("reconnected");
    this.replay(changed.concat(this.modelInputs()));
  }

  modelInputs() {
    return [...this.root.querySelectorAll("input, textarea, select")].filter(
      (el) => modelOf(el) && el.value !== el.defaultValue,
    );
  }

  replay(els) {
    const forms = new Set();
    const done = new Set();
    for (const el of els) {
      if (done.has(el)) continue;
      done.add(el);
      const model = modelOf(el);
      if (model) this.pushEvent(MODEL_EVENT, { field: model.field, value: inputValue(el) });
      else if (el.form && el.form.hasAttribute("dj-change")) forms.add(el.form);
    }
    for (const form of forms) this.pushEvent(form.getAttribute("dj-change"), serializeForm(form), [form]);
  }

  applyPatch(patch) {
    try {
      this.rendered.apply(patch);
    } catch (err) {
      // Our copy of the state no longer matches the server's: start over from a fresh page.
      console.error("djust: cannot apply patch, reloading", err);
      this.close();
      window.location.reload();
      return;
    }
    // The page no longer is the HTTP render: a rejoin must get the full state back.
    this.root.setAttribute("dj-rendered", "");
    updateDom(this.root, this.rendered, patch);
    this.syncHooks(false);
  }

  patch(html) {
    // The page no longer is the HTTP render: a rejoin must get the full state back.
    this.root.setAttribute("dj-rendered", "");
    applyHtml(this.root, html);
    this.syncHooks(false);
  }

  error(msg) {
    if (msg.ref !== null && msg.ref !== undefined) this.settle(msg.ref);
    console.warn("djust:", msg.message, msg.detail || "");
    this.root.dispatchEvent(new CustomEvent("djust:error", { detail: msg }));
    if (msg.fatal) {
      this.root.classList.add(ERROR_CLASS);
      if (this.joins > 0) {
        // The server no longer accepts this page's token (restarted with a new key,
        // or expired): a full load gets a fresh one.
        this.close();
        window.location.reload();
      } else {
        this.close();
      }
    }
  }

  // -- socket --

  connect() {
    this.closed = false;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(scheme + "//" + window.location.host + this.wsPath);
    this.socket = socket;
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          t: T_JOIN,
          v: PROTOCOL_VERSION,
          token: this.token,
          url: window.location.href,
          rendered: this.root.getAttribute("dj-rendered") || "",
        }),
      );
      this.heartbeat = setInterval(() => this.send({ t: T_HEARTBEAT }), HEARTBEAT_MS);
    };
    socket.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch (_) {
        console.warn("djust: unreadable frame");
        return;
      }
      this.receive(msg);
    };
    socket.onclose = () => {
      clearInterval(this.heartbeat);
      if (this.socket !== socket) return;
      const wasConnected = this.connected;
      this.connected = false;
      for (const ref of [...this.pending.keys()]) this.settle(ref);
      if (this.closed) return;
      this.root.classList.add(DISCONNECTED_CLASS);
      if (wasConnected) this.eachHook("disconnected");
      setTimeout(() => {
        if (!this.closed) this.connect();
      }, backoff(this.attempts++));
    };
  }

  close() {
    this.closed = true;
    this.connected = false;
    if (this.socket) this.socket.close();
  }
}

/** Live navigation: fetch the page, swap in its live root, push history, rejoin. */
async function navigate(view, url, replace) {
  let text;
  try {
    const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    text = await response.text();
  } catch (_) {
    window.location.assign(url);
    return;
  }
  const doc = new DOMParser().parseFromString(text, "text/html");
  const next = doc.querySelector(`[${ROOT_ATTR}]`);
  if (!next) {
    window.location.assign(url);
    return;
  }
  view.close();
  for (const inst of view.hookInstances.values()) inst.__destroy();
  view.hookInstances.clear();
  views.delete(view.root);
  if (replace) history.replaceState({}, "", url);
  else history.pushState({}, "", url);
  if (doc.title) document.title = doc.title;
  for (const name of ["dj-token", "dj-ws", "dj-rendered"]) view.root.setAttribute(name, next.getAttribute(name) || "");
  view.root.innerHTML = next.innerHTML;
  start(view.root);
}

// ---- DOM event delegation (one listener per event type, for every view) -----------

function viewOf(el) {
  const root = el && el.closest && el.closest(`[${ROOT_ATTR}]`);
  return root ? views.get(root) : null;
}

function onClick(e) {
  const el = e.target.closest && e.target.closest("[dj-click]");
  const view = el && viewOf(el);
  if (!view) return;
  e.preventDefault();
  view.pushEvent(el.getAttribute("dj-click"), valuesOf(el), [el]);
}

function onSubmit(e) {
  const form = e.target;
  const view = form.hasAttribute && form.hasAttribute("dj-submit") && viewOf(form);
  if (!view) return;
  e.preventDefault();
  const els = [form, ...form.querySelectorAll("[dj-disable-with]")];
  view.pushEvent(form.getAttribute("dj-submit"), { ...valuesOf(form), ...serializeForm(form) }, els);
}

/** dj-change / dj-input: on a form, the whole serialized form; on a field, {value}. */
function onFieldEvent(attr) {
  return (e) => {
    const target = e.target;
    const view = viewOf(target);
    if (!view) return;
    const model = target.getAttribute && modelOf(target);
    if (model) modelEvent(view, target, model, e.type);
    const el = target.closest(`[${attr}]`);
    if (!el) return;
    const value = el.tagName === "FORM" ? serializeForm(el) : { value: inputValue(el) };
    view.pushEvent(el.getAttribute(attr), { ...valuesOf(el), ...value }, [el]);
  };
}

/** dj-model: "input" sends at once (or after debounce-N ms of quiet); .lazy sends on "change". */
function modelEvent(view, el, model, type) {
  if (model.lazy ? type !== "change" : type !== "input") return;
  const send = () => view.pushEvent(MODEL_EVENT, { field: model.field, value: inputValue(el) });
  if (!model.debounce) {
    send();
    return;
  }
  clearTimeout(view.debounces.get(el));
  view.debounces.set(el, setTimeout(send, model.debounce));
}

function onKey(attr) {
  return (e) => {
    const el = e.target.closest && e.target.closest(`[${attr}]`);
    const view = el && viewOf(el);
    if (!view) return;
    const filter = el.getAttribute("dj-key");
    if (filter && filter.toLowerCase() !== e.key.toLowerCase()) return;
    view.pushEvent(el.getAttribute(attr), { ...valuesOf(el), key: e.key, value: inputValue(el) }, [el]);
  };
}

function onFocus(attr) {
  return (e) => {
    const el = e.target;
    if (!el.hasAttribute || !el.hasAttribute(attr)) return;
    const view = viewOf(el);
    if (view) view.pushEvent(el.getAttribute(attr), { ...valuesOf(el), value: inputValue(el) }, []);
  };
}

let listening = false;

function listen() {
  if (listening) return;
  listening = true;
  document.addEventListener("click", onClick);
  document.addEventListener("submit", onSubmit);
  document.addEventListener("input", onFieldEvent("dj-input"));
  document.addEventListener("change", onFieldEvent("dj-change"));
  document.addEventListener("keydown", onKey("dj-keydown"));
  document.addEventListener("keyup", onKey("dj-keyup"));
  document.addEventListener("focusin", onFocus("dj-focus"));
  document.addEventListener("focusout", onFocus("dj-blur"));
  window.addEventListener("popstate", () => window.location.reload());
}

// ---- socket / entry points ----------------------------------------------------------

function start(root) {
  if (views.has(root)) return views.get(root);
  const view = new View(root);
  views.set(root, view);
  view.connect();
  return view;
}

let started = false;

/** Connect every live root on the page. Options: {hooks: {Name: {...}}}. Idempotent. */
export function connect(options = {}) {
  Object.assign(hooks, options.hooks || {});
  listen();
  started = true;
  return [...document.querySelectorAll(`[${ROOT_ATTR}]`)].map(start);
}

/** The public object, also at window.djust for non-module scripts. */
export const djust = { VERSION, PROTOCOL_VERSION, hooks, connect, views };

if (typeof window !== "undefined" && typeof document !== "undefined") {
  window.djust = djust;
  // Auto-connect after the page's own module scripts ran (they may register hooks).
  const auto = () => setTimeout(() => started || document.documentElement.hasAttribute("dj-manual") || connect(), 0);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", auto);
  else auto();
}
