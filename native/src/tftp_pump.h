// The TFTP data pump's N-API functions (tftp_pump.c), registered on the eveboot_net addon's exports, and the
// helper the two files share.
#pragma once
#include <node_api.h>

void tftp_pump_register(napi_env env, napi_value exports);

/* sendfile_pump.c: HTTP artifact bodies with sendfile(2). */
void sendfile_register(napi_env env, napi_value exports);

/* A JS number for an int (eveboot_net.c). */
napi_value eveboot_int(napi_env env, int v);
