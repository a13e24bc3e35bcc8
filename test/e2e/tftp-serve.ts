// Child process for the netns TFTP tests: our server inside the server namespace.
//   node --import tsx test/e2e/tftp-serve.ts ROOT ADDRESS PORT
// Prints "ready" once listening, then one JSON line per finish/abort event.
import { createTftpServer } from '../../src/adapters/tftp-server.js';

const [root, address, port] = process.argv.slice(2);
const server = createTftpServer({
  root: root!,
  address: address!,
  port: Number(port),
  onEvent: (e) => {
    if (e.stage === 'finish' || e.stage === 'abort') process.stdout.write(`${JSON.stringify(e)}\n`);
  },
});
await server.listen();
process.stdout.write('ready\n');
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
