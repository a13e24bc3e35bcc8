// Coded errors: the message tells the operator what to do. One Fastify error handler maps them to responses.
export type ErrorCode =
  | 'EVEBOOT_ERR_SEAL'
  | 'EVEBOOT_ERR_BAD_REQUEST'
  | 'EVEBOOT_ERR_UNKNOWN_DEVICE'
  | 'EVEBOOT_ERR_NOT_ALLOWED'
  | 'EVEBOOT_ERR_CONFLICT'
  | 'EVEBOOT_ERR_NO_INTEGRITY_TOKEN'
  | 'EVEBOOT_ERR_NOT_FOUND'
  | 'EVEBOOT_ERR_CONFIG'
  | 'EVEBOOT_ERR_IMAGE_NO_CONFIG'
  | 'EVEBOOT_ERR_CLUSTER_UNREACHABLE'
  | 'EVEBOOT_ERR_INTERFACE'
  | 'EVEBOOT_ERR_DHCP'
  | 'EVEBOOT_ERR_BUSY'
  // Codes that end a command (usb build, sim-node): they carry a status, but no HTTP client sees them.
  | 'EVEBOOT_ERR_DISK_MALFORMED'
  | 'EVEBOOT_ERR_DISK_FULL'
  | 'EVEBOOT_ERR_DISK_NOT_FOUND'
  | 'EVEBOOT_ERR_TPM';

const httpStatus: Record<ErrorCode, number> = {
  EVEBOOT_ERR_SEAL: 500,
  EVEBOOT_ERR_BAD_REQUEST: 400,
  EVEBOOT_ERR_UNKNOWN_DEVICE: 401,
  EVEBOOT_ERR_NOT_ALLOWED: 403,
  EVEBOOT_ERR_CONFLICT: 409,
  EVEBOOT_ERR_NO_INTEGRITY_TOKEN: 403,
  EVEBOOT_ERR_NOT_FOUND: 404,
  EVEBOOT_ERR_CONFIG: 400,
  EVEBOOT_ERR_IMAGE_NO_CONFIG: 409,
  EVEBOOT_ERR_CLUSTER_UNREACHABLE: 503,
  EVEBOOT_ERR_INTERFACE: 400,
  EVEBOOT_ERR_DHCP: 500,
  EVEBOOT_ERR_BUSY: 429,
  EVEBOOT_ERR_DISK_MALFORMED: 400,
  EVEBOOT_ERR_DISK_FULL: 409,
  EVEBOOT_ERR_DISK_NOT_FOUND: 404,
  EVEBOOT_ERR_TPM: 500,
};

export class EvebootError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EvebootError';
  }

  get status(): number {
    return httpStatus[this.code];
  }
}
