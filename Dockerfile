# Sluice's container image. The build stage compiles the binary on Debian bookworm; the runtime
# stage is `scratch` plus what the build stage assembles (scripts/image-root.sh): the stripped
# binary, exactly the shared libraries it loads, CA certificates and a non-root user. No shell,
# no package manager, no compiler. `make image` builds it; tests/image/run.sh builds and runs it.

FROM debian:bookworm AS build
# The same packages as a developer machine (apt as root, so without sudo); a layer of its own, so
# that a source change does not reinstall them.
COPY scripts/deps.sh /src/scripts/deps.sh
RUN /src/scripts/deps.sh build && rm -rf /var/lib/apt/lists/*
COPY . /src
WORKDIR /src
# `sluice version` reports it (the context has no .git to ask).
ARG SLUICE_REVISION=unknown
# The build dir and flags of `make build`: ccache hashes paths relative to the source dir, so a
# cache filled by a host build (mounted here with `buildah bud --volume HOSTDIR:/root/.cache/ccache`)
# serves this one. Without the mount ccache starts empty and everything compiles.
ENV CCACHE_DIR=/root/.cache/ccache
# ccache hashes these locale variables: make image and tests/image pass the host's (those that are
# set), so that the keys are the host build's. Unset unless passed.
ARG LANG
ARG LC_ALL
ARG LC_CTYPE
ARG LC_MESSAGES
RUN cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DSLUICE_GIT_SHA="$SLUICE_REVISION" >/dev/null \
 && ninja -C build/release sluice \
 && scripts/image-root.sh build/release/sluice /root-fs

FROM scratch
# COPY --from keeps the owners set in the build stage (/var/lib/sluice: 65532).
COPY --from=build /root-fs/ /
# The store and index snapshots (storage.data_dir) live in the volume: the root file system may be
# read-only. The default data_dir ./data is relative to the working directory, so it is inside it.
VOLUME /var/lib/sluice
WORKDIR /var/lib/sluice
USER 65532:65532
# PORT makes serve listen on 0.0.0.0:$PORT unless the config sets server.listen; a platform that
# sets PORT itself (Cloud Run) overrides this one.
ENV PATH=/usr/local/bin PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["sluice", "healthcheck"]
ENTRYPOINT ["sluice"]
CMD ["serve"]
