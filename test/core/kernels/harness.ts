/**
 * Test harness for the tensor kernels: runs one `FunctionPlan` on given input tensors through the
 * core's `runFunction` export (assembly/kernels/run-function.ts), on a private core instance.
 */
import { Core } from "../../../src/core/core.js";
import { TfDataError, codeFromGrpc } from "../../../src/core/errors.js";
import type { DatasetPlan, FunctionPlan } from "../../../src/core/plan.js";
import { encodePlan } from "../../../src/core/plan-codec.js";
import type { Tensor } from "../../../src/core/tensor.js";
import { compileCore } from "../../../src/core/wasm-source.js";

interface Exports {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  free(p: number): void;
  descriptor(): number;
  errorPtr(): number;
  errorLen(): number;
  runFunction(planPtr: number, planLen: number, argsPtr: number, argsLen: number): number;
}

/** Runs functions on tensors in one wasm core instance. */
export interface KernelRunner {
  run(fn: FunctionPlan, args: readonly Tensor[]): Tensor[];
}

let shared: Promise<KernelRunner> | null = null;

/** The process-wide runner (one core instance). */
export function kernelRunner(): Promise<KernelRunner> {
  shared ??= makeRunner();
  return shared;
}

async function makeRunner(): Promise<KernelRunner> {
  const module = await compileCore();
  let x!: Exports;
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(): never {
        throw new Error("the wasm core aborted");
      },
    },
  });
  x = instance.exports as unknown as Exports;
  const core = new Core(instance);
  const put = (bytes: Uint8Array): number => {
    const p = x.alloc(Math.max(1, bytes.length)) >>> 0;
    new Uint8Array(x.memory.buffer, p, bytes.length).set(bytes);
    return p;
  };
  return {
    run(fn, args) {
      const plan = encodePlan({ op: "function", fn } as unknown as DatasetPlan);
      const argBytes = core.encodeElement(args, "uncompressed");
      const pp = put(plan);
      const ap = put(argBytes);
      const st = x.runFunction(pp, plan.length, ap, argBytes.length);
      x.free(pp);
      x.free(ap);
      if (st !== 0) {
        const msg = new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.errorPtr() >>> 0, x.errorLen()));
        throw new TfDataError(codeFromGrpc(st), msg);
      }
      const w = new Uint32Array(x.memory.buffer);
      const d = (x.descriptor() >>> 0) >>> 2;
      const ptr = w[d + 1], len = w[d + 2];
      const bytes = new Uint8Array(x.memory.buffer.slice(ptr, ptr + len));
      return core.decodeElement("uncompressed", bytes);
    },
  };
}
