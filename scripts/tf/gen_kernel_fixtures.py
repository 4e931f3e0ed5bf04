#!/usr/bin/env python3
"""Golden cases for the tensor kernels, computed by real TensorFlow 2.21 (the oracle).

Usage: gen_kernel_fixtures.py [OUT_DIR]   (default test/fixtures/kernels)

Every case is one op run eagerly (`tf.raw_ops.<Op>`, the same CPU kernels a tf.data function
runs) on given inputs: edge values (NaN, +-inf, -0.0, integer limits, empty tensors),
broadcasting of ranks 0-4, every dtype TF registers a CPU kernel for, and the errors TF raises.
Output: one JSON file per op family, each {"cases": [...]}; a case is
  {"op": str, "attrs": [[name, kind, value]...], "inputs": [tensor...],
   "outputs": [tensor...] | "error": {"code": str, "message": str}, "note": str}
where kind is type|int|bool|string|list_int and a tensor is
  {"dtype": int, "shape": [int], "b64": raw little-endian bytes}   (numbers, bool; 16-bit floats as bits)
  {"dtype": 7, "shape": [int], "strings": [base64...]}
  {"dtype": int, "shape": [int], "lcg": {"seed": int, "scale": float}}  (big inputs, regenerated
      by the test: x <- (1664525 x + 1013904223) mod 2^32, value = (x / 2^32 - 0.5) * scale,
      rounded to float32 first, then to the dtype)
Tensors are stored once per file in "tensors" and referenced as {"ref": index}. A case with
"expand": "cross" stores two value lists a, b; the op's inputs are every pair (a[i], b[j]) in
row-major order (a repeated, b tiled).
"""
import base64
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

F32, F64, F16, BF16 = tf.float32, tf.float64, tf.float16, tf.bfloat16
I8, I16, I32, I64 = tf.int8, tf.int16, tf.int32, tf.int64
U8, U16, U32, U64 = tf.uint8, tf.uint16, tf.uint32, tf.uint64
BOOL, STR = tf.bool, tf.string
FLOATS = [F32, F64, F16, BF16]
SINTS = [I8, I16, I32, I64]
UINTS = [U8, U16, U32, U64]
REAL = FLOATS + SINTS + UINTS
ANY = REAL + [BOOL, STR]


def b64(b):
    return base64.b64encode(bytes(b)).decode("ascii")


# ---- tensors ----

def make(values, dtype, shape=None):
    """A tf tensor of `dtype` from python values (bf16 through float32)."""
    if dtype == STR:
        arr = np.array(values, dtype=object)
        flat = [v if isinstance(v, bytes) else str(v).encode() for v in arr.reshape(-1)]
        t = tf.reshape(tf.constant(flat, STR), arr.shape if shape is None else shape)
        return t
    if dtype == BF16:
        t = tf.cast(tf.constant(np.array(values, np.float32)), BF16)
    elif dtype == BOOL:
        t = tf.constant(np.array(values, bool))
    elif dtype.is_integer and not isinstance(values, np.ndarray):
        # Python ints straight to the dtype (a mixed list would go through float64 and lose bits).
        t = tf.constant(np.array(values, dtype=dtype.as_numpy_dtype))
    else:
        t = tf.constant(np.array(values).astype(dtype.as_numpy_dtype))
    return tf.reshape(t, shape) if shape is not None else t


def lcg_values(seed, n, scale):
    x = seed & 0xffffffff
    out = np.empty(n, np.float64)
    for i in range(n):
        x = (1664525 * x + 1013904223) & 0xffffffff
        out[i] = (x / 4294967296.0 - 0.5) * scale
    return out


LCG = {}  # id(tensor) -> (tensor, info): tensors written as generator parameters


def make_lcg(dtype, shape, seed, scale):
    n = int(np.prod(shape)) if shape else 1
    v = lcg_values(seed, n, scale).astype(np.float32)
    t = tf.cast(tf.constant(v.reshape(shape)), dtype)
    LCG[id(t)] = (t, {"seed": seed, "scale": scale})
    return t


def enc(t):
    t = tf.convert_to_tensor(t)
    d = t.dtype
    out = {"dtype": d.as_datatype_enum, "shape": [int(x) for x in t.shape]}
    if id(t) in LCG and LCG[id(t)][0] is t:
        out["lcg"] = LCG[id(t)][1]
        return out
    if d == STR:
        out["strings"] = [b64(s) for s in np.array(t.numpy(), dtype=object).reshape(-1)]
        return out
    if d in (BF16, F16):
        raw = tf.bitcast(t, U16).numpy()
    else:
        raw = t.numpy()
    out["b64"] = b64(np.ascontiguousarray(raw).tobytes())
    return out


# ---- attrs ----

def attr_list(attrs):
    out = []
    for name, v in attrs.items():
        if isinstance(v, tf.dtypes.DType):
            out.append([name, "type", v.as_datatype_enum])
        elif isinstance(v, bool):
            out.append([name, "bool", v])
        elif isinstance(v, int):
            out.append([name, "int", v])
        elif isinstance(v, str):
            out.append([name, "string", v])
        elif isinstance(v, (list, tuple)):
            out.append([name, "list_int", [int(x) for x in v]])
        else:
            raise TypeError(f"attr {name}: {v!r}")
    return out


CODES = {
    tf.errors.InvalidArgumentError: "InvalidArgument",
    tf.errors.UnimplementedError: "Unimplemented",
    tf.errors.NotFoundError: "NotFound",
    tf.errors.OutOfRangeError: "OutOfRange",
    tf.errors.InternalError: "Internal",
    tf.errors.ResourceExhaustedError: "ResourceExhausted",
    tf.errors.FailedPreconditionError: "FailedPrecondition",
}


def clean_message(msg):
    msg = msg.split("\n")[0] if msg.startswith("Could not find device") else msg
    if msg.startswith("{{function_node"):
        msg = msg[msg.index("}}") + 2:].lstrip()
    for marker in (" [Op:",):
        i = msg.rfind(marker)
        if i >= 0:
            msg = msg[:i]
    return msg.strip()


def raw_bits(t):
    t = tf.convert_to_tensor(t)
    if t.dtype in (BF16, F16):
        return tf.bitcast(t, U16).numpy().reshape(-1)
    if t.dtype == STR:
        return np.array(t.numpy(), dtype=object).reshape(-1)
    return t.numpy().reshape(-1)


def scalar_diffs(op, inputs, attrs, vector_out):
    """Runs the op once per element on rank-0 operands (TF's scalar path); returns the elements
    whose result differs from the vector run, as {index: raw little-endian bytes, base64}."""
    flat = [(name, v) for name, v in inputs if not isinstance(v, list)]
    if any(tf.convert_to_tensor(v).shape.rank != 1 for _, v in flat):
        return None
    n = int(tf.convert_to_tensor(flat[0][1]).shape[0])
    want = raw_bits(vector_out)
    diffs = {}
    for i in range(n):
        kw = {name: tf.convert_to_tensor(v)[i] for name, v in flat}
        kw.update(attrs)
        try:
            r = getattr(tf.raw_ops, op)(**kw)
        except tf.errors.OpError:
            continue
        got = raw_bits(r)
        if got.tobytes() != want[i:i + 1].tobytes():
            diffs[str(i)] = b64(np.ascontiguousarray(got).tobytes())
    return diffs


class Family:
    def __init__(self, name):
        self.name = name
        self.cases = []

    def case(self, op, inputs, note="", expand=None, scalars=False, **attrs):
        """Runs tf.raw_ops.<op>; `inputs` is a list of (arg name, tensor or list of tensors)."""
        kwargs = dict(inputs)
        for k, v in attrs.items():
            kwargs[k] = v
        flat = []
        for _, v in inputs:
            if isinstance(v, list):
                flat.extend(v)
            else:
                flat.append(v)
        c = {"op": op, "attrs": attr_list(self.node_attrs(op, inputs, attrs)), "inputs": [enc(t) for t in flat]}
        if expand is not None:
            # Inputs stored as the two value lists; the test expands them as `cross` does.
            c["inputs"] = [enc(t) for t in expand]
            c["expand"] = "cross"
        if note:
            c["note"] = note
        try:
            res = getattr(tf.raw_ops, op)(**kwargs)
            res = res if isinstance(res, (list, tuple)) else [res]
            c["outputs"] = [enc(r) for r in res]
            if scalars:
                diffs = scalar_diffs(op, inputs, attrs, res[0])
                if diffs is not None:
                    c["scalar_diffs"] = diffs
        except tf.errors.OpError as e:
            c["error"] = {"code": CODES.get(type(e), type(e).__name__), "message": clean_message(e.message)}
        except (TypeError, ValueError) as e:
            print(f"  skipped {op} {note}: {type(e).__name__}: {str(e)[:120]}", file=sys.stderr)
            return
        self.cases.append(c)

    @staticmethod
    def node_attrs(op, inputs, attrs):
        """The NodeDef attrs TF records for the op (type attrs inferred from the inputs)."""
        a = dict(attrs)
        types = {name: (v[0].dtype if isinstance(v, list) else tf.convert_to_tensor(v).dtype) for name, v in inputs}
        n = {name: len(v) for name, v in inputs if isinstance(v, list)}
        spec = TYPE_ATTRS.get(op, {})
        for arg, attr in spec.items():
            if arg in types and attr not in a:
                a[attr] = types[arg]
        if op in ("Pack", "ConcatV2"):
            a["N"] = n["values"]
        if op == "Squeeze" and "axis" in a:
            a["squeeze_dims"] = a.pop("axis")
        return a


# Which input arg carries each op's type attr(s).
TYPE_ATTRS = {}
for _op in ["AddV2", "Add", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Pow", "Maximum", "Minimum", "Equal",
            "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual"]:
    TYPE_ATTRS[_op] = {"x": "T"}
for _op in ["Neg", "Abs", "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Round", "Floor", "Ceil", "Sign", "ZerosLike", "OnesLike"]:
    TYPE_ATTRS[_op] = {"x": "T"}
TYPE_ATTRS.update({
    "Cast": {"x": "SrcT"},
    "SelectV2": {"t": "T"}, "Select": {"x": "T"},
    "ClipByValue": {"t": "T"},
    "Reshape": {"tensor": "T", "shape": "Tshape"},
    "ExpandDims": {"input": "T", "axis": "Tdim"},
    "Squeeze": {"input": "T"},
    "Shape": {"input": "T"}, "Size": {"input": "T"}, "Rank": {"input": "T"},
    "Fill": {"dims": "index_type", "value": "T"},
    "Pack": {"values": "T"},
    "ConcatV2": {"values": "T", "axis": "Tidx"},
    "Slice": {"input": "T", "begin": "Index"},
    "StridedSlice": {"input": "T", "begin": "Index"},
    "GatherV2": {"params": "Tparams", "indices": "Tindices", "axis": "Taxis"},
    "Transpose": {"x": "T", "perm": "Tperm"},
    "Tile": {"input": "T", "multiples": "Tmultiples"},
    "Range": {"start": "Tidx"},
    "Sum": {"input": "T", "axis": "Tidx"}, "Mean": {"input": "T", "axis": "Tidx"}, "Prod": {"input": "T", "axis": "Tidx"},
    "Max": {"input": "T", "axis": "Tidx"}, "Min": {"input": "T", "axis": "Tidx"},
    "All": {"axis": "Tidx"}, "Any": {"axis": "Tidx"},
    "ArgMax": {"input": "T", "dimension": "Tidx"}, "ArgMin": {"input": "T", "dimension": "Tidx"},
    "OneHot": {"indices": "TI", "on_value": "T"},
    "AsString": {"input": "T"},
})

# ---- value patterns ----


def float_values(d):
    big = {F16: 60000.0, BF16: 3.0e38, F32: 3.0e38, F64: 1.0e300}[d]
    tiny = {F16: 6e-8, BF16: 1e-39, F32: 1e-45, F64: 5e-324}[d]
    return [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 1e-3, -7.0, big, -big, tiny,
            float("inf"), float("-inf"), float("nan")]


def int_values(d):
    info = np.iinfo(d.as_numpy_dtype)
    vals = [0, 1, 2, 3, 7, 100, info.max, info.max - 1]
    if info.min < 0:
        vals += [-1, -3, -7, -100, info.min, info.min + 1]
    else:
        vals += [info.max // 2, info.max // 2 + 1]
    return vals


def values_for(d):
    if d in FLOATS:
        return float_values(d)
    if d == BOOL:
        return [True, False]
    if d == STR:
        return ["", "a", "abc", "hello world", "\u00fc\u00df", "a\x00b", "A"]
    return int_values(d)


def cross(vals_a, vals_b):
    a, b = [], []
    for x in vals_a:
        for y in vals_b:
            a.append(x)
            b.append(y)
    return a, b


# ---- families ----

BINARY_TYPES = {
    "AddV2": REAL, "Sub": REAL, "Mul": REAL, "Div": REAL, "RealDiv": FLOATS, "FloorDiv": REAL, "FloorMod": REAL,
    "Pow": FLOATS + SINTS, "Maximum": REAL, "Minimum": REAL, "Less": REAL, "LessEqual": REAL, "Greater": REAL,
    "GreaterEqual": REAL, "Equal": REAL + [BOOL, STR], "NotEqual": REAL + [BOOL, STR],
    "Add": [F32, F64, F16, BF16, I8, I16, I32, I64, U8, STR],
}

BCAST_SHAPES = [([2, 3], [3]), ([2, 1, 3], [4, 1]), ([], [2, 2]), ([3, 1], [1, 4]), ([2, 1, 3, 1], [1, 2, 1, 2]),
                ([0, 3], [3]), ([2, 0], [1]), ([1], []), ([4, 1, 1], [1, 3, 2]), ([2, 3], [2, 3])]


def patterned(d, shape, offset=0):
    vals = [v for v in values_for(d) if not (isinstance(v, float) and (v != v or abs(v) == float("inf")))]
    n = int(np.prod(shape)) if shape else 1
    return make([vals[(i * 3 + offset) % len(vals)] for i in range(n)], d, shape)


def binary_family():
    f = Family("binary")
    for op, types in BINARY_TYPES.items():
        for d in types:
            va = values_for(d)
            vb = values_for(d)
            if op in ("Div", "FloorDiv", "FloorMod") and d not in FLOATS:
                vb = [v for v in vb if v != 0]
            if op == "Pow" and d not in FLOATS:
                va = [v for v in va if abs(v) < 2 ** 20] + [va[-1]]
                vb = [0, 1, 2, 3, 5, 7, 31, 62, 63]
            if op == "Pow" and d in FLOATS:
                vb = vb + [0.25, -3.0, 3.0, 10.0]
            a, b = cross(va, vb)
            f.case(op, [("x", make(a, d)), ("y", make(b, d))], note="cross", expand=[make(va, d), make(vb, d)],
                   scalars=d != STR)
            if d in (F32, I32, STR) or op == "AddV2":
                for sa, sb in BCAST_SHAPES:
                    x, y = patterned(d, sa), patterned(d, sb, 1)
                    if op in ("Div", "FloorDiv", "FloorMod") and d not in FLOATS:
                        y = make(np.where(np.array(y.numpy()) == 0, 3, y.numpy()), d)
                    if op == "Pow" and d not in FLOATS:
                        y = make(np.abs(np.array(y.numpy(), np.int64)) % 5, d, sb)
                    f.case(op, [("x", x), ("y", y)], note=f"broadcast {sa} {sb}")
                    f.case(op, [("x", y), ("y", x)], note=f"broadcast {sb} {sa}")
            if d in (F32, I64):
                f.case(op, [("x", patterned(d, [2, 3])), ("y", patterned(d, [4]))], note="incompatible")
        # Python's `==` emits Equal with incompatible_shape_error=False.
    for op in ("Equal", "NotEqual"):
        for d in (F32, STR):
            f.case(op, [("x", patterned(d, [2, 3])), ("y", patterned(d, [4]))], incompatible_shape_error=False,
                   note="incompatible, scalar answer")
            f.case(op, [("x", patterned(d, [2, 3])), ("y", patterned(d, [3]))], incompatible_shape_error=False)
    for op in ("Div", "FloorDiv", "FloorMod"):
        for d in (I32, I64, U8, I8, U64):
            f.case(op, [("x", make([1, 2, 3], d)), ("y", make([1, 0, 3], d))], note="division by zero")
    f.case("Pow", [("x", make([2, 3], I32)), ("y", make([1, -1], I32))], note="negative power")
    # Signed zeros: Eigen's packet path (first floor(n/8)*8 outputs) and scalar tail differ.
    for d in (F32, F64, F16, BF16):
        for op in ("Maximum", "Minimum"):
            a = [-0.0, 0.0] * 9 + [-0.0]
            b = [0.0, -0.0] * 9 + [0.0]
            f.case(op, [("x", make(a, d)), ("y", make(b, d))], note="signed zeros")
            f.case(op, [("x", make(a, d)), ("y", make(0.0, d))], note="signed zeros vs scalar")
            f.case(op, [("x", make(-0.0, d)), ("y", make(b, d))], note="scalar vs signed zeros")
            f.case(op, [("x", make(a, d, [19, 1])), ("y", make([0.0, -0.0], d))], note="signed zeros broadcast")
    for op in ("LogicalAnd", "LogicalOr"):
        a, b = cross([True, False], [True, False])
        f.case(op, [("x", make(a, BOOL)), ("y", make(b, BOOL))])
        f.case(op, [("x", make([[True], [False]], BOOL)), ("y", make([True, False, True], BOOL))])
        f.case(op, [("x", make([True, False], BOOL)), ("y", make([True, False, True], BOOL))], note="incompatible")
    # Bigger operands (packet paths, rows) for the benchmark-style ops.
    for d in (F32, F64):
        f.case("Mul", [("x", make_lcg(d, [37, 11], 1, 100.0)), ("y", make_lcg(d, [11], 2, 3.0))])
        f.case("AddV2", [("x", make_lcg(d, [3, 5, 7, 2], 3, 100.0)), ("y", make_lcg(d, [5, 1, 2], 4, 3.0))])
        f.case("RealDiv", [("x", make_lcg(d, [100], 5, 255.0)), ("y", make(255.0, d))])
    return f


UNARY_TYPES = {
    "Neg": FLOATS + SINTS, "Abs": FLOATS + SINTS, "Sign": FLOATS + SINTS, "Square": REAL, "Sqrt": FLOATS,
    "Rsqrt": FLOATS, "Exp": FLOATS, "Log": FLOATS, "Floor": FLOATS, "Ceil": FLOATS, "Round": FLOATS + [I32, I64],
}


def unary_family():
    f = Family("unary")
    for op, types in UNARY_TYPES.items():
        for d in types:
            vals = values_for(d)
            if d in FLOATS:
                extra = [0.49999997, 1.5000001, -2.5, 4.5, 5.5, -0.25, 88.5, -100.0, 1e-30, 700.0, -745.0, 2.0, 10.0,
                         0.1, 0.7, 3.14159, -1e-7, 1e10]
                vals = vals + extra
            f.case(op, [("x", make(vals, d))], scalars=True)
            f.case(op, [("x", make(vals[:6], d, [2, 3]))], note="rank 2")
            f.case(op, [("x", make([], d, [0]))], note="empty")
            f.case(op, [("x", make(vals[2], d))], note="scalar")
        if op in ("Exp", "Log", "Sqrt", "Rsqrt"):
            for d in (F32, F64):
                scale = 20.0 if op == "Exp" else 1000.0
                x = make_lcg(d, [300], 11, scale)
                if op != "Exp":
                    x = make_lcg(d, [300], 11, scale)
                    x = tf.abs(x)
                f.case(op, [("x", x)], note="many values")
    f.case("LogicalNot", [("x", make([True, False], BOOL))])
    return f


def cast_family():
    f = Family("cast")
    types = REAL + [BOOL]
    for s in types:
        vals = values_for(s)
        if s in FLOATS:
            vals = vals + [300.0, -300.0, 70000.0, 3e9, -3e9, 5e9, 1e19, 3e19, -3e19, 2.7, -2.7, 255.9, 127.9, 65519.0,
                           65520.0, 1.0009765625, 1.00048828125]
        src = make(vals, s)
        for d in types:
            f.case("Cast", [("x", src)], DstT=d, Truncate=False, scalars=True)
            if s in FLOATS and d in FLOATS and s != d:
                f.case("Cast", [("x", src)], DstT=d, Truncate=True, note="truncate")
    big = make([2 ** 24 + 1, 2 ** 53 + 1, -(2 ** 63), 2 ** 63 - 1, 65519, 65520, 2049, 100000], I64)
    for d in FLOATS:
        f.case("Cast", [("x", big)], DstT=d, Truncate=False, note="int64 rounding")
    u = make([2 ** 64 - 1, 2 ** 63, 2 ** 53 + 1, 12345678901234567], U64)
    for d in FLOATS:
        f.case("Cast", [("x", u)], DstT=d, Truncate=False, note="uint64 rounding")
    dd = make([1 + 2 ** -24 + 2 ** -40, 1.00048828125 + 1e-12, 65519.99, 1e-310, 3.5e38], F64)
    for d in (F32, F16, BF16):
        f.case("Cast", [("x", dd)], DstT=d, Truncate=False, note="double rounding")
    for s, d in ((STR, F32), (F32, STR), (BOOL, STR)):
        f.case("Cast", [("x", make(["1"] if s == STR else [1], s))], DstT=d, Truncate=False, note="unsupported")
    return f


def select_family():
    f = Family("select")
    for d in ANY:
        c = make([True, False, True, False, False, True], BOOL, [2, 3])
        f.case("SelectV2", [("condition", c), ("t", patterned(d, [2, 3])), ("e", patterned(d, [2, 3], 2))])
        f.case("SelectV2", [("condition", make([True, False, True], BOOL)), ("t", patterned(d, [2, 3])), ("e", patterned(d, [], 1))])
        f.case("SelectV2", [("condition", make([[True], [False]], BOOL)), ("t", patterned(d, [3])), ("e", patterned(d, [2, 1], 1))])
        f.case("Select", [("condition", make([True, False], BOOL)), ("x", patterned(d, [2, 3])), ("y", patterned(d, [2, 3], 1))])
    f.case("SelectV2", [("condition", make([True, False], BOOL)), ("t", make([1.0, 2.0, 3.0], F32)), ("e", make([1.0, 2.0, 3.0], F32))])
    f.case("SelectV2", [("condition", make([True, False, True], BOOL)), ("t", make(np.zeros([2, 3]), F32)),
                        ("e", make(np.zeros([4, 1]), F32))])
    f.case("SelectV2", [("condition", make(True, BOOL)), ("t", patterned(F32, [2, 2])), ("e", patterned(F32, [2, 2], 1))])
    f.case("SelectV2", [("condition", make(np.zeros([0, 2], bool), BOOL)), ("t", patterned(F32, [2])), ("e", patterned(F32, [1], 1))])
    f.case("Select", [("condition", make(True, BOOL)), ("x", patterned(I32, [2, 2])), ("y", patterned(I32, [2, 2], 1))])
    f.case("Select", [("condition", make([True, False, True], BOOL)), ("x", patterned(I32, [2, 2])), ("y", patterned(I32, [2, 2], 1))])
    # ClipByValue
    for d in FLOATS + SINTS + [U8, U16]:
        t = make(values_for(d), d)
        lo = make(values_for(d)[2], d)
        hi = make(values_for(d)[5], d)
        f.case("ClipByValue", [("t", t), ("clip_value_min", lo), ("clip_value_max", hi)])
        f.case("ClipByValue", [("t", t), ("clip_value_min", hi), ("clip_value_max", lo)], note="min > max")
        tt = patterned(d, [2, 3])
        f.case("ClipByValue", [("t", tt), ("clip_value_min", patterned(d, [2, 3], 1)), ("clip_value_max", patterned(d, [], 4))])
    f.case("ClipByValue", [("t", make([[1, 2], [3, 4]], F32)), ("clip_value_min", make([0.0, 1.0], F32)),
                           ("clip_value_max", make(2.0, F32))], note="bad shapes")
    return f


def shape_family():
    f = Family("shape")
    for d in ANY:
        x = patterned(d, [2, 3])
        f.case("Reshape", [("tensor", x), ("shape", make([3, 2], I32))])
        f.case("Reshape", [("tensor", x), ("shape", make([-1], I64))])
        f.case("ExpandDims", [("input", x), ("axis", make(-1, I32))])
        f.case("Squeeze", [("input", patterned(d, [1, 2, 1, 3, 1]))], axis=[])
        f.case("Shape", [("input", x)], out_type=I64)
        f.case("Size", [("input", x)], out_type=I32)
        f.case("Rank", [("input", x)])
        f.case("Fill", [("dims", make([2, 2], I32)), ("value", patterned(d, []))])
        f.case("ZerosLike", [("x", x)])
        if d != STR:
            f.case("OnesLike", [("x", x)])
    x = patterned(F32, [2, 3])
    for shape in ([6], [3, -1], [-1, 3], [1, 2, 3, 1], [4], [-1, -1], [-2, 3], [-1, 4], [[2, 3]]):
        f.case("Reshape", [("tensor", x), ("shape", make(shape, I32))], note=f"shape {shape}")
    f.case("Reshape", [("tensor", make([1.0], F32)), ("shape", make(1, I32))], note="scalar shape")
    f.case("Reshape", [("tensor", make(np.zeros([0]), F32)), ("shape", make([-1, 0], I32))], note="empty infer")
    f.case("Reshape", [("tensor", make(np.zeros([0, 4]), F32)), ("shape", make([2, -1, 0], I32))], note="empty infer 2")
    f.case("Reshape", [("tensor", make(np.zeros([3, 0]), F32)), ("shape", make([-1, 3], I32))], note="empty infer 3")
    f.case("Reshape", [("tensor", make(5.0, F32)), ("shape", make([], I32))], note="to scalar")
    for axis in (0, 1, 2, -1, -3, 3, -4):
        f.case("ExpandDims", [("input", x), ("axis", make(axis, I64))], note=f"axis {axis}")
    f.case("ExpandDims", [("input", x), ("axis", make([1, 2], I32))], note="two axes")
    f.case("ExpandDims", [("input", make(1.0, F32)), ("axis", make([0], I32))], note="one-element axis")
    y = patterned(I32, [1, 2, 1, 3])
    for axes in ([], [0], [2], [-2], [0, 2], [1], [4], [-5]):
        f.case("Squeeze", [("input", y)], axis=axes, note=f"axes {axes}")
    for d in (I32, I64):
        f.case("Shape", [("input", make(np.zeros([0, 3, 1]), F32))], out_type=d)
        f.case("Size", [("input", make(np.zeros([0, 3, 1]), F32))], out_type=d)
    f.case("Shape", [("input", make(1.0, F32))], out_type=I32)
    f.case("Fill", [("dims", make([2], I64)), ("value", make([1.0, 2.0], F32))], note="vector value")
    f.case("Fill", [("dims", make([[2]], I32)), ("value", make(1.0, F32))], note="matrix dims")
    f.case("Fill", [("dims", make([-2], I32)), ("value", make(1.0, F32))], note="negative dim")
    f.case("Fill", [("dims", make([], I32, [0])), ("value", make(7, I64))], note="scalar")
    f.case("Fill", [("dims", make([3, 0], I32)), ("value", make("x", STR))], note="empty strings")
    return f


def array_family():
    f = Family("array")
    for d in ANY:
        a, b, c = patterned(d, [2, 3]), patterned(d, [2, 3], 1), patterned(d, [2, 3], 2)
        for axis in (0, 1, 2, -1, -3):
            f.case("Pack", [("values", [a, b, c])], axis=axis)
        f.case("Pack", [("values", [patterned(d, []), patterned(d, [], 1)])], axis=0, note="scalars")
        for axis in (0, 1, -1, -2):
            f.case("ConcatV2", [("values", [a, patterned(d, [2, 1], 1) if axis in (1, -1) else patterned(d, [1, 3], 1)]),
                                ("axis", make(axis, I32))])
        f.case("ConcatV2", [("values", [a, b, c]), ("axis", make(0, I64))])
        f.case("Slice", [("input", patterned(d, [3, 4])), ("begin", make([1, 1], I32)), ("size", make([2, -1], I32))])
        f.case("Transpose", [("x", patterned(d, [2, 3, 4])), ("perm", make([2, 0, 1], I32))])
        f.case("Tile", [("input", patterned(d, [2, 3])), ("multiples", make([2, 2], I32))])
        f.case("GatherV2", [("params", patterned(d, [4, 3])), ("indices", make([3, 0, 0, 2], I32)), ("axis", make(0, I32))])
        f.case("GatherV2", [("params", patterned(d, [4, 3])), ("indices", make([[2, 1], [0, 0]], I64)), ("axis", make(1, I64))])
    x = patterned(F32, [2, 3])
    f.case("Pack", [("values", [x, patterned(F32, [3])])], axis=0, note="shape mismatch")
    f.case("Pack", [("values", [x, x])], axis=3, note="bad axis")
    f.case("Pack", [("values", [x])], axis=0, note="one value")
    f.case("ConcatV2", [("values", [x, patterned(F32, [2, 4])]), ("axis", make(0, I32))], note="dim mismatch")
    f.case("ConcatV2", [("values", [patterned(F32, [2]), patterned(F32, [2, 4])]), ("axis", make(0, I32))], note="rank mismatch")
    f.case("ConcatV2", [("values", [patterned(F32, [2]), patterned(F32, [2])]), ("axis", make(1, I32))], note="bad axis")
    f.case("ConcatV2", [("values", [patterned(F32, []), patterned(F32, [])]), ("axis", make(0, I32))], note="scalars")
    f.case("ConcatV2", [("values", [patterned(F32, [0, 3]), patterned(F32, [2, 3])]), ("axis", make(0, I32))], note="empty")
    y = patterned(I32, [3, 4, 5])
    for begin, size in (([0, 0, 0], [-1, -1, -1]), ([1, 2, 3], [2, 2, 2]), ([2, 0, 4], [1, 4, 1]), ([0, 0, 0], [0, 4, 5]),
                        ([1, 2], [1, 1]), ([0, 0, 0], [4, 1, 1]), ([4, 0, 0], [-1, 1, 1]), ([-1, 0, 0], [1, 1, 1]),
                        ([3, 4, 5], [0, 0, 0])):
        f.case("Slice", [("input", y), ("begin", make(begin, I64)), ("size", make(size, I64))], note=f"{begin} {size}")
    f.case("Slice", [("input", patterned(F32, [0, 2])), ("begin", make([0, 1], I32)), ("size", make([0, 1], I32))])
    f.case("Slice", [("input", patterned(F32, [0, 2])), ("begin", make([1, 0], I32)), ("size", make([0, 1], I32))])
    f.case("Slice", [("input", make(3.0, F32)), ("begin", make([], I32, [0])), ("size", make([], I32, [0]))], note="scalar")
    for perm in ([0, 1, 2], [2, 1, 0], [1, 0, 2], [0, 2, 1], [0, 1], [0, 1, 3], [0, 0, 1], [1, 2, 0]):
        f.case("Transpose", [("x", y), ("perm", make(perm, I32))], note=f"perm {perm}")
    f.case("Transpose", [("x", patterned(F32, [2, 1, 3, 1, 2])), ("perm", make([4, 2, 0, 3, 1], I64))])
    f.case("Transpose", [("x", patterned(F32, [0, 3])), ("perm", make([1, 0], I32))])
    for m in ([1, 1, 1], [2, 1, 3], [0, 2, 1], [1, 2], [1, -1, 1]):
        f.case("Tile", [("input", y), ("multiples", make(m, I32))], note=f"multiples {m}")
    f.case("Tile", [("input", make(2.0, F32)), ("multiples", make([], I32, [0]))], note="scalar")
    p = patterned(F32, [3, 4, 2])
    for idx, axis in (([5], 0), ([-1], 0), ([0], 3), ([0], -4), ([[1, 2], [0, 1]], -1), ([2, 2, 2], 1), ([], 0)):
        f.case("GatherV2", [("params", p), ("indices", make(idx, I32, None if idx else [0])), ("axis", make(axis, I32))],
               note=f"indices {idx} axis {axis}")
    f.case("GatherV2", [("params", p), ("indices", make([[4], [0]], I32)), ("axis", make(1, I32))], note="bad nested index")
    f.case("GatherV2", [("params", p), ("indices", make(1, I16)), ("axis", make(2, I64))], note="scalar index")
    pb = patterned(I32, [2, 3, 4])
    for bd, axis, idx in ((1, 1, [[0, 2], [1, 1]]), (1, 2, [[3, 0, 1], [2, 2, 0]]), (-1, 1, [[0, 2], [1, 1]]),
                          (2, 1, [[0], [1]]), (1, 0, [[0], [1]])):
        f.case("GatherV2", [("params", pb), ("indices", make(idx, I32)), ("axis", make(axis, I32))], batch_dims=bd,
               note=f"batch_dims {bd} axis {axis}")
    return f


def strided_family():
    f = Family("strided")
    rng = np.random.default_rng(1234)
    x = patterned(I32, [3, 4, 5])
    specs = [
        ([0], [2], [1], {}), ([1], [2], [1], {"shrink_axis_mask": 1}), ([-1], [0], [1], {"shrink_axis_mask": 1}),
        ([0, 1], [3, 3], [1, 2], {}), ([2, 3], [0, 0], [-1, -2], {}), ([0, 0, 0], [3, 4, 5], [1, 1, 1], {}),
        ([0], [0], [1], {"ellipsis_mask": 1}), ([0, 1], [0, 2], [1, 1], {"ellipsis_mask": 1}),
        ([0, 0], [0, 0], [1, 1], {"new_axis_mask": 1}), ([0, 0, 0], [1, 0, 0], [1, 1, 1], {"new_axis_mask": 2, "ellipsis_mask": 4}),
        ([1, 0], [2, 0], [1, 1], {"begin_mask": 2, "end_mask": 2}), ([5], [6], [1], {"shrink_axis_mask": 1}),
        ([0], [2], [0], {}), ([0, 0], [2, 2], [1, 1], {"ellipsis_mask": 3}), ([0, 0, 0, 0], [1, 1, 1, 1], [1, 1, 1, 1], {}),
        ([-100], [100], [1], {}), ([100], [-100], [-1], {}), ([0, -1], [0, -3], [1, -1], {"begin_mask": 1, "end_mask": 1}),
        ([0, 0, 0], [0, 0, 0], [1, 1, 1], {"begin_mask": 7, "end_mask": 7, "shrink_axis_mask": 2}),
        ([1, 1, 1], [2, 2, 2], [1, 1, 1], {"shrink_axis_mask": 7}),
    ]
    for b, e, s, masks in specs:
        f.case("StridedSlice", [("input", x), ("begin", make(b, I32)), ("end", make(e, I32)), ("strides", make(s, I32))],
               note=f"{b} {e} {s} {masks}", **masks)
    for i in range(60):
        n = int(rng.integers(1, 5))
        b = [int(v) for v in rng.integers(-6, 7, n)]
        e = [int(v) for v in rng.integers(-6, 7, n)]
        s = [int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], n)]
        masks = {k: int(rng.integers(0, 1 << n)) for k in ("begin_mask", "end_mask", "shrink_axis_mask")}
        if rng.random() < 0.3:
            masks["ellipsis_mask"] = 1 << int(rng.integers(0, n))
        if rng.random() < 0.3:
            masks["new_axis_mask"] = int(rng.integers(0, 1 << n))
        f.case("StridedSlice", [("input", x), ("begin", make(b, I64)), ("end", make(e, I64)), ("strides", make(s, I64))],
               note=f"random {i}", **masks)
    for d in ANY:
        f.case("StridedSlice", [("input", patterned(d, [4, 3])), ("begin", make([3, 0], I32)), ("end", make([0, 3], I32)),
                                ("strides", make([-2, 2], I32))])
    f.case("StridedSlice", [("input", patterned(F32, [3])), ("begin", make([0, 0], I32)), ("end", make([2], I32)),
                            ("strides", make([1], I32))], note="length mismatch")
    f.case("StridedSlice", [("input", make(3.0, F32)), ("begin", make([0], I32)), ("end", make([0], I32)),
                            ("strides", make([1], I32))], ellipsis_mask=1, note="scalar ellipsis")
    return f


def range_family():
    f = Family("range")
    for d in (I32, I64):
        for s, l, dl in ((0, 5, 1), (5, 0, -1), (1, 10, 3), (-3, 3, 2), (0, 0, 1), (10, 1, -4), (0, 5, 0), (5, 1, 1), (1, 5, -1)):
            f.case("Range", [("start", make(s, d)), ("limit", make(l, d)), ("delta", make(dl, d))])
    for d in FLOATS:
        for s, l, dl in ((0.0, 1.0, 0.1), (1.0, 0.0, -0.3), (0.5, 7.25, 0.75), (-1.0, 1.0, 0.2), (0.0, 0.0, 1.0),
                         (0.0, 100.0, 3.3), (0.0, 1.0, 0.0), (2.0, 1.0, 0.5)):
            f.case("Range", [("start", make(s, d)), ("limit", make(l, d)), ("delta", make(dl, d))])
    f.case("Range", [("start", make([1], I32)), ("limit", make(5, I32)), ("delta", make(1, I32))], note="vector start")
    f.case("Range", [("start", make([1, 2], I32)), ("limit", make(5, I32)), ("delta", make(1, I32))], note="bad start")
    return f


def reduce_family():
    f = Family("reduce")
    shapes_axes = [([], []), ([5], [0]), ([5], []), ([3, 4], [0]), ([3, 4], [1]), ([3, 4], [-1]), ([3, 4], [0, 1]),
                   ([2, 3, 4], [1]), ([2, 3, 4], [0, 2]), ([2, 3, 4], [2]), ([2, 3, 4], [0, 1]), ([2, 3, 4, 5], [0, 2]),
                   ([2, 3, 4, 5], [1, 3]), ([2, 1, 3], [1]), ([1, 1], [0, 1]), ([0, 3], [0]), ([0, 3], [1]), ([3], [0, 0])]
    for op in ("Sum", "Mean", "Prod", "Max", "Min"):
        for d in REAL:
            for shape, axes in shapes_axes:
                if d not in (F32, I32) and shape not in ([3, 4], [2, 3, 4], [0, 3]):
                    continue
                x = patterned(d, shape)
                if op == "Prod" and d in FLOATS:
                    x = make(np.array([1.5, -0.5, 2.0, 0.75, -1.25] * 30)[:int(np.prod(shape))], d, shape)
                f.case(op, [("input", x), ("axis", make(axes, I32, [len(axes)]))], keep_dims=False, note=f"{shape} {axes}")
                if shape == [2, 3, 4]:
                    f.case(op, [("input", x), ("axis", make(axes, I64, [len(axes)]))], keep_dims=True, note=f"{shape} {axes} keep")
            f.case(op, [("input", patterned(d, [3, 4])), ("axis", make(-1, I32))], keep_dims=False, note="scalar axis")
        f.case(op, [("input", patterned(F32, [2, 3])), ("axis", make([2], I32))], keep_dims=False, note="bad axis")
        f.case(op, [("input", patterned(F32, [2, 3])), ("axis", make([1, -1], I32))], keep_dims=False, note="duplicate axis")
        f.case(op, [("input", patterned(F32, [2, 3])), ("axis", make([[1]], I32))], keep_dims=False, note="matrix axis")
        # NaN and infinities.
        for d in (F32, F64, F16, BF16):
            x = make(values_for(d), d, [3, 6])
            for axes in ([0], [1], [0, 1]):
                f.case(op, [("input", x), ("axis", make(axes, I32))], keep_dims=False, note=f"specials {axes}")
    for op in ("All", "Any"):
        x = make([True, False, True, True, True, True, False, False], BOOL, [2, 4])
        for axes in ([], [0], [1], [0, 1], [-1]):
            f.case(op, [("input", x), ("axis", make(axes, I32, [len(axes)]))], keep_dims=False)
            f.case(op, [("input", x), ("axis", make(axes, I64, [len(axes)]))], keep_dims=True)
        f.case(op, [("input", make(np.zeros([0, 2], bool), BOOL)), ("axis", make([0], I32))], keep_dims=False, note="empty")
    # Large float inputs: Eigen's tree, packet accumulators and preserved-inner-dim paths.
    big = [([20000], [0]), ([8193], [0]), ([1601], [0]), ([3, 9000], [1]), ([2, 20000], [1]), ([100, 17], [0]),
           ([1000, 64], [0]), ([37, 9], [0]), ([5, 40, 21], [1]), ([3, 50, 12], [1]), ([7, 3, 5], [0, 2]),
           ([20, 4, 33], [0, 2]), ([3, 4, 5, 6], [0, 2]), ([5, 2, 40, 3], [1, 3]), ([70, 130], [1]), ([4, 33, 6], [1])]
    seed = 100
    for shape, axes in big:
        for d in FLOATS:
            seed += 1
            scale = 2.0 if d in (F16, BF16) else 1000.0
            x = make_lcg(d, shape, seed, scale)
            for op in ("Sum", "Mean", "Max"):
                f.case(op, [("input", x), ("axis", make(axes, I32))], keep_dims=False, note=f"big {shape} {axes}")
            if int(np.prod(shape)) <= 5000:
                xp = make_lcg(d, shape, seed + 1000, 0.02)
                xp = tf.cast(tf.cast(xp, F32) + 1.0, d)
                if int(np.prod(shape)) <= 2000:
                    f.case("Prod", [("input", xp), ("axis", make(axes, I32))], keep_dims=False, note=f"big prod {shape} {axes}")
    f.case("Mean", [("input", make_lcg(F16, [3000], 77, 1.0)), ("axis", make([0], I32))], keep_dims=False,
           note="half mean with count > 2048")
    # float32 sums run on a SIMD path (reduce-f32.ts): an image's channel means, and values near
    # the subnormal range (DAZ on the inputs, FTZ on every partial sum).
    x = make_lcg(F32, [224, 224, 3], 4242, 255.0)
    for op in ("Sum", "Mean"):
        f.case(op, [("input", x), ("axis", make([0, 1], I32))], keep_dims=False, note="big image channel means")
    seed = 5000
    for shape, axes in (([3000], [0]), ([40, 24], [0]), ([24, 40], [1]), ([6, 37, 10], [1]), ([9, 5, 20], [0, 2])):
        seed += 1
        x = make_lcg(F32, shape, seed, 6.0e-38)
        for op in ("Sum", "Mean"):
            f.case(op, [("input", x), ("axis", make(axes, I32))], keep_dims=False, note=f"tiny {shape} {axes}")
    for d in (I32, I64, U8, I8):
        f.case("Mean", [("input", make(np.zeros([0, 3]), d)), ("axis", make([0], I32))], keep_dims=False, note="empty mean")
        f.case("Mean", [("input", make([[7, -3, 2], [1, 1, 1]] if d not in (U8,) else [[7, 3, 2], [1, 1, 1]], d)),
                        ("axis", make([1], I32))], keep_dims=False, note="int mean truncates")
    # ArgMax / ArgMin
    for op in ("ArgMax", "ArgMin"):
        for d in REAL + [BOOL]:
            x = patterned(d, [3, 4]) if d != BOOL else make([[True, False, True, False], [False, False, True, True], [False] * 4], BOOL)
            for axis in (0, 1, -1):
                f.case(op, [("input", x), ("dimension", make(axis, I32))], output_type=I64)
        for ot in ([I16, U16, I32, I64] if op == "ArgMax" else [I32, I64]):
            f.case(op, [("input", patterned(F32, [2, 3, 4])), ("dimension", make(1, I64))], output_type=ot)
        for vals in ([1.0, float("nan"), 3.0, float("nan")], [float("nan"), 5.0, 3.0], [float("nan")] * 3,
                     [-float("inf"), -float("inf"), 1.0], [-float("inf")] * 2, [float("inf")] * 2, [1.0, 3.0, 3.0, 1.0],
                     [1.0] * 20 + [float("nan"), 2.0]):
            for d in (F32, F16):
                f.case(op, [("input", make(vals, d)), ("dimension", make(0, I32))], output_type=I64, note=f"{vals}")
        f.case(op, [("input", make(np.zeros([0]), F32)), ("dimension", make(0, I32))], output_type=I64, note="empty")
        f.case(op, [("input", patterned(F32, [2, 3])), ("dimension", make(2, I32))], output_type=I64, note="bad axis")
        f.case(op, [("input", patterned(F32, [2, 3])), ("dimension", make([1], I32))], output_type=I64, note="vector axis")
        f.case(op, [("input", make(1.0, F32)), ("dimension", make(0, I32))], output_type=I64, note="scalar input")
        f.case(op, [("input", make_lcg(F32, [3, 3000], 9, 10.0)), ("dimension", make(1, I32))], output_type=I32, note="long rows")
        f.case(op, [("input", make([2 ** 62, -(2 ** 63), 2 ** 63 - 1, 5], I64)), ("dimension", make(0, I32))], output_type=I64)
        f.case(op, [("input", make([2 ** 63, 1, 2 ** 64 - 1, 5], U64)), ("dimension", make(0, I32))], output_type=I64)
    # OneHot
    for d in ANY:
        on, off = patterned(d, [], 1), patterned(d, [], 2)
        f.case("OneHot", [("indices", make([0, 2, -1, 5, 1], I64)), ("depth", make(3, I32)), ("on_value", on),
                          ("off_value", off)], axis=-1)
    for ti in (U8, I8, I32, I64):
        idx = make([[0, 1], [2, 200 if ti == U8 else -1]], ti)
        for axis in (-1, 0, 1, 2):
            f.case("OneHot", [("indices", idx), ("depth", make(3, I32)), ("on_value", make(1.0, F32)),
                              ("off_value", make(0.0, F32))], axis=axis, note=f"axis {axis}")
    f.case("OneHot", [("indices", make(1, I32)), ("depth", make(4, I32)), ("on_value", make(5, I64)),
                      ("off_value", make(-1, I64))], axis=-1, note="scalar index")
    for depth, on, axis, note in ((-1, 1.0, -1, "negative depth"), (3, 1.0, 3, "bad axis"), (3, [1.0], -1, "vector on"),
                                  (0, 1.0, -1, "zero depth")):
        f.case("OneHot", [("indices", make([0, 1], I32)), ("depth", make(depth, I32)), ("on_value", make(on, F32)),
                          ("off_value", make(0.0, F32))], axis=axis, note=note)
    return f


def string_family():
    f = Family("string")
    floats = ["1.5", " 1.5 ", "1.", ".5", "+.5", "-0", "\t1", "\n1\n", "1e5", "1E+05", "1e-5", "0x1p3", "0X1A", "-0x10", "0x1.8",
              "0x.8", "0x1P-2", "inf", "INF", "Infinity", "-inf", "+inf", "nan", "NaN", "-nan", "+nan", "1e400", "1e-400",
              "4.9e-324", "2.4703282292062328e-324", "00012", "1.5e-45", "7e-46", "1e-30", "123456789012345678901234567890",
              "1234567890123456789012345678901", "12345678901234567890123456789012", "0.0000000000000000000000000000001",
              "3.4028235e38", "3.4028236e38", "3.40282356779733661637539395458142568448e38", "1.17549435e-38",
              "0.1", "0.2", "0.3", "2.5", "1e23", "8.589973e9", "9007199254740993", "9007199254740992.5", "1.0000000596046448",
              "1.00000005960464477539062500001", "0e0", "-0e0", "0.000001", "6.103515625e-05", "0x1.fffffep127",
              "0x1.fffffffffffffp1023", "0x1p-1074", "0x1p-1075", "0x1.8p-1074", "1.7976931348623157e308",
              "1.7976931348623158e308", "1.7976931348623159e308", "2.2250738585072011e-308", "2.2250738585072014e-308"]
    bad = ["5e", "1e+", "1_000", "1,5", "", " ", "0x", ".", "e5", "- 1", "1 2", "1d", "1f", "infinit", "nanx", "in", "1.5.",
           "--1", "+-1", "0x1p", "abc"]
    for d in (F32, F64):
        f.case("StringToNumber", [("string_tensor", make(floats, STR))], out_type=d, note="floats")
        for s in bad + ["1e3x"]:
            f.case("StringToNumber", [("string_tensor", make([s], STR))], out_type=d, note=f"bad {s!r}")
    ints = [" 12 ", "-7", "+3", "012", "2147483647", "-2147483648", "\t5\n", "-0", "+0", "00", "-00",
            "000000000000000000000000000000001", "4294967295", "9223372036854775807", "-9223372036854775808",
            "18446744073709551615"]
    for d in (I32, I64, U32, U64):
        for s in ints + ["1e3", "0x10", "", "-", "+", "2147483648", "-2147483649", "4294967296", "9223372036854775808",
                         "18446744073709551616", "1 2", " ", "1.0", "12345678901234567890123456789012", "-1"]:
            f.case("StringToNumber", [("string_tensor", make([s], STR))], out_type=d, note=f"{s!r}")
    f.case("StringToNumber", [("string_tensor", make([["1", "2"], ["3", "4"]], STR))], out_type=F32, note="matrix")
    f.case("StringToNumber", [("string_tensor", make([], STR, [0]))], out_type=I64, note="empty")
    # AsString
    fvals = [0.0, -0.0, 1.0, -1.0, 0.1, 2.5, -2.5, 0.5, 1.5, 1e20, 1e-7, 123456789.0, 3.14159265358979, 1e300, -1e-300,
             float("nan"), float("-nan"), float("inf"), float("-inf"), 5e-324, 0.000123456, 999999.5, 9.5, 0.05, 1e16]
    fmts = [{}, {"precision": 3}, {"precision": 0}, {"scientific": True}, {"scientific": True, "precision": 2},
            {"shortest": True}, {"shortest": True, "precision": 3}, {"shortest": True, "precision": 0},
            {"width": 12}, {"width": 12, "fill": "0"}, {"width": 12, "fill": "-"}, {"fill": "+"}, {"fill": " "},
            {"fill": "#", "precision": 0}, {"fill": "#", "shortest": True}, {"fill": "#", "scientific": True, "precision": 0},
            {"width": 3, "precision": 10}, {"precision": 40}, {"precision": 17, "scientific": True}, {"precision": 17, "shortest": True}]
    for d in FLOATS:
        for fmt in fmts:
            vals = fvals if d in (F32, F64) else fvals[:15] + [float("nan"), float("inf")]
            f.case("AsString", [("input", make(vals, d))], note=f"{fmt}", **fmt)
    ifmts = [{}, {"width": 6}, {"width": 6, "fill": "0"}, {"width": 6, "fill": "-"}, {"fill": "+"}, {"fill": " "}, {"fill": "#"},
             {"width": 25, "fill": "0"}]
    for d in SINTS + UINTS:
        for fmt in ifmts:
            f.case("AsString", [("input", make(int_values(d), d))], note=f"{fmt}", **fmt)
    f.case("AsString", [("input", make([True, False], BOOL))], width=7, fill="0")
    for fmt in ({}, {"width": 7}, {"width": 7, "fill": "-"}, {"width": 3, "fill": "0"}, {"precision": 1}, {"width": 2}):
        f.case("AsString", [("input", make(["ab", "", "\u00fc", "hello"], STR))], note=f"{fmt}", **fmt)
    for d, fmt in ((F32, {"scientific": True, "shortest": True}), (F32, {"fill": "00"}), (F32, {"fill": "x"}),
                   (I32, {"precision": 2}), (I32, {"scientific": True}), (BOOL, {"precision": 1}), (BOOL, {"shortest": True})):
        f.case("AsString", [("input", make([1] if d != BOOL else [True], d))], note=f"bad {fmt}", **fmt)
    f.case("AsString", [("input", patterned(F32, [2, 3]))], note="matrix")
    # String concatenation and comparisons.
    s1 = make(["a", "", "xyz", "\u00fc"], STR)
    s2 = make(["b", "c", "", "\u00fc"], STR)
    f.case("Add", [("x", s1), ("y", s2)])
    f.case("Add", [("x", make([["a"], ["b"]], STR)), ("y", make(["1", "2", "3"], STR))], note="broadcast")
    f.case("Add", [("x", s1), ("y", make("!", STR))], note="scalar")
    return f


def dedupe(cases):
    """Shares repeated tensors: inputs/outputs become {"ref": i} into a per-file `tensors` table."""
    table, index = [], {}

    def ref(t):
        key = json.dumps(t, sort_keys=True)
        if key not in index:
            index[key] = len(table)
            table.append(t)
        return {"ref": index[key]}

    for c in cases:
        c["inputs"] = [ref(t) for t in c["inputs"]]
        if "outputs" in c:
            c["outputs"] = [ref(t) for t in c["outputs"]]
    return {"tf_version": tf.__version__, "tensors": table, "cases": cases}


FAMILIES = [binary_family, unary_family, cast_family, select_family, shape_family, array_family, strided_family,
            range_family, reduce_family, string_family]


REGISTRY_OPS = [
    "AddV2", "Add", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "FloorMod", "Pow", "Maximum", "Minimum", "Neg", "Abs",
    "Square", "Sqrt", "Rsqrt", "Exp", "Log", "Round", "Floor", "Ceil", "Sign", "ClipByValue", "Equal", "NotEqual", "Less",
    "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "SelectV2", "Select", "Cast", "Reshape",
    "ExpandDims", "Squeeze", "Pack", "ConcatV2", "StridedSlice", "Slice", "GatherV2", "Transpose", "Tile", "Fill",
    "ZerosLike", "OnesLike", "Range", "Shape", "Size", "Rank", "Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax",
    "ArgMin", "OneHot", "StringToNumber", "AsString", "Const", "Identity",
]

# Dtypes our core has (the registry answer is restricted to them).
CORE_DTYPES = {d.as_datatype_enum for d in REAL + [BOOL, STR]}


def registered_kernels():
    """op -> attr -> dtype numbers TF 2.21 registers CPU kernels for (core dtypes only)."""
    from tensorflow.python.framework import kernels
    out = {}
    for op in REGISTRY_OPS:
        attrs = {}
        for k in kernels.get_registered_kernels_for_op(op).kernel:
            if k.device_type != "CPU" or k.label:
                continue
            for c in k.constraint:
                attrs.setdefault(c.name, set()).update(t for t in c.allowed_values.list.type if t in CORE_DTYPES)
        out[op] = {name: sorted(v) for name, v in sorted(attrs.items())}
    return out


def op_def_types():
    """op -> type attr -> dtype numbers its OpDef allows (core dtypes only; every one when unrestricted)."""
    from tensorflow.python.framework import op_def_registry
    out = {}
    for op in REGISTRY_OPS:
        od = op_def_registry.get(op)
        attrs = {}
        for a in od.attr:
            if a.type != "type":
                continue
            allowed = list(a.allowed_values.list.type) if a.HasField("allowed_values") else sorted(CORE_DTYPES)
            attrs[a.name] = sorted(t for t in allowed if t in CORE_DTYPES)
        out[op] = attrs
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "fixtures", "kernels")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "registered.json"), "w") as fh:
        json.dump({"tf_version": tf.__version__, "cpu_kernels": registered_kernels(), "op_defs": op_def_types()}, fh,
                  separators=(",", ":"))
    total = 0
    index = []
    for fam in FAMILIES:
        f = fam()
        path = os.path.join(out_dir, f"{f.name}.json")
        with open(path, "w") as fh:
            json.dump(dedupe(f.cases), fh, separators=(",", ":"))
        size = os.path.getsize(path)
        total += size
        index.append(f.name)
        print(f"{f.name}: {len(f.cases)} cases, {size} bytes")
    with open(os.path.join(out_dir, "index.json"), "w") as fh:
        json.dump({"families": index}, fh)
    print(f"total {total} bytes")


if __name__ == "__main__":
    main()
