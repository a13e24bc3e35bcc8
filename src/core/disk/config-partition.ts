// Which GPT partition is EVE's CONFIG partition.
// Match rule (any one suffices; more than one distinct partition matching is an error):
//  - name "CONFIG": make-raw's do_vfat names it so in live.raw (do_conf) and installer.raw (do_conf_win);
//  - unique GUID ad6871ee-31f9-4cf3-9e09-6f7a25c30054: the fixed GUID the installer gives the CONFIG partition on the
//    target disk (eve-api-facts §6.3), so an installed disk is also found;
//  - type GUID 13307e62-cd9c-4920-8f9b-91b45828b798: make-raw do_conf (live images).
// installer.raw uses type EBD0A0A2-… (Microsoft basic data, do_conf_win) so Windows can see it; that type is generic
// (INVENTORY has it too) and is never matched on its own.
import { DiskError } from './disk-error.js';
import type { Gpt, GptPartition } from './gpt.js';
import { sameGuid } from './guid.js';

export const EVE_CONFIG_NAME = 'CONFIG';
export const EVE_CONFIG_UNIQUE_GUID = 'ad6871ee-31f9-4cf3-9e09-6f7a25c30054';
export const EVE_CONFIG_TYPE_GUID = '13307e62-cd9c-4920-8f9b-91b45828b798';
/** make-raw do_conf_win / do_inventory_win type (Microsoft basic data); reported, not matched. */
export const MS_BASIC_DATA_TYPE_GUID = 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7';

export interface ConfigPartitionMatch {
  partition: GptPartition;
  /** Why it matched, e.g. ["name CONFIG", "type GUID 13307e62-…"]. */
  reasons: string[];
}

export function configMatchReasons(p: GptPartition): string[] {
  const reasons: string[] = [];
  if (p.name === EVE_CONFIG_NAME) reasons.push(`name ${EVE_CONFIG_NAME}`);
  if (sameGuid(p.uniqueGuid, EVE_CONFIG_UNIQUE_GUID)) reasons.push(`unique GUID ${EVE_CONFIG_UNIQUE_GUID}`);
  if (sameGuid(p.typeGuid, EVE_CONFIG_TYPE_GUID)) reasons.push(`type GUID ${EVE_CONFIG_TYPE_GUID}`);
  return reasons;
}

export function findConfigPartition(gpt: Gpt): ConfigPartitionMatch {
  const matches = gpt.partitions
    .map((partition) => ({ partition, reasons: configMatchReasons(partition) }))
    .filter((m) => m.reasons.length > 0);
  const listing = gpt.partitions.map((p) => `${p.number}:${p.name || '(no name)'}`).join(', ') || 'none';
  if (matches.length === 0) {
    throw new DiskError(
      'EVEBOOT_ERR_DISK_NOT_FOUND',
      `no CONFIG partition (by name CONFIG, GUID …0054 or type ${EVE_CONFIG_TYPE_GUID}); partitions: ${listing}. ` +
        'Is this an EVE installer.raw or live.raw?',
    );
  }
  if (matches.length > 1) {
    throw new DiskError(
      'EVEBOOT_ERR_DISK_MALFORMED',
      `several partitions look like CONFIG (${matches.map((m) => m.partition.number).join(', ')}); partitions: ${listing}`,
    );
  }
  return matches[0]!;
}
