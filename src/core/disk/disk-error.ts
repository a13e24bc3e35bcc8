// Coded disk-image errors. The message says what is wrong with the image and what the operator can do about it.
import { EvebootError } from '../errors.js';

export type DiskErrorCode =
  | 'EVEBOOT_ERR_DISK_MALFORMED' // not a GPT / FAT we can trust: refuse rather than guess
  | 'EVEBOOT_ERR_DISK_FULL' // FAT out of clusters or root-directory slots
  | 'EVEBOOT_ERR_DISK_NOT_FOUND'; // partition or file missing

export class DiskError extends EvebootError {
  declare readonly code: DiskErrorCode;
  constructor(code: DiskErrorCode, message: string) {
    super(code, message);
    this.name = 'DiskError';
  }
}

export const malformed = (what: string): DiskError => new DiskError('EVEBOOT_ERR_DISK_MALFORMED', what);
