export * from "./cis2_browser.js";
export { default, initSync } from "./cis2_browser.js";
import type { Cis2ErrorCode } from "./cis2_browser.js";

/** The error every cis2-browser API throws or rejects with. */
export declare class Cis2Error extends Error {
  readonly name: "Cis2Error";
  /** Stable machine-readable code. */
  readonly code: Cis2ErrorCode;
  /** The underlying cause where there is one: a DOMException, or `{status, error, errorDescription}` for HTTP. */
  readonly details?: unknown;
  constructor(code: Cis2ErrorCode, message: string, details?: unknown);
}
