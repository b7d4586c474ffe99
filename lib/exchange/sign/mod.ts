/**
 * Request signing for Aster: one {@linkcode Signer} port with a V1 HMAC implementation
 * ({@linkcode V1Signer}) and a V3 EIP-712 API-wallet implementation ({@linkcode V3Signer}),
 * chosen by {@linkcode createSigner} from {@linkcode loadCredentials}; the server-time
 * offset ({@linkcode TimeSync}); and the verifiers the simulator uses
 * ({@linkcode verifyV1Signature}, {@linkcode recoverV3Signer}, {@linkcode extractSignature}).
 *
 * ## Configuring credentials (environment variables)
 *
 * | Scheme | Variable | Holds |
 * |---|---|---|
 * | V1 (legacy API key, `/fapi/v1`) | `ORDER_API_KEY` / `ORDER_SECRET_KEY` | **paths** of files holding the 64-hex API key / secret |
 * | | `ASTER_API_KEY` / `ASTER_API_SECRET` | the values themselves (instead of the files) |
 * | V3 (API wallet, `/fapi/v3`) | `ASTER_USER` | main wallet address (`0x` + 40 hex) |
 * | | `ASTER_SIGNER` | API-wallet (agent) address |
 * | | `ASTER_AGENT_KEY_FILE` or `ASTER_AGENT_KEY` | path of a file holding the agent private key, or the key (`0x` + 64 hex) |
 *
 * Configure exactly one scheme (or force one). Files are trimmed; keep them `chmod 600`.
 * Formats are checked at start-up, and the agent key must derive `ASTER_SIGNER`. Errors name
 * the variable or file, never the value; secrets print as `[redacted]` everywhere.
 *
 * @example Wiring in an entry script
 * ```ts ignore
 * const sync = new TimeSync({ serverTime: fetchServerTime });
 * await sync.start();
 * const credentials = await loadCredentials({
 *   env: (name) => Deno.env.get(name),
 *   readTextFile: Deno.readTextFile,
 * });
 * const signer = createSigner(credentials, { clock: () => sync.now() });
 * const { query, body, headers } = signer.sign({
 *   method: "POST",
 *   security: "TRADE",
 *   params: [["symbol", "BTCUSDT"], ["side", "BUY"], ["type", "MARKET"], ["quantity", "0.01"]],
 * });
 * ```
 *
 * @module
 */
export {
  addressFromPrivateKey,
  addressFromPublicKey,
  isValidAddress,
  toChecksumAddress,
} from "./address.ts";
export { createSigner, type CreateSignerOptions } from "./create_signer.ts";
export {
  CREDENTIAL_ENV,
  CredentialError,
  type Credentials,
  type CredentialSources,
  loadCredentials,
  type V1Credentials,
  v1Credentials,
  type V3Credentials,
  v3Credentials,
} from "./credentials.ts";
export {
  ASTER_MAINNET_CHAIN_ID,
  ASTER_TESTNET_CHAIN_ID,
  asterDomainSeparator,
  asterDomainSeparatorHex,
  asterMessageDigest,
} from "./eip712.ts";
export { HmacSha256 } from "./hmac_sha256.ts";
export { NonceClockError, NonceCounter, PROCESS_NONCES } from "./nonce.ts";
export {
  encodeParams,
  type Params,
  paramToString,
  type ParamValue,
} from "./params.ts";
export { Secret } from "./secret.ts";
export {
  type HttpMethod,
  SECURITY_TYPES,
  type SecurityType,
  SignedRequest,
  type Signer,
  type SignInput,
} from "./signer.ts";
export {
  type TimerApi,
  type TimeSample,
  TimeSync,
  type TimeSyncOptions,
} from "./time_sync.ts";
export {
  MAX_RECV_WINDOW_MS,
  V1Signer,
  type V1SignerOptions,
} from "./v1_signer.ts";
export { V3Signer, type V3SignerOptions } from "./v3_signer.ts";
export {
  type ExtractedSignature,
  extractSignature,
  recoverV3Signer,
  verifyV1Signature,
} from "./verify.ts";
