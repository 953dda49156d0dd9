/**
 * The one error class of the protocol: a stable code (EC2's own, such as `InvalidAMIID.NotFound`,
 * or the protocol's, such as `InvalidMessage`) and a message meant for a person.
 */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

export const isProtocolError = (e: unknown): e is ProtocolError => e instanceof ProtocolError;

/** The protocol's own error codes (EC2's codes pass through unchanged). */
export const PROTOCOL_ERROR_CODES = {
  MalformedMessage: "the frame is not JSON",
  InvalidMessage: "the JSON does not match the schema of any message",
  InvalidMethod: "the request names a method the server does not have",
  AuthRequired: "a request came before a successful hello",
  AuthFailure: "unknown access key or wrong signature",
  ProtocolVersionMismatch: "client and server speak different protocol versions",
  ConnectionLost: "the connection closed before the answer came",
  NotConnected: "the client is not connected",
  RequestTimeout: "no answer in time",
} as const;
