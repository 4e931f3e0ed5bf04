// Isomorphic suite: the loader accepts the embedded module, bytes and a compiled module, keeps
// one shared instance, and rejects modules that are not the core.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getCore, loadCore } from "../../src/core/core.js";
import { DType } from "../../src/core/dtype.js";
import { isTfDataError } from "../../src/core/errors.js";
import { base64ToBytes } from "../../src/core/wasm-source.js";
import { coreWasmBase64 } from "../../src/gen/core-wasm.js";

const ld = suite("core loading");

ld("getCore() returns one shared instance", async () => {
  const [a, b] = await Promise.all([getCore(), getCore()]);
  assert.ok(a === b);
  assert.is(a.broken, null);
});

ld("loadCore accepts bytes, an ArrayBuffer and a WebAssembly.Module; instances are independent", async () => {
  const bytes = base64ToBytes(coreWasmBase64);
  assert.ok(WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>));
  const sources = [bytes, bytes.buffer.slice(0), await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>)];
  const cores = await Promise.all(sources.map((s) => loadCore(s as BufferSource)));
  const iters = cores.map((c) => c.createIterator({ op: "range", start: 0n, stop: 3n, step: 1n, dtype: DType.int32 }));
  iters[0].next();
  assert.equal(iters.map((it) => it.next()![0].toJS()), [1, 0, 0]);
  assert.ok(cores[0] !== (await getCore()));
});

ld("a module that is not the core is refused", async () => {
  try {
    await loadCore(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    assert.unreachable("an empty module was accepted");
  } catch (e) {
    assert.ok(isTfDataError(e, "FailedPrecondition"), String(e));
  }
});

ld.run();
