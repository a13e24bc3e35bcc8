// The top-level usage of `eveboot` (main.ts prints it with serve's options; the CLI reference starts with it).
export const MAIN_USAGE = `eveboot: bootstrap a 3-node EVE-OS (EVE-k) cluster from factory-fresh boxes

usage: eveboot <command> [options]
  serve            run the appliance (EVE controller, UI)
  demo             the demo site: the appliance plus three simulated EVE nodes, no root needed
  doctor           the appliance's NICs, the serving interface and why, other DHCP servers on it
  pki init|show|export  create the PKI / certificate fingerprints / public certificates as PEM
  images import|list  import an EVE-k netboot bundle (installer-net.tar, installer.iso or a directory)
  apps import|list|move  workload images: an OCI archive (container) or a qcow2/raw disk (VM); move an app to
                   another node (pending until EVE recreates its VM)
  report           one record per device, --format json|csv
  sim              simulated EVE nodes for a site or line manifest (rehearsals; with serve --rehearsal)
  sim-node         one simulated EVE node in this network namespace (adds its cluster IP, runs a K3s stand-in)
  status           a terminal table per node, refreshing (--once)
  token seal       seal the cluster token to a device ECDH cert (offline, factory line)
  site check FILE  validate a site file (or a line manifest)
  usb build        write this site's CONFIG into an EVE-k installer.raw for a USB stick
  kubeconfig CLUSTER  an admin kubeconfig for a ready cluster (needs a route to the seed's cluster IP)
  support-bundle   versions, NICs, site (redacted), report and events in one file for support; no secrets
  state export|import  the state dir as one encrypted file, to hand the site over to a permanent box
  --version        print eveboot's version
  <command> --help that command's options`;
