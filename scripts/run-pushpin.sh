#!/usr/bin/env bash
# Pushpin in front of the web process (Procfile: edge), with the zurl it sends upstream requests
# through. Clients connect to :7999; Django publishes to :5561 (GRIP_URL). deploy/pushpin/ holds the
# config; UPSTREAM (host:port of the web process, default 127.0.0.1:8000) is written into the routes.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p /tmp/foodtrucks-pushpin /tmp/foodtrucks-zurl
echo "* ${UPSTREAM:-127.0.0.1:8000}" > /tmp/foodtrucks-pushpin/routes
sed "s|routesfile=routes|routesfile=/tmp/foodtrucks-pushpin/routes|" deploy/pushpin/pushpin.conf > /tmp/foodtrucks-pushpin/pushpin.conf
zurl --config="$PWD/deploy/pushpin/zurl.conf" &
zurl_pid=$!
trap 'kill "$zurl_pid"' EXIT
pushpin --config /tmp/foodtrucks-pushpin/pushpin.conf --merge-output
