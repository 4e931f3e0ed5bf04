/** Package entry for Deno: installs the Deno platform, then exposes the public API. */
import { denoPlatform } from "../runtime/deno.js";
import { setPlatform } from "../service/platform.js";

setPlatform(denoPlatform);

export * from "../index.js";
