# anklet-receiver: the webhook front door, as a small static image.
#   docker build -t anklet-receiver .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
    -o /out/anklet-receiver ./cmd/anklet-receiver

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/anklet-receiver /usr/local/bin/anklet-receiver
USER nonroot:nonroot
# Inside a container the receiver must listen beyond loopback to be reachable.
ENV ANKLET_RECEIVER_LISTEN_ADDRESS=0.0.0.0 \
    ANKLET_RECEIVER_PORT=54321
EXPOSE 54321
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
    CMD ["/usr/local/bin/anklet-receiver", "-healthcheck"]
ENTRYPOINT ["/usr/local/bin/anklet-receiver"]
