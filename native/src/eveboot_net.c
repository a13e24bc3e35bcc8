// eveboot_net: the socket calls Node's dgram lacks (Linux only), the TFTP data pump (tftp_pump.c) and
// sendfile(2) for HTTP artifacts (sendfile_pump.c).
//   bindToDevice(fd, ifname)        setsockopt(SO_BINDTODEVICE): receive and send only on one interface,
//                                   so broadcast DHCP is answered only on the serving NIC (needs CAP_NET_RAW).
//   injectArp(fd, ifname, ip, mac)  ioctl(SIOCSARP): a neighbour entry so a reply can be unicast to a client that
//                                   has no address yet (what dnsmasq does, RFC 2131 §4.1; needs CAP_NET_ADMIN).
//   sendRouterAdvert(ifname)        one IPv6 Router Advertisement to ff02::1 on the interface (router lifetime 0,
//                                   no prefix, M=O=0): iPXE's IPv6 autoconfiguration stops waiting (~13 s) as soon
//                                   as it hears one, and a lifetime of 0 claims no default route (RFC 4861 §6.2.3).
// All return 0 or a positive errno; they never throw for a failed syscall.
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <unistd.h>
#include <node_api.h>

#include "tftp_pump.h"

static int read_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "eveboot_net: wrong number of arguments");
    return 0;
  }
  return 1;
}

napi_value eveboot_int(napi_env env, int v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

static napi_value bind_to_device(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  char ifname[IFNAMSIZ] = {0};
  size_t len = 0;
  if (!read_args(env, info, 2, argv)) return NULL;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) return eveboot_int(env, EINVAL);
  if (napi_get_value_string_utf8(env, argv[1], ifname, sizeof ifname, &len) != napi_ok) return eveboot_int(env, EINVAL);
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)len) != 0) return eveboot_int(env, errno);
  return eveboot_int(env, 0);
}

static napi_value inject_arp(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd;
  char ifname[IFNAMSIZ] = {0}, ip[INET_ADDRSTRLEN] = {0};
  size_t len = 0, maclen = 0;
  void *mac = NULL;
  struct arpreq req;
  struct sockaddr_in *pa = (struct sockaddr_in *)&req.arp_pa;
  if (!read_args(env, info, 4, argv)) return NULL;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok) return eveboot_int(env, EINVAL);
  if (napi_get_value_string_utf8(env, argv[1], ifname, sizeof ifname, &len) != napi_ok) return eveboot_int(env, EINVAL);
  if (napi_get_value_string_utf8(env, argv[2], ip, sizeof ip, &len) != napi_ok) return eveboot_int(env, EINVAL);
  if (napi_get_buffer_info(env, argv[3], &mac, &maclen) != napi_ok || maclen != 6) return eveboot_int(env, EINVAL);
  memset(&req, 0, sizeof req);
  pa->sin_family = AF_INET;
  if (inet_pton(AF_INET, ip, &pa->sin_addr) != 1) return eveboot_int(env, EINVAL);
  req.arp_ha.sa_family = ARPHRD_ETHER;
  memcpy(req.arp_ha.sa_data, mac, 6);
  memcpy(req.arp_dev, ifname, strnlen(ifname, sizeof req.arp_dev - 1));
  req.arp_flags = ATF_COM;
  if (ioctl(fd, SIOCSARP, &req) != 0) return eveboot_int(env, errno);
  return eveboot_int(env, 0);
}

static napi_value send_router_advert(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char ifname[IFNAMSIZ] = {0};
  size_t len = 0;
  if (!read_args(env, info, 1, argv)) return NULL;
  if (napi_get_value_string_utf8(env, argv[0], ifname, sizeof ifname, &len) != napi_ok) return eveboot_int(env, EINVAL);
  unsigned int ifindex = if_nametoindex(ifname);
  if (ifindex == 0) return eveboot_int(env, ENODEV);
  int s = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (s < 0) return eveboot_int(env, errno);
  int hops = 255; /* RFC 4861 §6.1.2: receivers drop an RA whose hop limit is not 255 */
  int err = 0;
  if (setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
      setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) != 0) {
    err = errno;
  } else {
    struct nd_router_advert ra;
    memset(&ra, 0, sizeof ra);
    ra.nd_ra_type = ND_ROUTER_ADVERT; /* the kernel fills in the ICMPv6 checksum on raw ICMPv6 sockets */
    ra.nd_ra_curhoplimit = 64;
    struct sockaddr_in6 dst;
    memset(&dst, 0, sizeof dst);
    dst.sin6_family = AF_INET6;
    dst.sin6_scope_id = ifindex;
    inet_pton(AF_INET6, "ff02::1", &dst.sin6_addr);
    if (sendto(s, &ra, sizeof ra, 0, (struct sockaddr *)&dst, sizeof dst) < 0) err = errno;
  }
  close(s);
  return eveboot_int(env, err);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"bindToDevice", NULL, bind_to_device, NULL, NULL, NULL, napi_enumerable, NULL},
    {"injectArp", NULL, inject_arp, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendRouterAdvert", NULL, send_router_advert, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 3, props);
  tftp_pump_register(env, exports);
  sendfile_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
