/** The Node platform: h2c + HTTP/1.1 servers and connect-node transports. */
import type { Platform } from "../service/platform.js";
import { listen } from "./node-server.js";
import { createNodeStorage } from "./node-storage.js";
import { createNodeTransport } from "./node-transport.js";
import { createRawClient } from "./node-raw-grpc.js";
import { nodeThreads } from "./node-threads.js";

/** Platform implementation for Node.js (also used by Deno through its node: compatibility). */
export const nodePlatform: Platform = {
  name: "node",
  createTransport: createNodeTransport,
  createRawClient,
  listen,
  storage: createNodeStorage,
  threads: nodeThreads,
};
