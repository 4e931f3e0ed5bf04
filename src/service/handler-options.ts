/**
 * Connect handler options shared by our servers' services.
 */

/**
 * Responses are never gzip-compressed on the wire, as with TensorFlow's own servers. TF's gRPC
 * client offers gzip, which Connect would otherwise apply to every response of 1 KiB or more:
 * elements are already snappy-compressed when compression is on, and gzip costs more CPU than
 * loopback or LAN bandwidth saves.
 */
export const UNCOMPRESSED_RESPONSES = { compressMinBytes: Number.MAX_SAFE_INTEGER } as const;
