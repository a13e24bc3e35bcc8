{
  "targets": [
    {
      "target_name": "eveboot_net",
      "sources": ["src/eveboot_net.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
