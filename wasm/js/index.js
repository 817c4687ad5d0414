// cis2-browser package entry: everything wasm-bindgen generated, plus the Cis2Error class the SDK throws.
// Call the default export (`init`) once before using the API: `await init();`.
export * from "./cis2_browser.js";
export { default, initSync } from "./cis2_browser.js";
export { Cis2Error } from "__ERRORS_SNIPPET__";
