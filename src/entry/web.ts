/** Package entry for browsers: installs the fetch platform, then exposes the public API. */
import { webPlatform } from "../runtime/web.js";
import { setPlatform } from "../service/platform.js";

setPlatform(webPlatform);

export * from "../index.js";
