# Images of sign-cli (the default target) and of the goshfile BuildKit
# frontend:
#
#   docker build -t sign-cli .
#   docker build --target goshfile-frontend -t REGISTRY/goshfile-frontend .
#
# Both binaries are static (CGO_ENABLED=0) and run from scratch. `make
# images-bin` runs the same go build command outside Docker.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOOS=linux
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG VERSION=devel
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.buildVersion=${VERSION}" -o /out/ ./cmd/sign-cli ./cmd/goshfile-frontend
# The root file system of the sign-cli image: CA certificates for registries
# and networks over TLS, an unprivileged user with a home for the Docker
# credentials file, and /tmp.
RUN mkdir -p /rootfs/etc/ssl/certs /rootfs/tmp /rootfs/home/signer \
    && cp /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ \
    && echo 'signer:x:65532:65532:signer:/home/signer:/sbin/nologin' > /rootfs/etc/passwd \
    && echo 'signer:x:65532:' > /rootfs/etc/group \
    && chmod 1777 /rootfs/tmp

# The goshfile frontend, for `# syntax=REGISTRY/goshfile-frontend` lines and
# `buildctl --frontend gateway.v0 --opt source=REGISTRY/goshfile-frontend`.
# BuildKit runs it with no network and needs nothing but the binary.
FROM scratch AS goshfile-frontend
COPY --from=build /out/goshfile-frontend /bin/goshfile-frontend
LABEL org.opencontainers.image.title="goshfile-frontend" \
      org.opencontainers.image.description="BuildKit frontend for goshfile.yaml" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/bin/goshfile-frontend"]

# sign-cli, the default target.
FROM scratch AS sign-cli
COPY --from=build /rootfs/ /
COPY --from=build --chown=65532:65532 /rootfs/home/signer /home/signer
COPY --from=build /out/sign-cli /usr/local/bin/sign-cli
ENV HOME=/home/signer SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/signer
LABEL org.opencontainers.image.title="sign-cli" \
      org.opencontainers.image.description="Sign container images on the Everscale blockchain and in their registry" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["/usr/local/bin/sign-cli"]
