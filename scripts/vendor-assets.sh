#!/usr/bin/env bash
# Copies the served files of the npm packages (installed by `npm ci`) into houqin/static/vendor.
# Only the files the templates use are copied (with their source maps): pointing the static
# finders at whole dist/ folders makes collectstatic slow and huge.
set -euo pipefail
cd "$(dirname "$0")/.."
NM=node_modules
OUT=houqin/static/vendor
rm -rf "$OUT"
mkdir -p "$OUT"/{htmx,bootstrap/css,bootstrap/js,bootstrap-icons/fonts,echarts}
cp "$NM"/htmx.org/dist/htmx.min.js "$OUT"/htmx/
cp "$NM"/bootstrap/dist/css/bootstrap.min.css{,.map} "$OUT"/bootstrap/css/
cp "$NM"/bootstrap/dist/js/bootstrap.bundle.min.js{,.map} "$OUT"/bootstrap/js/
cp "$NM"/echarts/dist/echarts.min.js "$OUT"/echarts/
# The icon font (the css names its fonts as fonts/bootstrap-icons.woff2 and .woff, beside it).
cp "$NM"/bootstrap-icons/font/bootstrap-icons.min.css "$OUT"/bootstrap-icons/
cp "$NM"/bootstrap-icons/font/fonts/bootstrap-icons.woff{,2} "$OUT"/bootstrap-icons/fonts/
