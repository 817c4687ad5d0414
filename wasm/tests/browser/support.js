// Test doubles for the browser suite: a programmable fetch, a controllable EventSource, small waits.

export function installFetchStub(routes) {
  const original = globalThis.fetch;
  const calls = [];
  globalThis.fetch = async (url, init) => {
    const u = String(url);
    const mode = (init && init.mode) || "cors";
    calls.push({ url: u, method: (init && init.method) || "GET", body: init && init.body, mode,
                 credentials: init && init.credentials });
    const path = u.split("?")[0];
    for (const key of Object.keys(routes)) {
      if (path === key || path.endsWith(key)) {
        const r = routes[key];
        if (r === "fail") throw new TypeError("Failed to fetch");
        if (r === "corsBlocked") {
          if (mode === "no-cors") return new Response(null, { status: 200 });
          throw new TypeError("Failed to fetch");
        }
        return new Response(JSON.stringify(r.body), {
          status: r.status || 200,
          headers: { "Content-Type": "application/json" },
        });
      }
    }
    throw new TypeError("Failed to fetch");
  };
  return { routes, calls, restore() { globalThis.fetch = original; } };
}

export function installFakeEventSource() {
  const original = globalThis.EventSource;
  const instances = [];
  class FakeEventSource extends EventTarget {
    constructor(url) {
      super();
      this.url = String(url);
      this.readyState = 0;
      this.closed = false;
      this.onopen = null;
      this.onerror = null;
      instances.push(this);
    }
    close() { this.readyState = 2; this.closed = true; }
    open() { this.readyState = 1; if (this.onopen) this.onopen(new Event("open")); }
    fail() { this.readyState = 2; if (this.onerror) this.onerror(new Event("error")); }
    emit(type, data) { this.dispatchEvent(new MessageEvent(type, { data })); }
  }
  globalThis.EventSource = FakeEventSource;
  return { instances, restore() { globalThis.EventSource = original; } };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function recorder() {
  const calls = [];
  const fn = (...args) => { calls.push(args.length === 1 ? args[0] : args); };
  fn.calls = calls;
  return fn;
}

export function hideGlobal(name) {
  const saved = Object.getOwnPropertyDescriptor(globalThis, name);
  delete globalThis[name];
  return () => { if (saved) Object.defineProperty(globalThis, name, saved); };
}

export function uniqueName(prefix) {
  return prefix + "-" + Math.random().toString(36).slice(2);
}

export async function indexedDbNames() {
  if (!globalThis.indexedDB || !indexedDB.databases) return [];
  return (await indexedDB.databases()).map((d) => d.name);
}

export function fakeRegistrationCredential() {
  const bytes = (arr) => new Uint8Array(arr).buffer;
  // The attestation object sits inside a bigger buffer, as a view with an offset.
  const big = new Uint8Array([9, 9, 0xa3, 0x63, 0x66, 0x6d, 0x74, 9]);
  return {
    id: "AQID",
    rawId: bytes([1, 2, 3]),
    type: "public-key",
    response: {
      clientDataJSON: bytes([0x7b, 0x7d]),
      attestationObject: new Uint8Array(big.buffer, 2, 5),
      getTransports() { return ["usb", "smart-card", "internal"]; },
    },
    getClientExtensionResults() { return {}; },
  };
}

export function fakeAssertionCredential(withHandle) {
  const bytes = (arr) => new Uint8Array(arr).buffer;
  return {
    id: "_-8",
    rawId: bytes([0xff, 0xef]),
    type: "public-key",
    response: {
      clientDataJSON: bytes([0x7b, 0x7d]),
      authenticatorData: bytes([0, 1, 2, 3, 4]),
      signature: bytes([0x30, 0x44]),
      userHandle: withHandle ? bytes([0x75, 0x31]) : null,
    },
  };
}

export function bytesOf(buffer) {
  return Array.from(new Uint8Array(buffer));
}

export function stubPermissionState(state) {
  const permissions = navigator.permissions;
  permissions.query = async (descriptor) => {
    if (descriptor.name === "local-network-access") return { state };
    throw new TypeError("unknown permission " + descriptor.name);
  };
  return () => { delete permissions.query; };
}

// Replaces `navigator.credentials.get` with a recorder that answers `credential`,
// `PublicKeyCredential.isConditionalMediationAvailable` with `available`, and wraps the browser's
// `parseRequestOptionsFromJSON` (when it has one) to count its uses. Answers `{calls, nativeParses, restore}`:
// `calls` holds the options of every `get`, `nativeParses` the JSON given to the native parser.
export function stubCredentialsGet(credential, available) {
  const container = navigator.credentials;
  const calls = [];
  const nativeParses = [];
  const saved = [
    [container, "get", Object.getOwnPropertyDescriptor(container, "get")],
    [PublicKeyCredential, "isConditionalMediationAvailable",
      Object.getOwnPropertyDescriptor(PublicKeyCredential, "isConditionalMediationAvailable")],
    [PublicKeyCredential, "parseRequestOptionsFromJSON",
      Object.getOwnPropertyDescriptor(PublicKeyCredential, "parseRequestOptionsFromJSON")],
  ];
  container.get = async (options) => { calls.push(options); return credential; };
  PublicKeyCredential.isConditionalMediationAvailable = async () => available;
  const parse = PublicKeyCredential.parseRequestOptionsFromJSON;
  if (parse) {
    PublicKeyCredential.parseRequestOptionsFromJSON = (json) => {
      nativeParses.push(json);
      return parse.call(PublicKeyCredential, json);
    };
  }
  const restore = () => {
    for (const [obj, name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(obj, name, descriptor); else delete obj[name];
    }
  };
  return { calls, nativeParses, restore };
}
