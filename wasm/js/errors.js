// The one error class cis2-browser throws. Imported by the wasm-bindgen glue (module snippet) and re-exported
// from the package entry, so `err instanceof Cis2Error` works and `err.code` is a stable string.
export class Cis2Error extends Error {
  constructor(code, message, details) {
    super(message);
    this.name = "Cis2Error";
    this.code = code;
    if (details !== undefined && details !== null) this.details = details;
  }
}

export function cis2Error(code, message, details) {
  return new Cis2Error(code, message, details);
}
