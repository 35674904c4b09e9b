-- wrk script: Argo CD's getparams request with its bearer token.
wrk.method = "POST"
wrk.body = '{"applicationSetName":"idp-apps","input":{"parameters":{}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept-Encoding"] = "gzip"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("IDP_BENCH_TOKEN")
