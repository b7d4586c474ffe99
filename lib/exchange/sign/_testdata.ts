/**
 * Private: published test vectors shared by this directory's tests (aster-protocol §2).
 *
 * @module
 */

/** The doc's published demo agent key (a throwaway key, safe to commit). */
export const DEMO_AGENT_KEY =
  "0x4fd0a42218f3eae43a6ce26d22544e986139a01e5b34a62db53757ffca81bae1";
/** Address of {@linkcode DEMO_AGENT_KEY}. */
export const DEMO_AGENT_ADDRESS = "0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0";
/** The demo main wallet address. */
export const DEMO_USER = "0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e";
/** The V3 vector's nonce (µs). */
export const DEMO_NONCE = 1748310859508867;
/** The V3 vector's signed message. */
export const DEMO_MSG =
  "symbol=ASTERUSDT&type=LIMIT&side=BUY&timeInForce=GTC&quantity=20&price=0.5&nonce=1748310859508867" +
  "&user=0x63DD5aCC6b1aa0f563956C0e534DD30B6dcF7C4e&signer=0x21cF8Ae13Bb72632562c6Fff438652Ba1a151bb0";
/** Expected signatures of {@linkcode DEMO_MSG} by chain id. */
export const DEMO_SIGNATURES: Readonly<Record<number, string>> = {
  1666: "0x0a56c5923ebf3524475c5f631940ec4c0e41dbd300ad28198d1915d8f3ca49ce" +
    "26fd1aeb8b0c3079133595da0de38322ae7e860e0c76d032c4a491d27c1430b01c",
  714: "0xf91e000376f360c1661cf0fbc79a816e915dce485c616bd49c5e35c6cbc5ba50" +
    "42ccf75a2bffd282676dbf698087a73982bfd1491a993eeedc276f6827c94a8c1c",
};
/** The V1 vector's secret key. */
export const DEMO_V1_SECRET =
  "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
/** A V1 API key for tests. */
export const DEMO_V1_API_KEY =
  "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83";
