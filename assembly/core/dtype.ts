// TensorFlow DataType numbers (types.proto) and their element sizes.

export const DT_FLOAT: i32 = 1;
export const DT_DOUBLE: i32 = 2;
export const DT_INT32: i32 = 3;
export const DT_UINT8: i32 = 4;
export const DT_INT16: i32 = 5;
export const DT_INT8: i32 = 6;
export const DT_STRING: i32 = 7;
export const DT_COMPLEX64: i32 = 8;
export const DT_INT64: i32 = 9;
export const DT_BOOL: i32 = 10;
export const DT_BFLOAT16: i32 = 14;
export const DT_UINT16: i32 = 17;
export const DT_COMPLEX128: i32 = 18;
export const DT_HALF: i32 = 19;
export const DT_VARIANT: i32 = 21;
export const DT_UINT32: i32 = 22;
export const DT_UINT64: i32 = 23;

/** Bytes per element of a fixed-width dtype; 0 for string, variant and unsupported dtypes. */
export function dtypeSize(dtype: i32): i32 {
  switch (dtype) {
    case DT_BOOL: case DT_INT8: case DT_UINT8: return 1;
    case DT_INT16: case DT_UINT16: case DT_HALF: case DT_BFLOAT16: return 2;
    case DT_INT32: case DT_UINT32: case DT_FLOAT: return 4;
    case DT_INT64: case DT_UINT64: case DT_DOUBLE: case DT_COMPLEX64: return 8;
    case DT_COMPLEX128: return 16;
    default: return 0;
  }
}

/** True for the dtypes a tensor of the core can hold. */
export function dtypeSupported(dtype: i32): bool {
  return dtypeSize(dtype) != 0 || dtype == DT_STRING || dtype == DT_VARIANT;
}

/** The name TF prints for a dtype (`int64`, `float32`, ...). */
export function dtypeName(dtype: i32): string {
  switch (dtype) {
    case DT_FLOAT: return "float32";
    case DT_DOUBLE: return "float64";
    case DT_INT32: return "int32";
    case DT_UINT8: return "uint8";
    case DT_INT16: return "int16";
    case DT_INT8: return "int8";
    case DT_STRING: return "string";
    case DT_COMPLEX64: return "complex64";
    case DT_INT64: return "int64";
    case DT_BOOL: return "bool";
    case DT_BFLOAT16: return "bfloat16";
    case DT_UINT16: return "uint16";
    case DT_COMPLEX128: return "complex128";
    case DT_HALF: return "float16";
    case DT_VARIANT: return "variant";
    case DT_UINT32: return "uint32";
    case DT_UINT64: return "uint64";
    default: return "DataType(" + dtype.toString() + ")";
  }
}
