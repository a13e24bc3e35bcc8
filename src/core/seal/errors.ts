import { EvebootError } from '../errors.js';

export function sealError(message: string): EvebootError {
  return new EvebootError('EVEBOOT_ERR_SEAL', `cannot seal or open the cluster token: ${message}`);
}
