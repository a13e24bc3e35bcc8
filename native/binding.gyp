{
  "targets": [
    {
      "target_name": "eveboot_net",
      "sources": ["src/eveboot_net.c", "src/tftp_pump.c", "src/sendfile_pump.c"],
      "cflags": ["-Wall", "-Wextra", "-O2", "-pthread"],
      "ldflags": ["-pthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
