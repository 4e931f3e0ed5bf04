// Handles: small integers the host holds for objects living in the core (iterators). The table
// keeps them reachable for the GC until the host releases them.
const table = new Array<Object | null>();
const freeList = new Array<i32>();

/** Stores `obj` and returns its handle (> 0). */
export function newHandle(obj: Object): i32 {
  if (freeList.length > 0) {
    const h = freeList.pop();
    unchecked(table[h - 1] = obj);
    return h;
  }
  table.push(obj);
  return table.length;
}

/** The object of handle `h`, or null when `h` is not live. */
export function getHandle(h: i32): Object | null {
  if (h <= 0 || h > table.length) return null;
  return unchecked(table[h - 1]);
}

/** Releases `h`; false when it was not live. */
export function releaseHandle(h: i32): bool {
  if (h <= 0 || h > table.length || unchecked(table[h - 1]) == null) return false;
  unchecked(table[h - 1] = null);
  freeList.push(h);
  return true;
}
