#!/bin/sh
# Creates the namespace and registers this product's search attributes (idempotent: existing ones are kept).
set -eu
ns="${TEMPORAL_NAMESPACE:-default}"
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do sleep 2; done
temporal operator namespace describe -n "$ns" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create -n "$ns" --retention 30d --address "$TEMPORAL_ADDRESS"
for attr in PayPalOrderId=Keyword PayPalCaptureId=Keyword OrderState=Keyword NeedsReview=Bool ReviewReason=Keyword \
            OrderAmount=Double OrderCurrency=Keyword MerchantReference=Keyword; do
  temporal operator search-attribute create -n "$ns" --address "$TEMPORAL_ADDRESS" \
    --name "${attr%%=*}" --type "${attr#*=}" || true
done
