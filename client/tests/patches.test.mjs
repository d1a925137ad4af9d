// The patch applier against the shared fixtures (client/fixtures/patches, written by
// vdom/tests/live_fixtures.rs): join render == old_html, and after the patch == new_html.
// Run: node --test client/tests/
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { PATCH_VERSION, Rendered, backoff, parseModel } from "../djust.js";

const dir = new URL("../fixtures/patches/", import.meta.url);
const fixtures = readdirSync(dir).filter((f) => f.endsWith(".json"));

test("there are fixtures", () => assert.ok(fixtures.length > 0));

for (const name of fixtures) {
  test(`fixture ${name}`, () => {
    const fx = JSON.parse(readFileSync(new URL(name, dir), "utf8"));
    const rendered = new Rendered(structuredClone(fx.join));
    assert.equal(rendered.html(), fx.old_html);
    rendered.apply(fx.patch);
    assert.equal(rendered.html(), fx.new_html);
  });
}

test("a patch of another version is refused", () => {
  const fx = JSON.parse(readFileSync(new URL(fixtures[0], dir), "utf8"));
  const rendered = new Rendered(structuredClone(fx.join));
  assert.throws(() => rendered.apply({ ...fx.patch, v: PATCH_VERSION + 1 }), /patch format/);
  assert.throws(() => new Rendered({ ...fx.join, v: 99 }), /patch format/);
});

test("a malformed op throws instead of corrupting silently", () => {
  const fx = JSON.parse(readFileSync(new URL("list_reverse.json", dir), "utf8"));
  const rendered = new Rendered(structuredClone(fx.join));
  assert.throws(() => rendered.apply({ v: 1, d: [{ o: "d", p: [2], k: "nope" }] }), /no key/);
  assert.throws(() => rendered.apply({ v: 1, d: [{ o: "s", p: [99], v: "x" }] }), /no slot/);
});

test("dj-model modifiers", () => {
  assert.deepEqual(parseModel("q"), { field: "q", lazy: false, debounce: 0 });
  assert.deepEqual(parseModel("q.lazy"), { field: "q", lazy: true, debounce: 0 });
  assert.deepEqual(parseModel("q.debounce-300"), { field: "q", lazy: false, debounce: 300 });
});

test("backoff grows, is jittered, and is capped", () => {
  for (let n = 0; n < 20; n++) {
    const d = backoff(n);
    assert.ok(d >= 75 && d <= 7500, `attempt ${n}: ${d}`);
  }
  assert.ok(backoff(10) > backoff(0));
});
