// The HTTP boot API that iPXE, GRUB and the installer talk to (plain HTTP: Debian's iPXE has no HTTPS).
//   GET /boot/<mac>.ipxe | /boot/script?mac=   identity script (reports, then chains to /boot/report)
//   GET /boot/report?mac=…&uuid=…&net0=…        records identity, decides, answers the decision script
//   GET /boot/booting?mac=&stage=               "about to boot" beacon from the script (pixiecore trick)
//   GET|POST /boot/installed?mac=               installer (or test stand-in) says the install is done
//   GET|HEAD /artifacts/<image>/<path>, /installer.iso, /EFI/BOOT/<f>, /eveboot/overrides.cfg   imported files
//   GET|HEAD /config.img, /config/<nonce>.img   the CONFIG of the asking IP's live install decision
// Each group is a route module `(app, ctx) => void` (boot-context.ts); deps.routes adds more on the same server.
// Nothing listens here: buildBootApi returns the app, the caller listens.
import Fastify, { type FastifyInstance } from 'fastify';
import { artifactRoutes } from './boot-artifact-routes.js';
import { configRoutes } from './boot-config-routes.js';
import { type BootApiDeps, type BootRoutes, bootContext } from './boot-context.js';
import { machineRoutes } from './boot-machine-routes.js';
import { reportRoute } from './boot-report-route.js';
import { scriptRoutes } from './boot-script-routes.js';
import { installErrorHandler } from './errors.js';

export type { BootSite } from '../../core/boot/report.js';
export type { BootApiDeps, BootContext, BootRoutes, ConfigContext } from './boot-context.js';
export { installerArgs } from './boot-site.js';

const BOOT_ROUTES: BootRoutes[] = [scriptRoutes, reportRoute, machineRoutes, artifactRoutes, configRoutes];

export function buildBootApi(deps: BootApiDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ subsystem: 'http-boot' }, { level: 'warn' }),
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  const ctx = bootContext(deps);
  for (const routes of [...BOOT_ROUTES, ...(deps.routes ?? [])]) routes(app, ctx);
  return app;
}
