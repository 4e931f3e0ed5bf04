/**
 * The tf.data service protocol version TF 2.21 speaks (`kDataServiceVersion`). Every server
 * answers it from `GetVersion`, and every client refuses a peer that answers anything else.
 */
export const DATA_SERVICE_VERSION = 9n;
