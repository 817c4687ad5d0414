// A small consumer of the cis2-browser package, type-checked (tsc --noEmit) against the generated declarations.
// It imports the package by name, through package.json's "exports", exactly as an app would.
import init, {
  Cis2Browser,
  Cis2Error,
  acrLevel,
  createCredential,
  discoverBridge,
  getAssertion,
  getVersion,
  isConditionalMediationAvailable,
  isWebAuthnSupported,
  parseSession,
  subscribeCardEvents,
  type BridgeDiscovery,
  type CardEvent,
  type Cis2ErrorCode,
  type RegistrationResponseJSON,
  type Role,
  type Session,
  type SessionEndedReason,
} from "cis2-browser";

export async function main(): Promise<void> {
  await init();
  const version: string = getVersion();
  console.log(version);

  const cis2 = new Cis2Browser({ baseUrl: "/auth", idleWarningSecs: 120, bridgePorts: [43487, 44213] });
  const defaults = new Cis2Browser();
  defaults.free();

  const stopEnded: () => void = cis2.onSessionEnded((reason: SessionEndedReason) => {
    if (reason === "backchannel_logout" || reason === "smartcard_removed") {
      cis2.signIn({ returnTo: "/" });
    }
  });
  const stopIdle = cis2.onIdleWarning((secondsLeft: number) => console.log(`idle: ${secondsLeft}s left`));

  const session: Session | undefined = await cis2.start();
  if (session) {
    const user = session.user;
    const idleAt: number | null = session.idleExpiresAt;
    const aal: number | undefined = user.aal;
    const canPrescribe: boolean = user.hasActivity("B0420");
    const nurse: boolean = user.hasRoleCode("R8001");
    const role: Role | undefined = user.selectedRole;
    const title: string | undefined = role?.roleTitle;
    const jobRole: string | null | undefined = role?.roleCodeParts?.jobRole;
    const orgs: string[] = user.organisations.map((o) => o.orgName);
    console.log(idleAt, aal, canPrescribe, nurse, title, jobRole, orgs, user.sub, user.name, user.amr);
    if (!user.meetsAal(3)) cis2.stepUp({ returnTo: "/prescribe" });
  } else {
    cis2.signIn({ acr: ["AAL3_ANY"], prompt: "login", maxAge: 240, selectedRole: true, returnTo: "/home" });
  }
  cis2.changeRole();
  const again = await cis2.getSession();
  console.log(again?.absoluteTimeoutSecs);

  try {
    const out = await cis2.signOut({ endSession: true, redirect: false });
    const url: string | null = out.endSessionUrl;
    console.log(out.signedOut, url);
  } catch (e) {
    if (e instanceof Cis2Error) {
      const code: Cis2ErrorCode = e.code;
      console.log(code, e.message, e.details);
    }
  }
  cis2.stop();
  stopEnded();
  stopIdle();

  const bridge: BridgeDiscovery = await discoverBridge({ timeoutMs: 1000 });
  const viaClient = await cis2.discoverBridge();
  console.log(viaClient.kind, bridge.blockedBy, bridge.fault?.code, bridge.probes[0]?.outcome);
  if (bridge.kind !== "none" && bridge.port !== null) {
    const unsubscribe = subscribeCardEvents(bridge.port, (ev: CardEvent) => console.log(ev.type, ev.cardId));
    const unwatch = cis2.watchSmartcard(bridge.port, { signOut: true });
    unsubscribe();
    unwatch();
  }

  if (isWebAuthnSupported()) {
    const options = await (await fetch("/webauthn/register/start")).json();
    const registration: RegistrationResponseJSON = await createCredential(options);
    console.log(registration.response.attestationObject, registration.extensions);
    const autofill = await isConditionalMediationAvailable();
    const assertion = await getAssertion('{"publicKey":{"challenge":"AAAA"}}', { conditional: autofill });
    console.log(assertion.response.userHandle);
  }

  const level: number | undefined = acrLevel("AAL2_OR_AAL3_ANY");
  const parsed: Session | undefined = parseSession('{"authenticated": false}');
  console.log(level, parsed);
}

// The declarations are precise, not `any`: each line below must be a type error.
export function misuse(cis2: Cis2Browser): void {
  // @ts-expect-error prompt accepts only "login"
  cis2.signIn({ prompt: "none" });
  // @ts-expect-error getVersion returns a string
  const n: number = getVersion();
  // @ts-expect-error BridgeKind is a closed union
  const kind: BridgeDiscovery["kind"] = "smartcardConnect";
  // @ts-expect-error the callback receives a reason string
  cis2.onSessionEnded((reason: number) => reason);
  console.log(n, kind);
}
