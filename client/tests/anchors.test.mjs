// The statics tokenizer (scan) and the per-join analysis (analyze) behind updateDom's
// O(changed) path: which element each slot lives in, on tricky markup.
// Run: node --test client/tests/
import assert from "node:assert/strict";
import { test } from "node:test";

import { Rendered, analyze, scan } from "../djust.js";

/** Slot anchors as [tag or "container", attr] for readable assertions. */
function anchors(statics) {
  const r = scan(statics);
  return { ok: r.ok, at: r.at.map((a) => [a.el < 0 ? "container" : r.els[a.el].tag, a.attr]), r };
}

test("text and attribute slots anchor to their element", () => {
  const { ok, at } = anchors(['<div class="', '"><span>', "</span>", "</div>"]);
  assert.ok(ok);
  assert.deepEqual(at, [
    ["div", true],
    ["span", false],
    ["div", false],
  ]);
});

test("a '>' inside a quoted attribute does not end the tag", () => {
  const { ok, at, r } = anchors(['<a title="a > b" href="', '">x ', "</a>"]);
  assert.ok(ok);
  assert.deepEqual(at, [
    ["a", true],
    ["a", false],
  ]);
  assert.deepEqual(r.els[0].tagEnd, [1, 2]);
  const single = anchors(["<a title='>' data-x=", ">", "</a>"]);
  assert.deepEqual(single.at, [
    ["a", true],
    ["a", false],
  ]);
});

test("comments, void elements and self-closing svg do not open elements", () => {
  const { ok, at, r } = anchors([
    "<p><!-- <div> --><br><img src=x><input value='",
    "'><svg><circle r='1'/><path/></svg>",
    "</p>",
  ]);
  assert.ok(ok);
  assert.deepEqual(at, [
    ["input", true],
    ["p", false],
  ]);
  assert.deepEqual(
    r.els.map((e) => [e.tag, e.parent, !!e.void]),
    [
      ["p", -1, false],
      ["br", 0, true],
      ["img", 0, true],
      ["input", 0, true],
      ["svg", 0, false],
      ["circle", 4, true],
      ["path", 4, true],
    ],
  );
  // Outside svg "/>" does not close: the div stays open until </div>.
  const div = scan(["<div/><b>", "</b></div>"]);
  assert.ok(div.ok);
  assert.equal(div.els[1].parent, 0);
});

test("script, style and textarea content is raw text", () => {
  const { ok, at, r } = anchors(['<script>if (a < b) { s = "</div>"; } x = ', ";</script><textarea>", "</textarea>"]);
  assert.ok(ok);
  assert.deepEqual(at, [
    ["script", false],
    ["textarea", false],
  ]);
  assert.equal(r.els.length, 2);
  assert.equal(r.els[0].endMark, false); // no end marker inside raw text
  assert.ok(scan(["<style>p > a { color: red }", "</style>"]).ok);
});

test("implied end tags leave elements unclosed, stray end tags are not understood", () => {
  const r = scan(["<ul><li>", "<li>", "</ul>"]);
  assert.ok(r.ok);
  assert.deepEqual(
    r.els.map((e) => [e.tag, !!e.end]),
    [
      ["ul", true],
      ["li", false],
      ["li", false],
    ],
  );
  assert.equal(scan(["<div>", "</span></div>"]).ok, false);
  assert.equal(scan(["</div>"]).ok, false);
  assert.equal(scan(["<di", "v>"]).ok, false); // a slot in a tag name
  assert.equal(scan(["a <", ""]).ok, false); // "<" then a slot
});

test("fragments start in the state of the slot that holds them", () => {
  // {% if on %}on{% endif %} inside class="...": the branch is attribute text.
  const join = {
    v: 1,
    f: [
      { s: ['<div class="x ', '">', "</div>"], d: [0, 1] },
      { s: ["on"], d: [] },
      { s: ['<b title="', '">', "</b>"], d: [2, 3] },
      { s: ["x <i>", "</i>"], d: [4] },
    ],
    s: [{ t: "i", f: [1] }, { t: "l", f: 2, e: null }, { t: "t" }, { t: "w", f: 3 }, { t: "t" }],
    r: [{ b: 0, d: [] }, { k: [], i: [] }],
  };
  const info = analyze(join.f, join.s);
  assert.ok(info);
  assert.deepEqual(info[0].at, [
    { el: 0, attr: true },
    { el: 0, attr: false },
  ]);
  assert.equal(info[1].els.length, 0);
  assert.equal(info[2].gap, "", "a loop body that is one element");
  assert.equal(info[3].gap, null, "text around the element");
  // A branch that closes the start tag it began in is not understood.
  const bad = structuredClone(join);
  bad.f[1].s = ['on">'];
  assert.equal(analyze(bad.f, bad.s), null);
});

test("text slots directly in a table anchor outside it (the parser moves such text)", () => {
  const info = analyze([{ s: ["<div><table>", "<tr><td>", "</td></tr></table></div>"], d: [0, 1] }], [{ t: "t" }, { t: "t" }]);
  assert.ok(info);
  assert.deepEqual(info[0].at, [
    { el: 0, attr: false },
    { el: 3, attr: false },
  ]);
});

test("a mapping render is the plain render plus markers", () => {
  const join = {
    v: 1,
    f: [
      { s: ["<table>", "</table><p>", "</p>"], d: [2, 3] },
      { s: ['<tr dj-key="', '"><td>', "</td></tr>"], d: [0, 1] },
    ],
    s: [{ t: "t" }, { t: "t" }, { t: "l", f: 1, e: null }, { t: "t" }],
    r: [{ k: ["1", "2"], i: [["1", "a"], ["2", "b"]] }, "n"],
  };
  const r = new Rendered(join);
  const ctx = { ids: [], loops: [], gaps: new Map() };
  const out = [];
  r.emit(0, r.root, out, ctx, null);
  const html = out.join("");
  assert.equal(html.replace(/ dj-a="\d+"|<!--dj-e \d+-->/g, ""), r.html());
  assert.match(html, /^<table dj-a="0"><tr dj-a="2" dj-key="1"><td dj-a="3">a<!--dj-e 3--><\/td><!--dj-e 2--><\/tr>/);
  assert.equal(ctx.ids[2].parent, 0, "an item's element must be inside the loop's anchor");
  assert.deepEqual(ctx.loops, [[r.root[0], 2]]);
});

test("loop bodies with whitespace around one element keep the gap between items", () => {
  const frags = [
    { s: ["<ul>", "</ul>"], d: [1] },
    { s: ['\n  <li dj-key="', '">', "</li>\n"], d: [0, 0] },
  ];
  const info = analyze(frags, [{ t: "t" }, { t: "l", f: 1, e: null }]);
  assert.equal(info[1].gap, "\n\n  ");
  frags[1].s[2] = "</li>, ";
  assert.equal(analyze(frags, [{ t: "t" }, { t: "l", f: 1, e: null }])[1].gap, null);
});
