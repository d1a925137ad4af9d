// djust.js: the djust browser client. One dependency-free ES module, no build step.
// This is the single source; Django serves it as the static file "djust/djust.js".
// The live protocol lands with the LiveView runtime (docs/protocol.md).

/** The client's version; the server compares it at join. */
export const VERSION = "0.1.0";
