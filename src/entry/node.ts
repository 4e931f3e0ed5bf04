/** Package entry for Node.js: installs the Node platform, then exposes the public API. */
import { nodePlatform } from "../runtime/node.js";
import { setPlatform } from "../service/platform.js";

setPlatform(nodePlatform);

export * from "../index.js";
