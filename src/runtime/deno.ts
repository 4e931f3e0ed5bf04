/**
 * The Deno platform: fetch transports like browsers for clients, and Deno's node:http2
 * compatibility for servers (the same h2c + HTTP/1.1 front as Node).
 */
import type { Platform } from "../service/platform.js";
import { listen } from "./node-server.js";
import { createNodeStorage } from "./node-storage.js";
import { nodeThreads } from "./node-threads.js";
import { createNodeTransport } from "./node-transport.js";

/** Platform implementation for Deno. */
export const denoPlatform: Platform = {
  name: "deno",
  createTransport: createNodeTransport,
  listen,
  storage: createNodeStorage,
  threads: nodeThreads,
};
