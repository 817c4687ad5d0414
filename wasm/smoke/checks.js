// The smoke checks of the built package, imported by name as an app would: the plain page maps "cis2-browser" to
// ./pkg/index.js with an import map; the Vite build resolves it through node_modules like any dependency.
import init, {
  getVersion, parseSession, discoverBridge, Cis2Error, Cis2Browser, acrLevel, isWebAuthnSupported,
  isConditionalMediationAvailable,
} from "cis2-browser";
const out = document.getElementById("out");
const checks = [];
const check = (name, ok) => { checks.push((ok ? "pass " : "FAIL ") + name); };
try {
  await init();
  check("getVersion", /^\d+\.\d+\.\d+/.test(getVersion()));
  const s = parseSession({ authenticated: true, user: { sub: "1", aal: 3, acr: "AAL3_ANY",
    selected_role: { person_roleid: "9", role_code: "S1:G2:R8001", activity_codes: ["B0420"] } },
    session: { idle_expires_at: 5 } });
  check("claims", s.user.hasActivity("B0420") && s.user.aal === 3 && s.user.selectedRole.jobRole === "R8001");
  const d = await discoverBridge({ ports: [1, 2], timeoutMs: 800 });
  check("discoverBridge none", d.kind === "none" && d.blockedBy === "notRunning");
  try { new Cis2Browser({ idleWarningSecs: "soon" }); check("Cis2Error thrown", false); }
  catch (e) { check("Cis2Error", e instanceof Cis2Error && e instanceof Error && e.code === "invalid_options"); }
  try { new Cis2Browser().signIn({ returnTo: "//evil.example" }); check("returnTo refused", false); }
  catch (e) { check("returnTo refused", e.code === "invalid_return_to"); }
  check("acrLevel", acrLevel("AAL2_ANY") === 2);
  check("isWebAuthnSupported", typeof isWebAuthnSupported() === "boolean");
  const conditional = await isConditionalMediationAvailable();
  check("isConditionalMediationAvailable", typeof conditional === "boolean" &&
    conditional === await PublicKeyCredential.isConditionalMediationAvailable());
} catch (e) {
  checks.push("FAIL exception " + e);
}
out.textContent = checks.join("\n") + "\nDONE";
