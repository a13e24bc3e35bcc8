// Sends one router advertisement on the interface named in argv (run inside a namespace by the RA test).
import { sendRouterAdvertisement } from '../../src/adapters/dhcp-socket.js';

const why = sendRouterAdvertisement(process.argv[2] ?? '');
process.stdout.write(`${JSON.stringify({ sent: why === undefined, why })}\n`);
