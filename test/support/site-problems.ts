// The "path: message" problems a site text is refused with, or [] when it loads.
import { parseSite, type SiteError } from '../../src/config/site.js';

export function siteProblems(text: string): string[] {
  try {
    parseSite(text);
    return [];
  } catch (e) {
    return (e as SiteError).problems;
  }
}
