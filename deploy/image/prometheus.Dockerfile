# Prometheus from Debian's package, for hosts where no registry is reachable (the compose
# smoke test); the compose file starts it with an explicit `prometheus ...` entrypoint.
FROM merak-base:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /prometheus && chown prometheus:prometheus /prometheus
USER prometheus
EXPOSE 9090
