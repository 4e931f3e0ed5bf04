/**
 * TensorFlow data types, with the numbers of `tensorflow.DataType` (types.proto), so they travel
 * on the wire unchanged.
 */
export const DType = {
  float32: 1,
  float64: 2,
  int32: 3,
  uint8: 4,
  int16: 5,
  int8: 6,
  string: 7,
  complex64: 8,
  int64: 9,
  bool: 10,
  bfloat16: 14,
  uint16: 17,
  complex128: 18,
  float16: 19,
  variant: 21,
  uint32: 22,
  uint64: 23,
} as const;

/** A TensorFlow `DataType` number. */
export type DType = (typeof DType)[keyof typeof DType];

/** The dtype name TF prints (`int64`, `float32`, ...) for a `DataType` number. */
export function dtypeName(dtype: number): string {
  for (const [name, value] of Object.entries(DType)) if (value === dtype) return name;
  return `DataType(${dtype})`;
}

/** Bytes per element of a fixed-width dtype; 0 for string and variant. */
export function dtypeSize(dtype: number): number {
  switch (dtype) {
    case DType.bool: case DType.int8: case DType.uint8: return 1;
    case DType.int16: case DType.uint16: case DType.float16: case DType.bfloat16: return 2;
    case DType.int32: case DType.uint32: case DType.float32: return 4;
    case DType.int64: case DType.uint64: case DType.float64: case DType.complex64: return 8;
    case DType.complex128: return 16;
    default: return 0;
  }
}
