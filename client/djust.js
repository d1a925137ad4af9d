// djust.js: the djust browser client. One dependency-free ES module, no build step.
// This is the single source; Django serves it as the static file "djust/djust.js".
// It reads in data-flow order: constants -> helpers -> patch apply -> anchors (where
// slots live in the markup) -> DOM morph -> O(changed) DOM update -> hooks
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
    this.info = analyze(join.f, join.s); // per fragment: elements, slot anchors (null: not understood)
    this.dom = null; // the live DOM mapping (updateDom)
  }

  /** Apply a patch message ({v, d: [ops]}) in order. Throws on a malformed op (the caller reloads). */
  apply(patch) {
    if (patch.v !== PATCH_VERSION) throw new Error(`patch format ${patch.v}, client speaks ${PATCH_VERSION}`);
    this.removed = new Map(); // delete op -> the item's values (updateDom finds its element by them)
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
        this.removed.set(op, removeItem(target, keyIndex(target, op.k)));
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
    this.emit(0, this.root, out, null, null);
    return out.join("");
  }

  /**
   * Render fragment fid with values vals into out, from position a to b ([static, offset];
   * default: all of it). With ctx (a mapping render, see "anchors" below) every element start
   * tag of the statics gets a dj-a="id" attribute and every explicitly closed element a
   * <!--dj-e id--> comment just before its end tag; ctx.ids[id] says which instance and local
   * element the id is, and parent the id of the element that must contain it (null: the target).
   */
  emit(fid, vals, out, ctx, parent, a, b) {
    const f = this.frags[fid];
    if (!f) return;
    const s = f.s;
    const last = s.length - 1;
    a = a || [0, 0];
    b = b || [last, s[last].length];
    let info, base;
    if (ctx) {
      info = this.info[fid];
      base = ctx.ids.length;
      for (let j = 0; j < info.els.length; j++) {
        const el = info.els[j];
        const up = el.parent < 0 ? parent : base + el.parent;
        ctx.ids.push({ vals, j, parent: up, endMark: el.endMark, closed: !!el.end, seen: false });
      }
    }
    for (let si = a[0]; si <= b[0]; si++) {
      const str = s[si];
      let pos = si === a[0] ? a[1] : 0;
      const hi = si === b[0] ? b[1] : str.length;
      if (ctx) {
        for (const [off, j, end] of info.marks[si]) {
          if (off < pos || off >= hi) continue;
          out.push(str.slice(pos, off), end ? `<!--dj-e ${base + j}-->` : ` dj-a="${base + j}"`);
          if (!end) ctx.ids[base + j].seen = true;
          pos = off;
        }
      }
      out.push(str.slice(pos, hi));
      if (si < b[0] && si < f.d.length && si < vals.length) {
        const v = vals[si];
        // Markup left open in a value (an unclosed <b>) changes how the parser reads what
        // follows, beyond any element: such a render cannot be mapped or patched in place.
        if (ctx && typeof v === "string" && info.states[si].mode === S_DATA && !balanced(v)) ctx.leaky = true;
        const at = ctx && info.at[si].el;
        this.slotHtml(f.d[si], vals[si], out, ctx, ctx && (at < 0 ? parent : base + at));
      }
    }
  }

  slotHtml(sid, v, out, ctx, parent) {
    if (typeof v === "string") {
      out.push(v);
      return;
    }
    const desc = this.slots[sid];
    if (desc.t === SLOT_WITH) this.emit(desc.f, v.d || [], out, ctx, parent);
    else if (desc.t === SLOT_IF) {
      if (v.b !== null && v.b !== undefined && desc.f[v.b] !== undefined) this.emit(desc.f[v.b], v.d || [], out, ctx, parent);
    } else if (desc.t === SLOT_LOOP) {
      const items = v.i || [];
      // The loop's first item's element locates the loop in the DOM (bodies that are one element).
      if (ctx) {
        ctx.loops.push([v, items.length && this.info[desc.f].gap !== null ? ctx.ids.length : -1]);
        ctx.gaps.set(v, this.info[desc.f].gap);
      }
      for (const item of items) this.emit(desc.f, item, out, ctx, parent);
      if (Array.isArray(v.e)) this.emit(desc.e, v.e, out, ctx, parent);
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

// ---- anchors: where each slot lives in the markup -------------------------------------

const VOID_TAGS = new Set("area base br col embed hr img input link meta param source track wbr".split(" "));
const RAW_TAGS = new Set("script style textarea title xmp iframe noembed noframes noscript".split(" "));
/** Elements whose stray text the parser moves out ("foster parenting"). */
const TABLE_TAGS = new Set("table tbody thead tfoot tr".split(" "));
// Tokenizer modes: text, inside a start tag, inside a quoted attribute value, raw text, comment, <!...>.
const S_DATA = 0;
const S_TAG = 1;
const S_QUOTE = 2;
const S_RAW = 3;
const S_COMMENT = 4;
const S_BOGUS = 5;
const NAME_END = /[\s/>]/;
const LETTER = /[a-zA-Z]/;
const SPACE = /\s/;

/**
 * Tokenize one fragment's statics (a slot between each pair), starting in tokenizer state
 * `start` (the state at the slot holding the fragment). Returns
 * - els: the elements whose start tag is in these statics, in document order: {tag, parent
 *   (local index, -1: the fragment's container), start, nameEnd, tagEnd, endStart, end} with
 *   positions [static, offset]; end is null when the element has no end tag here (void
 *   elements end at their start tag);
 * - at[i]: slot i's anchor {el, attr}: the innermost element containing it (-1: the container),
 *   attr when it sits inside that element's start tag;
 * - states[i]: the tokenizer state at slot i (the start state of the fragments it holds);
 * - ok: false when the markup is not understood (a slot inside a tag name, a stray end tag, a
 *   fragment that does not end in the state it started in): the caller then never maps.
 */
export function scan(statics, start = { mode: S_DATA, q: "", raw: "", foreign: false, table: false }) {
  const els = [];
  const at = [];
  const states = [];
  const stack = [];
  let { mode, q, raw } = start;
  let tagEl = -1; // the element whose start tag we are in (-1: the container's; -2: none)
  let last = ""; // last non-space character in a start tag: a quote opens a value only after "="
  let ok = true;
  let topText = false; // non-space text outside any element of these statics
  const top = () => (stack.length ? stack[stack.length - 1] : -1);
  const foreignAt = (e) => (e < 0 ? start.foreign : els[e].foreign);
  const endTag = (str, si, i) => {
    let j = i + 2;
    while (j < str.length && !NAME_END.test(str[j])) j++;
    const name = str.slice(i + 2, j).toLowerCase();
    const k = str.indexOf(">", j);
    let pos = stack.length - 1;
    while (pos >= 0 && els[stack[pos]].tag !== name) pos--;
    if (k < 0 || pos < 0) {
      ok = false; // split by a slot, or closes what these statics did not open
      return str.length;
    }
    const el = els[stack[pos]];
    el.endStart = [si, i];
    el.end = [si, k + 1];
    stack.length = pos; // elements left open inside it stay end = null (implied end tags)
    mode = S_DATA;
    return k;
  };
  for (let si = 0; si < statics.length; si++) {
    const str = statics[si];
    for (let i = 0; i < str.length; i++) {
      const c = str[i];
      if (mode === S_DATA) {
        if (c !== "<") {
          if (!stack.length && !SPACE.test(c)) topText = true;
          continue;
        }
        const n = str[i + 1];
        if (n === undefined) ok = false; // "<" then a slot: text or a tag?
        else if (str.startsWith("<!--", i)) {
          mode = S_COMMENT;
          i += 3;
        } else if (LETTER.test(n)) {
          let j = i + 1;
          while (j < str.length && !NAME_END.test(str[j])) j++;
          if (j === str.length) ok = false; // a slot inside the tag name
          const tag = str.slice(i + 1, j).toLowerCase();
          const parent = top();
          const foreign = foreignAt(parent) || tag === "svg" || tag === "math";
          els.push({ tag, parent, start: [si, i], nameEnd: [si, j], tagEnd: null, endStart: null, end: null, foreign });
          tagEl = els.length - 1;
          mode = S_TAG;
          last = "";
          i = j - 1;
        } else if (n === "/" && LETTER.test(str[i + 2] || "")) i = endTag(str, si, i);
        else if (n === "!" || n === "?" || n === "/") mode = S_BOGUS;
        else if (!stack.length) topText = true;
      } else if (mode === S_TAG) {
        if (c === ">") {
          mode = S_DATA;
          if (tagEl < 0) {
            ok = false; // the container's start tag ends inside this fragment
            continue;
          }
          const el = els[tagEl];
          el.tagEnd = [si, i + 1];
          if (VOID_TAGS.has(el.tag) || (last === "/" && el.foreign)) {
            el.end = el.tagEnd;
            el.void = true;
          } else {
            stack.push(tagEl);
            if (RAW_TAGS.has(el.tag) && !el.foreign) {
              mode = S_RAW;
              raw = el.tag;
              el.raw = true;
            }
          }
          tagEl = -2;
        } else if ((c === '"' || c === "'") && last === "=") {
          mode = S_QUOTE;
          q = c;
        } else if (!SPACE.test(c)) last = c;
      } else if (mode === S_QUOTE) {
        if (c === q) {
          mode = S_TAG;
          last = c;
        }
      } else if (mode === S_RAW) {
        const end = str.slice(i + 2, i + 2 + raw.length).toLowerCase();
        if (c === "<" && str[i + 1] === "/" && end === raw && NAME_END.test(str[i + 2 + raw.length] || ">")) {
          i = endTag(str, si, i);
        }
      } else if (mode === S_COMMENT) {
        if (str.startsWith("-->", i)) {
          mode = S_DATA;
          i += 2;
        }
      } else if (c === ">") mode = S_DATA; // S_BOGUS
    }
    if (si === statics.length - 1) break;
    const inTag = mode === S_TAG || mode === S_QUOTE;
    const el = inTag ? tagEl : top();
    if (mode === S_BOGUS) ok = false;
    at.push({ el, attr: inTag });
    const table = !inTag && (el < 0 ? start.table : TABLE_TAGS.has(els[el].tag));
    states.push({ mode, q, raw, foreign: foreignAt(el), table });
    last = "";
  }
  const same = mode === start.mode && (mode !== S_QUOTE || q === start.q) && (mode !== S_RAW || raw === start.raw);
  if (!same || ((mode === S_TAG || mode === S_QUOTE) && tagEl !== -1)) ok = false;
  for (const el of els) el.endMark = !!el.end && !el.void && !el.raw;
  return { els, at, states, ok, topText };
}

/** An HTML value whose tags all close inside it (or no tags at all). */
function balanced(html) {
  if (!html.includes("<")) return true;
  const r = scan([html]);
  return r.ok && r.els.every((e) => e.end);
}

/**
 * Tokenize every fragment of a join payload from the state its slot puts it in, once per join.
 * Per fragment: scan()'s result plus marks[static] = [offset, element, isEnd] (where a mapping
 * render puts its markers) and gap (for a loop body that is one element, so each item
 * is one DOM element, see gap below). Null when any fragment is not understood (updateDom then always
 * morphs the root).
 */
export function analyze(frags, slots) {
  const info = [];
  let ok = true;
  const visit = (fid, start) => {
    if (typeof fid !== "number" || !frags[fid]) return;
    if (info[fid]) ok = false; // one fragment under two slots: its state is ambiguous
    const s = frags[fid].s;
    const r = scan(s, start);
    info[fid] = r;
    // Text the parser would move out of a table cannot be re-rendered in place.
    if (!r.ok || (start && start.table && r.topText)) ok = false;
    frags[fid].d.forEach((sid, i) => {
      const desc = slots[sid];
      const a = r.at[i];
      if (desc.t === SLOT_TEXT && r.states[i].table && !a.attr) {
        while (a.el >= 0 && TABLE_TAGS.has(r.els[a.el].tag)) a.el = r.els[a.el].parent;
        if (a.el < 0 && start && start.table) ok = false;
      }
      const kids = desc.t === SLOT_IF ? desc.f : desc.t === SLOT_LOOP ? [desc.f, desc.e] : [desc.f];
      if (desc.t !== SLOT_TEXT) for (const k of kids) visit(k, r.states[i]);
    });
    r.marks = s.map(() => []);
    r.els.forEach((el, j) => {
      r.marks[el.nameEnd[0]].push([el.nameEnd[1], j, false]);
      if (el.endMark) r.marks[el.endStart[0]].push([el.endStart[1], j, true]);
    });
    for (const m of r.marks) m.sort((x, y) => x[0] - y[0]);
    // A loop body that is one element with only whitespace around it: each item is one DOM
    // element, and the text between two items is always gap (trailing + leading whitespace).
    const last = s.length - 1;
    const e0 = r.els[0];
    const lead = e0 && e0.start[0] === 0 ? s[0].slice(0, e0.start[1]) : "x";
    const trail = e0 && e0.end && e0.end[0] === last ? s[last].slice(e0.end[1]) : "x";
    const blank = /^[ \t\n\f\r]*$/; // HTML whitespace (the parser keeps it in tables)
    r.gap = (!start || start.mode === S_DATA) && blank.test(lead) && blank.test(trail) ? trail + lead : null;
  };
  visit(0, undefined);
  return ok ? info : null;
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

/** Elements the parser inserts on its own around table rows and columns. */
const IMPLIED = /^(TBODY|TR|COLGROUP)$/;

/** While a mapping morph runs: parsed node -> the live node it was morphed into. */
let twins = null;

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
      if (twins) twins.set(next, match);
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

/** Morph node a into b (attrsOnly: a's attributes and form value, not its children). */
function morphNode(a, b, attrsOnly) {
  if (a.nodeType !== 1) {
    if (a.data !== b.data) a.data = b.data;
    return;
  }
  const before = formState(a);
  for (const attr of [...a.attributes]) if (!b.hasAttribute(attr.name)) a.removeAttribute(attr.name);
  for (const attr of b.attributes) {
    if (a.getAttribute(attr.name) !== attr.value) a.setAttribute(attr.name, attr.value);
  }
  if (attrsOnly) {
    // an attribute slot changed: the children are not part of this morph
  } else if (a.tagName === "TEXTAREA") {
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

// ---- O(changed) DOM update -----------------------------------------------------------

/**
 * Above max(MIN_OPS, elements in the page / OPS_PER_ELEMENT) ops one root morph is cheaper
 * than many small ones (an in-place op costs about a tenth of a 1,000-row root morph's
 * per-row share; integration/bench/client.py).
 */
const MIN_OPS = 64;
const OPS_PER_ELEMENT = 10;

/**
 * Bring the DOM under `root` up to date after `patch` was applied to `rendered`, in work
 * proportional to what changed (docs/protocol.md "Applying to the DOM"). Each set/replace op
 * re-renders only its slot's anchor element (or just its start tag for an attribute slot) and
 * morphs it; loop inserts, deletes and moves act on the item elements directly. Whenever the
 * mapping is uncertain the whole root is rendered and morphed (which also re-maps it).
 * options.root forces the plain whole-root morph (the pre-anchor path; benchmarks, tests).
 * Returns the path that ran: "anchors" or "root".
 */
export function updateDom(root, rendered, patch, options = {}) {
  if (options.root) {
    rendered.dom = null;
    applyHtml(root, rendered.html());
    return "root";
  }
  const focus = captureFocus(root);
  let path = "anchors";
  const dom = rendered.dom;
  if (dom && patch.d.length > Math.max(MIN_OPS, dom.size / OPS_PER_ELEMENT)) {
    // A big patch: the plain root morph; the next patch maps the page again.
    rendered.dom = null;
    morph(root, rendered.html());
    path = "root";
  } else if (!dom || dom.root !== root || !tryPatchDom(dom, rendered, patch)) {
    mapRoot(root, rendered);
    path = "root";
  }
  if (focus && !root.contains(document.activeElement)) restoreFocus(root, focus);
  return path;
}

/** Morph the whole root from the values and map it (join, fallback). */
export function mountDom(root, rendered) {
  const focus = captureFocus(root);
  mapRoot(root, rendered);
  if (focus && !root.contains(document.activeElement)) restoreFocus(root, focus);
}

function mapRoot(root, rendered) {
  rendered.dom = null;
  if (!rendered.info) {
    morph(root, rendered.html());
    return;
  }
  const ctx = { ids: [], loops: [], gaps: new Map() };
  const out = [];
  rendered.emit(0, rendered.root, out, ctx, null);
  const parsed = parseMarked(out.join(""), ctx, null);
  twins = new Map();
  try {
    morphChildren(root, parsed.content);
  } finally {
    parsed.twins = twins;
    twins = null;
  }
  if (ctx.leaky) return; // the next patch morphs the root again
  rendered.dom = { root, map: new WeakMap(), loops: new WeakMap(), itemOf: new WeakMap(), size: ctx.ids.length };
  remap(rendered.dom, ctx, parsed);
}

/**
 * Parse a mapping render; check and strip its markers. Element id is valid when its start
 * tag was parsed, its end comment is its last child (the parser did not close it early) and
 * it lies inside the element it must be inside (nothing was moved out: foster parenting,
 * auto-closed <p>, a value with stray markup). `wrap` parses inside that element (svg).
 */
function parseMarked(html, ctx, wrap) {
  const t = document.createElement("template");
  t.innerHTML = wrap ? `<${wrap}>${html}</${wrap}>` : html;
  const content = wrap ? t.content.firstChild : t.content;
  const parsed = [];
  const ends = [];
  for (const n of content.querySelectorAll("[dj-a]")) {
    parsed[n.getAttribute("dj-a")] = n;
    n.removeAttribute("dj-a");
  }
  const walker = document.createTreeWalker(content, 128); // comments
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.data.startsWith("dj-e ")) ends[n.data.slice(5)] = n;
  }
  const valid = [];
  const marked = new Set(parsed);
  // The end comment closes el: it is el's last descendant, inside only table sections the
  // parser implied (<tbody>), so the parser did not close el before its end tag.
  const closes = (end, el) => {
    for (let n = end; n !== el; n = n.parentNode) {
      if (!n || n.nextSibling || (n !== end && (marked.has(n) || !IMPLIED.test(n.tagName)))) return false;
    }
    return true;
  };
  ctx.ids.forEach((e, id) => {
    const el = parsed[id];
    const end = ends[id];
    valid[id] =
      e.seen &&
      e.closed && // an element without its end tag here has no range to re-render
      !!el &&
      (!e.endMark || (!!end && closes(end, el))) &&
      (e.parent === null || (valid[e.parent] && parsed[e.parent].contains(el)));
  });
  for (const end of ends) {
    if (!end) continue;
    const before = end.previousSibling;
    const after = end.nextSibling;
    end.remove();
    if (before && after && before.nodeType === 3 && after.nodeType === 3) {
      before.data += after.data;
      after.remove();
    }
  }
  return { content, parsed, valid, twins: null };
}

function mapOf(dom, vals) {
  let m = dom.map.get(vals);
  if (!m) dom.map.set(vals, (m = []));
  return m;
}

/** Record the live element of every element a mapping render produced (unmapped if invalid). */
function remap(dom, ctx, { parsed, valid, twins: tw }) {
  const live = (id) => (valid[id] ? (tw && tw.get(parsed[id])) || parsed[id] : undefined);
  ctx.ids.forEach((e, id) => {
    if (e.seen) mapOf(dom, e.vals)[e.j] = live(id);
  });
  for (const [v, first] of ctx.loops) {
    const el = first >= 0 && live(first);
    if (!el) {
      dom.loops.delete(v);
      continue;
    }
    for (const item of v.i) {
      const m = dom.map.get(item);
      if (m && m[0]) dom.itemOf.set(m[0], v);
    }
    // The node before the first item places an item inserted first; unknown (undefined)
    // when it is another loop's item (that loop may grow).
    const head = el.previousSibling;
    const gap = ctx.gaps.get(v);
    dom.loops.set(v, { parent: el.parentNode, head: head && dom.itemOf.has(head) ? undefined : head, gap, n: v.i.length });
  }
}

function tryPatchDom(dom, rendered, patch) {
  try {
    return patchDom(dom, rendered, patch);
  } catch (err) {
    console.warn("djust: patching in place failed, re-rendering the view", err);
    return false;
  }
}

/** Bring the DOM up to date op by op (values are already final); false: fall back to the root. */
function patchDom(dom, rendered, patch) {
  const done = []; // elements re-rendered from the final values: ops inside them are done
  const covered = (el) => done.some((d) => d.contains(el));
  for (const op of patch.d) {
    if (op.o === OP_DELETE || op.o === OP_INSERT || op.o === OP_MOVE) {
      const r = loopOp(dom, rendered, op, covered);
      if (r) continue;
      if (r === null) return false;
    }
    const t = anchorOf(dom, rendered, op.p);
    if (!t || !dom.root.contains(t.el)) return false;
    if (covered(t.el)) continue;
    // An <option> changed alone: its <select> follows the server as a whole-select morph would.
    const select = t.el.tagName !== "SELECT" && t.el.closest("select");
    const before = select && formState(select);
    if (!(t.attr ? renderTag(rendered, t) : renderElement(dom, rendered, t))) return false;
    if (select && select !== document.activeElement && before !== formState(select)) syncFormValue(select);
    if (!t.attr) done.push(t.el);
  }
  return true;
}

/**
 * The element to re-render for slot path: the innermost mapped element whose statics hold
 * the slot (attr: the slot is in its start tag), as {el, vals, fid, j, attr}; null: the root.
 */
function anchorOf(dom, rendered, path) {
  let vals = rendered.root;
  let fid = 0;
  let best = null;
  for (let n = 0; n < path.length; n++) {
    const sid = path[n];
    const info = rendered.info[fid];
    const idx = rendered.frags[fid].d.indexOf(sid);
    const a = info.at[idx];
    const m = dom.map.get(vals) || [];
    for (let j = a.el; j >= 0; j = info.els[j].parent) {
      if (m[j]) {
        best = { el: m[j], vals, fid, j, attr: a.attr && j === a.el };
        break;
      }
    }
    if (n === path.length - 1) break;
    const v = vals[idx];
    const desc = rendered.slots[sid];
    if (desc.t === SLOT_WITH) [vals, fid] = [v.d, desc.f];
    else if (desc.t === SLOT_IF) [vals, fid] = [v.d, desc.f[v.b]];
    else if (desc.t === SLOT_LOOP && typeof path[n + 1] === "string") {
      [vals, fid] = [v.i[keyIndex(v, path[n + 1])], desc.f];
      n += 1;
    } else if (desc.t === SLOT_LOOP) [vals, fid] = [v.e, desc.e];
  }
  return best;
}

/** Re-render element t.j of its instance from the values and morph t.el into it. */
function renderElement(dom, rendered, t) {
  const e = rendered.info[t.fid].els[t.j];
  const ctx = { ids: [], loops: [], gaps: new Map() };
  const out = [];
  rendered.emit(t.fid, t.vals, out, ctx, null, e.start, e.end);
  ctx.ids[t.j].parent = null; // the target itself
  if (ctx.leaky) return false;
  const parsed = parseMarked(out.join(""), ctx, wrapOf(e));
  const next = parsed.parsed[t.j];
  // The markup must parse back to exactly this one element (a value with markup may not).
  if (!parsed.valid[t.j] || parsed.content.childNodes.length !== 1 || parsed.content.firstChild !== next) return false;
  if (next.tagName !== t.el.tagName) return false;
  twins = new Map([[next, t.el]]);
  try {
    morphNode(t.el, next);
  } finally {
    parsed.twins = twins;
    twins = null;
  }
  remap(dom, ctx, parsed);
  return true;
}

/** Re-render only the start tag of t.el (an attribute slot) and sync its attributes. */
function renderTag(rendered, t) {
  const e = rendered.info[t.fid].els[t.j];
  const out = [];
  rendered.emit(t.fid, t.vals, out, null, null, e.start, e.tagEnd);
  if (!e.void) out.push(`</${e.tag}>`);
  const wrap = wrapOf(e);
  const tpl = document.createElement("template");
  tpl.innerHTML = wrap ? `<${wrap}>${out.join("")}</${wrap}>` : out.join("");
  const content = wrap ? tpl.content.firstChild : tpl.content;
  const next = content.firstChild;
  if (content.childNodes.length !== 1 || next.tagName !== t.el.tagName) return false;
  morphNode(t.el, next, true);
  return true;
}

/** Foreign (svg, math) elements parse as such only inside their root element. */
function wrapOf(e) {
  return e.foreign && e.tag !== "svg" && e.tag !== "math" ? "svg" : null;
}

/**
 * A loop insert/delete/move on the item elements themselves (and the whitespace text
 * between items, gap). true: done; false: use the loop's anchor instead; null: the root.
 */
function loopOp(dom, rendered, op, covered) {
  const [holder, index] = rendered.locate(rendered.root, 0, op.p);
  const v = holder[index];
  const rec = dom.loops.get(v);
  if (!rec || !dom.root.contains(rec.parent)) return false;
  if (covered(rec.parent)) return true;
  const elOf = (item) => {
    const m = item && dom.map.get(item);
    const el = m && m[0];
    return el && el.parentNode === rec.parent ? el : null;
  };
  const item = op.o === OP_DELETE ? rendered.removed && rendered.removed.get(op) : v.i[keyIndex(v, op.k)];
  let el = op.o === OP_INSERT ? null : elOf(item);
  let prev = null;
  if (op.o !== OP_DELETE) {
    if (op.a !== null && op.a !== undefined) {
      prev = elOf(v.i[keyIndex(v, op.a)]);
      if (!prev) return false;
    } else if (rec.head === undefined || (rec.head && rec.head.parentNode !== rec.parent)) return false;
  }
  if (op.o !== OP_INSERT) {
    if (!el || !takeOut(dom, rec, v, el)) return false;
    if (op.o === OP_DELETE) return true;
  } else {
    if (rec.gap && !rec.n) return false; // the gap text would have to be split
    const fid = rendered.slots[op.p[op.p.length - 1]].f;
    const ctx = { ids: [], loops: [], gaps: new Map() };
    const out = [];
    rendered.emit(fid, item, out, ctx, null);
    if (ctx.leaky) return null;
    const parsed = parseMarked(out.join("").replace(/^[ \t\n\f\r]+|[ \t\n\f\r]+$/g, ""), ctx, wrapOf(rendered.info[fid].els[0]));
    el = parsed.parsed[0];
    if (!parsed.valid[0] || parsed.content.childNodes.length !== 1 || parsed.content.firstChild !== el) return false;
    remap(dom, ctx, parsed);
    dom.itemOf.set(el, v);
  }
  // ... A gap B  ->  ... A gap K gap B (after A), or head K gap F (first).
  const nodes = rec.gap ? [el, document.createTextNode(rec.gap)] : [el];
  if (prev) prev.after(...nodes.reverse());
  else if (rec.head) rec.head.after(...nodes);
  else rec.parent.prepend(...nodes);
  rec.n += 1;
  return true;
}

/** Remove item element el and one gap next to it (the one between it and another item). */
function takeOut(dom, rec, v, el) {
  if (rec.gap) {
    const isGap = (t) => t && t.nodeType === 3 && t.data === rec.gap;
    const next = el.nextSibling;
    const before = el.previousSibling;
    if (isGap(next) && dom.itemOf.get(next.nextSibling) === v) next.remove();
    else if (isGap(before) && dom.itemOf.get(before.previousSibling) === v) before.remove();
    else return false;
  }
  el.remove();
  rec.n -= 1;
  return true;
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
    if (this.rendered) mountDom(this.root, this.rendered);
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
    if (this.root.getAttribute("dj-rendered") !== "") this.root.setAttribute("dj-rendered", "");
    updateDom(this.root, this.rendered, patch);
    this.syncHooks(false);
  }

  patch(html) {
    // The page no longer is the HTTP render: a rejoin must get the full state back.
    this.root.setAttribute("dj-rendered", "");
    if (this.rendered) this.rendered.dom = null; // the DOM mapping no longer holds
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
